"""Journey: at the counter the cursor and Tab follow the page from top to bottom, and a continued visit says whose.

An item opens with the cursor in 姓名, the first field on the page; Tab then goes on to 身份证号, 联系电话 and the
materials checklist, never back up. /counter?visit=N (为该居民办理其他事项) names the resident (masked) before any
item is chosen.
"""

from playwright.sync_api import expect

from e2e.counter_steps import accept_case, open_item
from e2e.helpers import login


def focused_name(page) -> str:
    return page.evaluate("() => document.activeElement.name || ''")


def test_tab_goes_down_the_page_from_the_name(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = open_item(page, "MZ03", "老年人助餐服务登记")
    name = panel.get_by_label("姓名")
    expect(name).to_be_focused()
    boxes = panel.locator("input[name=brought]")
    name_top = name.bounding_box()["y"]
    assert boxes.first.bounding_box()["y"] > name_top  # the checklist is below the name, where Tab goes next
    page.keyboard.press("Tab")
    expect(panel.get_by_label("身份证号")).to_be_focused()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("textbox", name="联系电话")).to_be_focused()  # MZ03 also lists a material 联系电话
    page.keyboard.press("Tab")
    expect(boxes.first).to_be_focused()
    page.screenshot(path=str(artifacts / "counter-tab-order.png"), full_page=True)


def test_a_continued_visit_names_the_resident_before_an_item_is_chosen(page, server):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, "MZ01", "老年人优待证办理（老年证）", "诸葛明珠")
    panel.get_by_role("link", name="为该居民办理其他事项").click()
    expect(page.locator("#work-panel .panel-welcome")).to_contain_text("为来访居民 诸*** 继续办理")
