"""Steps shared by the journeys."""

import re

from playwright.sync_api import expect


def login(page, server, username: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("center-demo")
    page.get_by_label("密码").press("Enter")
    expect(page).not_to_have_url(re.compile("/login"))
