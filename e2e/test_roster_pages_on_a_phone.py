"""Journey: the roster pages on a phone (390×844): no page scrolls sideways; the week grid scrolls inside its own box."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import login, overflow

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize(("user", "path", "heading"), [
    ("manager", "/rosters", "排班值班"),
    ("manager", "/rosters/shifts", "班次设置"),
    ("manager", "/rosters/hours", "服务时间与公告"),
    ("worker", "/duty", "我的值班"),
    (None, "/screen/daxi", None),
])
def test_roster_pages_never_scroll_sideways_on_a_phone(browser, server, artifacts, user, path, heading):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    if user:
        login(page, server, user)
    page.goto(server.url + path)
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    else:
        expect(page.locator(".headline")).to_be_visible()
    assert overflow(page)["x"] == 0, f"{path} scrolls sideways by {overflow(page)['x']} px"
    page.screenshot(path=str(artifacts / f"phone{path.replace('/', '-')}.png"), full_page=True)
    context.close()


def test_the_week_grid_scrolls_inside_its_own_box_on_a_phone(browser, server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, server, "manager")
    page.goto(server.url + "/rosters")
    grid = page.get_by_role("region", name="本周排班（窄屏可左右滑动）")
    expect(grid).to_be_visible()
    box = grid.evaluate("el => ({client: el.clientWidth, scroll: el.scrollWidth, right: el.getBoundingClientRect().right})")
    assert box["scroll"] > box["client"] and box["right"] <= PHONE["width"]  # the week is wider: it scrolls in its box
    sunday = page.locator("table.roster thead th").last
    grid.evaluate("el => { el.scrollIntoView({block: 'start'}); el.scrollLeft = el.scrollWidth; }")  # a swipe
    expect(sunday).to_be_in_viewport()
    assert overflow(page)["x"] == 0
    context.close()
