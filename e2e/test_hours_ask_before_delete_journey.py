"""Journey: a manager at the keyboard deletes an announcement of the hall screen: 删除 asks first, naming it;
Esc keeps it, Enter deletes it; the calendar's 删除 (admin) asks the same way without JavaScript."""

import re

from playwright.sync_api import expect

from e2e.helpers import login

TEXT = "本周五下午系统维护，社保业务暂停办理"


def test_deleting_an_announcement_asks_first(browser, server, artifacts):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, server, "manager")
    page.goto(f"{server.url}/rosters/hours")
    form = page.locator("form[action='/rosters/hours/announcements']")
    form.locator("[name=text]").fill(TEXT)
    form.locator("[name=starts_on]").fill(server.today.isoformat())
    form.locator("[name=ends_on]").fill(server.today.isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    line = page.locator("ul.changes li", has_text=TEXT)
    line.get_by_role("button", name="删除").click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text("删除这条大屏公告？")
    expect(question).to_contain_text(TEXT)
    expect(question.get_by_role("button", name="确认删除")).to_be_focused()
    page.screenshot(path=str(artifacts / "hours-delete-confirm.png"), full_page=True)
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"/rosters/hours$"))
    expect(page.locator("ul.changes li", has_text=TEXT)).to_have_count(1)
    page.locator("ul.changes li", has_text=TEXT).get_by_role("button", name="删除").click()
    expect(page.get_by_role("button", name="确认删除")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("已删除")
    expect(page.locator("ul.changes li", has_text=TEXT)).to_have_count(0)
    context.close()


def test_deleting_a_calendar_change_asks_first_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, server, "admin")
    page.goto(f"{server.url}/calendar?year=2026")
    form = page.locator("form[action='/calendar/overrides']")
    form.locator("[name=day]").fill("2026-12-31")
    form.locator("[name=kind]").select_option("restday")
    form.get_by_role("button", name="保存调整").click()
    row = page.locator("tr", has=page.locator("td", has_text="2026-12-31"))
    expect(row).to_have_count(1)
    row.get_by_role("button", name="删除").click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text("删除 2026-12-31 的日历调整？")
    expect(question).to_contain_text("休息日")
    question.get_by_role("button", name="确认删除").click()
    expect(page.locator(".flash-success")).to_contain_text("已删除该日历调整")
    expect(page.locator("tr", has=page.locator("td", has_text="2026-12-31"))).to_have_count(0)
    context.close()
