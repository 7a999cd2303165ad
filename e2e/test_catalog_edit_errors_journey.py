"""Journey: a manager saving an item with several mistakes is told all of them at once, each at its field.

What was typed stays in the form, the heading keeps the item's saved name while its name field is wrong, and on a
phone (390 px) the materials table scrolls inside its own box instead of pushing the page sideways.
"""

import re

from playwright.sync_api import expect

from e2e.helpers import login, overflow


def test_catalog_edit_tells_every_mistake_at_its_field_and_keeps_what_was_typed(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "manager")
    page.goto(server.url + "/catalog/1/edit")
    heading = page.get_by_role("heading", level=1)
    saved = heading.inner_text()
    assert saved.startswith("编辑事项：")
    page.get_by_label("事项名称", exact=True).fill("社")  # too short
    page.get_by_label("实施部门", exact=True).fill("区")  # too short
    page.get_by_label("第 1 项材料名称", exact=True).fill("证")  # too short
    page.get_by_label("第 1 项份数", exact=True).fill("")  # the browser checks nothing here: the server must say it
    page.get_by_label("常用说法").fill("这是一个远远超过二十个字的常用说法用来测试逐项提示是否都能显示")
    page.get_by_role("button", name="保存（生成新版本）").click()

    expect(page.locator(".flash-error")).to_contain_text("有 5 处需要修改")
    expect(heading).to_have_text(saved)  # the item's name, not the wrong one typed
    for label, text in [("事项名称", "事项名称至少 2 个字"), ("实施部门", "实施部门至少 2 个字"),
                        ("第 1 项材料名称", "第 1 项材料名称至少 2 个字"), ("第 1 项份数", "第 1 项材料"),
                        ("常用说法", "太长")]:
        field = page.get_by_label(label, exact=label != "常用说法")
        expect(field).to_have_attribute("aria-invalid", "true")
        error_id = field.get_attribute("aria-describedby")
        expect(page.locator(f"#{error_id}")).to_contain_text(text)
    expect(page.get_by_label("事项名称", exact=True)).to_have_value("社")
    expect(page.get_by_label("实施部门", exact=True)).to_have_value("区")
    expect(page.get_by_label("第 1 项材料名称", exact=True)).to_have_value("证")
    expect(page.get_by_label("事项名称", exact=True)).to_be_focused()
    page.screenshot(path=str(artifacts / "catalog-edit-errors.png"), full_page=True)


def test_catalog_edit_on_a_phone_does_not_scroll_sideways(page, server, artifacts):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, server, "manager")
    page.goto(server.url + "/catalog/1/edit")
    expect(page.get_by_label("第 1 项材料名称", exact=True)).to_be_attached()
    assert overflow(page)["x"] == 0
    box = page.locator(".materials-editor .table")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # the table scrolls in its own box
    page.screenshot(path=str(artifacts / "catalog-edit-phone.png"), full_page=True)
