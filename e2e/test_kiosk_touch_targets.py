"""Journey: a worker at the touch kiosk and an operator at the canteen desk (1366×768) can hit every control.

Every button, link and field in the page's main part is at least 44×44 px (e2e/helpers.py::small_targets), as
the page loads and with the work open: an item with its materials checklist, a case with its actions, a senior.
Nothing here writes: opening items, cases and a card changes no data other tests read.
"""

from playwright.sync_api import expect

from e2e.helpers import login, small_targets

KIOSK = {"width": 1366, "height": 768}


def test_counter_targets_are_44_px(page, server, artifacts):
    page.set_viewport_size(KIOSK)
    login(page, server, "worker")
    page.goto(server.url + "/counter")
    expect(page.get_by_role("heading", name="前台受理")).to_be_visible()
    assert small_targets(page) == []

    page.get_by_role("searchbox").fill("老年")
    page.locator("#search-results [data-result]").first.click()
    materials = page.locator("#work-panel input[type=checkbox]")
    expect(materials.first).to_be_visible()
    assert small_targets(page) == []
    # The big checkbox still is a checkbox: a touch on its label ticks it, a second untick it.
    label = page.locator("#work-panel label:has(input[type=checkbox])").first
    box = label.locator("input[type=checkbox]")
    was = box.is_checked()
    label.click()
    expect(box).to_be_checked(checked=not was)
    box.press("Space")
    expect(box).to_be_checked(checked=was)
    page.screenshot(path=str(artifacts / "kiosk-counter-item.png"))

    page.locator("#sidebar .case-list a").first.click()
    expect(page.locator("#work-panel .case-panel")).to_be_visible()
    assert small_targets(page) == []
    page.screenshot(path=str(artifacts / "kiosk-counter-case.png"))


def test_canteen_desk_targets_are_44_px(page, server, artifacts):
    page.set_viewport_size(KIOSK)
    login(page, server, "canteen")
    page.goto(server.url + "/dining")
    card = page.locator("#card")
    expect(card).to_be_focused()
    assert small_targets(page) == []

    card.fill("D0457")
    card.press("Enter")
    expect(page.locator(".senior-card")).to_be_visible()
    assert small_targets(page) == []
    page.screenshot(path=str(artifacts / "kiosk-dining-senior.png"))


def test_case_list_duty_and_logout_targets_are_44_px(page, server, artifacts):
    page.set_viewport_size(KIOSK)
    login(page, server, "worker")
    page.goto(server.url + "/cases")
    expect(page.locator("main table a[href^='/cases/']").first).to_be_visible()  # the case codes
    assert small_targets(page) == []
    assert small_targets(page, ".whoami") == []  # 退出, in the header: the last thing a worker presses
    page.screenshot(path=str(artifacts / "kiosk-cases.png"))

    page.goto(server.url + "/duty")
    expect(page.get_by_role("heading", name="我的值班")).to_be_visible()
    expect(page.locator("main select").first).to_be_visible()
    assert small_targets(page) == []
    assert small_targets(page, ".whoami") == []
    page.screenshot(path=str(artifacts / "kiosk-duty.png"))
