"""Journey: the dining pages on a phone (390×844) and the month view on the office screen: nothing scrolls
sideways (issue #10, point 14's month filter), and read-only policy values read as text.

Card D0418 is used nowhere else."""

import re

from playwright.sync_api import expect

from e2e.helpers import login, overflow

PHONE = {"width": 390, "height": 844}


def fits(page, artifacts, name: str) -> None:
    expect(page.locator("main h1")).to_be_visible()
    assert overflow(page)["x"] == 0, (page.url, overflow(page))
    page.screenshot(path=str(artifacts / f"phone-{name}.png"), full_page=True)


def test_no_dining_page_scrolls_sideways_on_a_phone(browser, server, artifacts):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        login(page, server, "canteen")
        page.goto(server.url + "/dining")
        fits(page, artifacts, "dining-desk")
        page.goto(server.url + "/dining?card=D0418")
        fits(page, artifacts, "dining-desk-senior")
        page.get_by_role("button", name="记录就餐").click()
        expect(page.locator(".meal-result")).to_contain_text("D0418")
        fits(page, artifacts, "dining-desk-recorded")
        page.get_by_role("button", name=re.compile("撤销 D0418")).click()
        expect(page.get_by_role("heading", name="撤销这笔就餐？")).to_be_visible()
        fits(page, artifacts, "dining-void-question")
        # The operator reaches a senior's account only through the desk (issue #11, finding 4).
        page.goto(server.url + "/dining?card=D0418")
        page.get_by_role("link", name=re.compile("账户明细与对账单")).click()
        expect(page).to_have_url(re.compile(r"/dining/seniors/\d+$"))
        fits(page, artifacts, "dining-senior")
        context.clear_cookies()

        login(page, server, "manager")
        for path, name in (("/dining/months?month=2026-11", "dining-months"),
                           ("/dining/months?month=2026-11&canteen=1", "dining-months-canteen"),
                           ("/dining/devices", "dining-devices"), ("/dining/policy", "dining-policy"),
                           ("/dining/seniors", "dining-seniors-manager")):
            page.goto(server.url + path)
            fits(page, artifacts, name)
        page.goto(server.url + "/dining/months?month=2026-10")
        close = page.get_by_role("button", name=re.compile("^结账 2026 年 10 月"))
        if close.count():
            close.click()
            expect(page.get_by_role("button", name="确认结账")).to_be_visible()
            fits(page, artifacts, "dining-months-close-question")
    finally:
        context.close()


def test_read_only_policy_reads_as_text(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "manager")
    page.goto(server.url + "/dining/policy")
    # The manager reads the policy in force and its history; the form to load one is the admin's alone.
    expect(page.locator("#policy-load")).to_have_count(0)
    expect(page.locator("#policy-current tr[data-scheme]")).to_contain_text("年度就餐补贴")
    expect(page.locator("main")).to_contain_text("由区级管理员载入")
    page.screenshot(path=str(artifacts / "dining-policy-manager.png"))


def test_the_month_view_on_the_office_screen(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "manager")
    page.goto(server.url + "/dining/months?month=2026-12")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026 年 12 月")
    assert overflow(page)["x"] == 0
    page.screenshot(path=str(artifacts / "dining-month-office.png"), full_page=True)
