"""Journey: the small marks a worker and a resident read. 我的在办 separates the date from its mark (no "12/8已超期"),
a deadline in a year whose holidays are not published says 预计 in the sidebar and the case list as on the case page,
a search of spaces is no search, and a mistyped status link gives the resident a public 404 with no staff links."""

import re

from playwright.sync_api import expect

from e2e.counter_steps import accept_case
from e2e.helpers import login

ITEM = ("GA05", "居民身份证申领、换领")  # 20 working days from Wed 9 Dec 2026: into January 2027


def test_the_sidebar_and_the_case_list_say_what_the_case_page_says(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *ITEM, "韦春燕")
    expect(panel.locator(".case-due")).to_contain_text("预计")  # the year 2027 is not published on this server

    entry = page.locator("#sidebar .case-list li", has_text=code)
    expect(entry.locator(".case-meta")).to_contain_text(re.compile(r"· 预计 1/\d+"))
    for meta in page.locator("#sidebar .case-meta").all_inner_texts():
        assert not re.search(r"\d(已超期|即将到期|暂停计时)", meta), meta  # "12/8已超期" read as one word
    marked = page.locator("#sidebar .case-meta", has=page.locator(".mark"))
    if marked.count():
        expect(marked.first).to_contain_text(re.compile(r"\d · (已超期|即将到期|暂停计时)"))
    page.locator("#sidebar").screenshot(path=str(artifacts / "counter-sidebar-marks.png"))

    page.goto(server.url + f"/cases?q={code}")
    row = page.locator("#case-rows tr", has_text=code)
    expect(row).to_contain_text(re.compile(r"预计 2027-01-\d\d"))
    page.screenshot(path=str(artifacts / "cases-provisional.png"), full_page=True)
    assert console_errors == []


def test_a_search_of_spaces_is_no_search(page, server, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    box = page.locator("#counter-search")
    box.fill("社保")
    expect(page.locator("#search-results [data-result]").first).to_be_visible()
    box.fill("   ")
    results = page.locator("#search-results")
    expect(results.locator(".hint")).to_be_visible()
    expect(results).not_to_contain_text("没有找到")
    assert console_errors == []


def test_a_mistyped_status_link_gives_the_resident_a_public_404(browser, server, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    response = phone.goto(server.url + "/s/abc123-mistyped")
    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(phone.locator("main")).to_contain_text("扫描告知单上的二维码")
    expect(phone.get_by_role("navigation")).to_have_count(0)  # no staff menu
    expect(phone.get_by_role("link", name="返回首页")).to_have_count(0)
    expect(phone.locator("a[href='/'], a[href^='/login']")).to_have_count(0)
    phone.screenshot(path=str(artifacts / "status-404-phone.png"), full_page=True)
    context.close()
