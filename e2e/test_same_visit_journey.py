"""Journey: one resident, two items in one visit (为该居民办理其他事项): the second case joins the same visit."""

import re

from playwright.sync_api import expect

from e2e.counter_steps import accept_case, unexpected
from e2e.helpers import login


def today_visits(page, server) -> int:
    """Today's visits at the worker's window as a fresh load of the counter counts them (the sidebar on the page
    may not have been redrawn yet when it is read)."""
    html = page.request.get(f"{server.url}/counter").text()
    return int(re.search(r'class="today-count".*?<strong>(\d+)</strong>', html, re.S).group(1))


def test_a_second_item_for_the_same_resident_joins_the_visit(page, server, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, first_id, _ = accept_case(page, "MZ02", "高龄津贴申请", "欧阳兰芝")
    visits_before = today_visits(page, server)

    # From the case: another item for this resident, found by searching as usual.
    panel.get_by_role("link", name="为该居民办理其他事项").click()
    expect(page).to_have_url(re.compile(r"/counter\?visit=\d+"))
    page.locator("#counter-search").fill("老年")
    result = page.locator("#search-results a[data-result]", has_text="老年人优待证办理").first
    expect(result).to_be_visible()
    result.click()
    work = page.locator("#work-panel")
    expect(work.get_by_role("heading", name=re.compile("老年人优待证办理"))).to_be_visible()
    expect(work.locator(".flash-info")).to_contain_text("为来访居民 欧")  # the same visit, the name masked
    expect(work.get_by_label("姓名")).to_have_count(0)  # nothing to type again
    work.get_by_role("button", name=re.compile("^受理")).click()
    expect(work.locator(".status")).to_have_text("待补正")  # a required material not ticked: 待补正 at once

    # One visit, two cases: today's visit count did not move, and the new case names the same resident.
    assert today_visits(page, server) == visits_before
    expect(work).to_contain_text("欧")
    assert unexpected(console_errors) == []
