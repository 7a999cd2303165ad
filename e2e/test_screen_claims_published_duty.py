"""Journey: a resident in the hall in the evening of a draft week is not promised 延时服务 nobody is rostered
for; once the manager publishes the week, the screen says it.

The week two weeks ahead at `huanghe` is a draft in the demo data that no other journey publishes.
"""

import re
from datetime import timedelta

from playwright.sync_api import expect

from e2e.helpers import login

CENTER = "huanghe"


def test_extended_hours_only_from_a_published_week(browser, server, artifacts):
    monday = server.today - timedelta(days=server.today.weekday()) + timedelta(weeks=2)
    wednesday = monday + timedelta(days=2)
    resident = browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = resident.new_page()
    screen.goto(f"{server.url}/screen/{CENTER}?at={wednesday.isoformat()}T18:30")
    status = screen.get_by_role("region", name="服务状态")
    week = screen.locator("section", has=screen.get_by_role("heading", name="本周延时与值班服务"))
    # The hours settings have 17:30–19:30 延时 on working days, but the week is a draft: no claim of it.
    expect(status).to_contain_text("休息中")
    expect(status).not_to_contain_text("延时")
    expect(status).not_to_contain_text("19:30")
    expect(week).to_contain_text("值班安排待公布")
    expect(week).not_to_contain_text("17:30–19:30")
    expect(screen.get_by_role("heading", name="正在值班").locator("..")).to_contain_text("当前无值班")
    screen.screenshot(path=str(artifacts / "screen-draft-evening.png"))

    staff = browser.new_context(viewport={"width": 1366, "height": 900})
    page = staff.new_page()
    login(page, server, "admin")
    page.goto(f"{server.url}/rosters?week={monday.isoformat()}&center={CENTER}")
    expect(page.locator(".week-status")).to_contain_text("草稿")
    page.get_by_role("button", name="发布本周").click()
    page.get_by_role("button", name=re.compile("确认发布|仍然发布")).click()
    expect(page.locator(".week-status")).to_contain_text("已发布")

    screen.reload()
    expect(status).to_contain_text("服务中")
    expect(status).to_contain_text("今日延时服务至 19:30")
    expect(week).to_contain_text("17:30–19:30")
    expect(week).not_to_contain_text("待公布")
    screen.screenshot(path=str(artifacts / "screen-published-evening.png"))
    staff.close()
    resident.close()
