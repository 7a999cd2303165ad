"""Small things an office notices: the role shown once, colleagues' login names, thousands separators."""

from __future__ import annotations

import re
from datetime import timedelta

from bs4 import BeautifulSoup

from center.config import DEMO_PASSWORD
from center.timeutil import local_today
from center.web.render import num
from tests.factories import as_user, login, make_staff

SEPARATED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d{2})?$")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def test_the_admin_header_names_the_role_once(demo_client):
    await login(demo_client, "admin", DEMO_PASSWORD)
    who = soup(await demo_client.get("/centers")).select_one(".whoami .who").get_text()
    assert who.count("区级管理员") == 1, who


async def test_a_worker_header_shows_name_and_role(demo_client):
    await login(demo_client, "worker", DEMO_PASSWORD)
    who = soup(await demo_client.get("/counter")).select_one(".whoami .who").get_text()
    assert "王磊" in who and "全科社工" in who


async def test_a_worker_sees_colleagues_names_and_roles_but_no_login_names(demo_client):
    await login(demo_client, "worker", DEMO_PASSWORD)
    page = soup(await demo_client.get("/centers/daxi"))
    headers = [th.get_text() for th in page.select("main table thead th")]
    assert headers == ["姓名", "角色"]
    rows = [[td.get_text() for td in tr.select("td")] for tr in page.select("main table tbody tr")]
    assert ["王磊", "全科社工"] in rows and all(len(row) == 2 for row in rows)
    text = page.select_one("main").get_text()
    for login_name in ("manager", "worker", "canteen"):
        assert login_name not in text


async def test_the_manager_still_sees_login_names(demo_client):
    await login(demo_client, "manager", DEMO_PASSWORD)
    page = soup(await demo_client.get("/centers/daxi"))
    assert [th.get_text() for th in page.select("main table thead th")] == ["姓名", "角色", "登录账号"]
    assert "worker" in [td.get_text() for td in page.select("main table tbody td:nth-child(3)")]


def test_counts_are_read_with_thousands_separators():
    assert num(1033) == "1,033" and num(999) == "999" and num(0) == "0" and num(None) == ""


async def test_the_month_figures_separate_thousands(demo_client):
    await login(demo_client, "manager", DEMO_PASSWORD)
    month = (local_today() - timedelta(days=15)).strftime("%Y-%m")  # at least 15 days of the demo's meals
    page = soup(await demo_client.get(f"/dining/months?month={month}"))
    figures = [s.get_text().strip() for s in page.select(".big-numbers strong")]
    assert any(SEPARATED.match(f) for f in figures), figures  # a month of the canteen's meals is over 1,000 元
    for figure in figures:
        assert not re.fullmatch(r"\d{4,}(\.\d+)?", figure), f"{figure} has no thousands separator"

