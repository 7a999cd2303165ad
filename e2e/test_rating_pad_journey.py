"""Journey: the rating pad (评价器) at a window, on the tablet the resident touches when the service is over.

The tablet is bound to 2号窗口 once by the pad's address (the demo's pad token); when the worker at that window
completes a case, the pad asks about that very service — by item only, nothing personal — and a touch on a level
records the rating; the manager's /ratings lists it as a 窗口评价器 rating.
"""

import re

from playwright.sync_api import expect

from e2e.counter_steps import accept_case
from e2e.helpers import login, overflow, small_targets

ITEM = ("GA02", "流动人口居住登记")
RESIDENT = "褚文静"


def test_the_pad_at_the_window_asks_about_the_service_just_finished_there(page, server, browser, artifacts):
    tablet = browser.new_context(viewport={"width": 800, "height": 1280}, has_touch=True).new_page()
    pad_url = server.url + "/rate/daxi/2%E5%8F%B7%E7%AA%97%E5%8F%A3"
    tablet.goto(pad_url + "?pad=demo-pad-1")
    expect(tablet).to_have_url(pad_url)  # bound: the token is kept by the tablet, not in its address
    expect(tablet.locator("main")).not_to_contain_text("未登记")
    # (It may be asking about an earlier service of this window still: the next one finished replaces it.)

    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *ITEM, RESIDENT)
    panel.get_by_role("button", name="办结", exact=True).click()
    panel.get_by_role("button", name="确认办结").click()
    expect(panel.locator(".status")).to_have_text("已办结")

    # The pad notices by itself (it asks every 5 s) that this service at its window is over, and asks about it.
    expect(tablet.locator("main")).to_contain_text(ITEM[1], timeout=15_000)
    expect(tablet.get_by_role("heading", name="请为刚才的服务评价")).to_be_visible()
    expect(tablet.locator("main")).not_to_contain_text(RESIDENT)
    assert overflow(tablet)["x"] == 0
    # What a finger touches is the whole label of a level or a reason (the box inside it is only its mark).
    small = tablet.evaluate("""() => [...document.querySelectorAll('form.rating-form :is(label:has(input), button, textarea)')]
      .filter(el => { const r = el.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
      .map(el => el.tagName + ' ' + el.textContent.trim().slice(0, 12))""")
    assert small == []
    assert small_targets(tablet, "form.rating-form", minimum=22) == []
    tablet.screenshot(path=str(artifacts / "rating-pad-tablet.png"), full_page=True)
    tablet.get_by_label("非常满意").check()
    tablet.get_by_role("button", name="提交评价").click()
    expect(tablet.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
    # Back to waiting by itself for the next person, and the rated service is not asked about again.
    expect(tablet.get_by_role("heading", name="欢迎评价我们的服务")).to_be_visible(timeout=15_000)
    tablet.context.close()

    manager = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    login(manager, server, "manager")
    manager.goto(server.url + "/ratings?view=all")
    row = manager.locator("tr", has_text=code).first
    expect(row).to_contain_text("非常满意")
    expect(row).to_contain_text("窗口评价器")
    assert overflow(manager)["x"] == 0
    manager.context.close()
