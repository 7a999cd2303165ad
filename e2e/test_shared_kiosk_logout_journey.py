"""Journey: a worker logs out at a shared kiosk; the next person presses Back and sees nothing of theirs."""

import re

from playwright.sync_api import expect

from e2e.helpers import login


def test_back_after_logout_does_not_show_the_counter_page(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    page.goto(server.url + "/counter")
    expect(page.get_by_role("heading", name="前台受理")).to_be_visible()
    cases = page.locator("#sidebar .case-meta")
    expect(cases.first).to_be_visible()
    personal = [cases.nth(i).inner_text().strip() for i in range(min(cases.count(), 3))]
    worker_name = page.locator(".whoami .who").inner_text().split("（")[0].strip()
    assert worker_name and personal

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login\?logged_out=1"))

    page.go_back()
    # The browser asks again (nothing of the page was stored) and is sent to the login form.
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    body = page.locator("body")
    expect(body).not_to_contain_text(worker_name)
    for text in personal:
        expect(body).not_to_contain_text(text)
    expect(page.locator("#sidebar")).to_have_count(0)
    page.screenshot(path=str(artifacts / "kiosk-back-after-logout.png"))
