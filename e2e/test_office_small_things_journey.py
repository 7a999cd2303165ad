"""Journey: what an office notices on day one in the shared layout: who is logged in, colleagues, big figures."""

import re

from playwright.sync_api import expect

from e2e.helpers import login


def test_the_admin_is_named_once_in_the_header(page, server):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "admin")
    who = page.locator(".whoami .who")
    expect(who).to_have_text("区级管理员")


def test_a_worker_sees_colleagues_by_name_and_role_not_by_login(page, server):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    page.goto(server.url + "/centers")
    expect(page).to_have_url(re.compile(r"/centers/daxi$"))
    table = page.locator("main table")
    expect(table.locator("thead th")).to_have_text(["姓名", "角色"])
    expect(table.get_by_role("row").filter(has_text="王磊")).to_contain_text("全科社工")
    for login_name in ("manager", "worker", "canteen"):
        expect(page.locator("main")).not_to_contain_text(login_name)


def test_the_month_figures_read_with_thousands_separators(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "manager")
    page.goto(server.url + "/dining/months?month=2026-12")
    meals_total = page.locator(".big-numbers div").filter(has_text="餐费合计").locator("strong")
    # Nine days of the center's canteens are over a thousand yuan: 3,338.00, never 3338.00.
    expect(meals_total).to_have_text(re.compile(r"^\d{1,3}(,\d{3})+\.\d{2}$"))
    page.screenshot(path=str(artifacts / "dining-months-figures.png"))


def test_the_skip_link_is_the_first_stop_and_lands_on_the_page(page, server):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "manager")
    page.goto(server.url + "/catalog")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
