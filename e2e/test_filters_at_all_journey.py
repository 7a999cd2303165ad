"""Journey: a manager without JavaScript picks a canteen on the month view, then 全部 again, and gets every
canteen (the empty option used to answer 400); the admin's figures do the same with 全区."""

import re

from playwright.sync_api import expect

from e2e.helpers import login


def test_all_canteens_from_a_plain_form(browser, server, artifacts):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, server, "manager")
    page.goto(f"{server.url}/dining/months?month=2026-11")
    heading = page.get_by_role("heading", level=1)
    everything = heading.inner_text()
    picker = page.locator("select[name=canteen]")
    first = picker.locator("option").nth(1).inner_text()
    picker.select_option(label=first)
    page.get_by_role("button", name="查看").click()
    expect(heading).to_contain_text(first)
    page.locator("select[name=canteen]").select_option(label="全部")
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(r"canteen=$"))
    expect(heading).to_have_text(everything)
    expect(page.locator("select[name=canteen]")).to_have_value("")
    page.screenshot(path=str(artifacts / "dining-month-all.png"), full_page=True)
    context.close()


def test_the_whole_district_from_a_plain_form(browser, server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, server, "admin")
    page.goto(f"{server.url}/counter/stats?month=2026-11")
    page.get_by_label("中心").select_option(index=1)
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_label("中心")).not_to_have_value("")
    page.get_by_label("中心").select_option(label="全区")
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(r"center=$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_label("中心")).to_have_value("")
    context.close()
