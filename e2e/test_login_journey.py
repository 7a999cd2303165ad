"""Journey: the front-desk worker logs in at the kiosk, lands on the counter page, logs out."""

import re

from playwright.sync_api import expect


def test_worker_logs_in_lands_on_counter_and_logs_out(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server.url + "/counter")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.screenshot(path=str(artifacts / "login.png"), full_page=True)

    page.get_by_label("用户名").fill("worker")
    page.get_by_label("密码").fill("center-demo")
    page.get_by_label("密码").press("Enter")

    expect(page).to_have_url(server.url + "/counter")
    expect(page.get_by_role("heading", name="前台受理")).to_be_visible()
    expect(page.locator(".whoami")).to_contain_text("王磊")
    expect(page.get_by_role("link", name="排班值班")).to_have_count(0)  # not a worker's area
    page.screenshot(path=str(artifacts / "counter.png"), full_page=True)

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login\?logged_out=1"))
    expect(page.get_by_text("您已安全退出")).to_be_visible()

    page.goto(server.url + "/counter")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert console_errors == []


def test_wrong_password_shows_a_chinese_error(page, server):
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确")
    expect(page.get_by_label("用户名")).to_have_value("manager")


def test_the_served_app_reports_database_and_running_scheduler(server):
    import httpx

    assert httpx.get(server.url + "/healthz").json() == {"status": "ok", "database": "ok", "scheduler": "running"}
