"""The canteen desk and the manager's month over HTTP: forms with and without htmx, close, Excel 台账."""

import io
import re

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from center.config import DEMO_PASSWORD
from center.services import dining
from center.timeutil import local_today
from tests.support.factories import csrf_token, load_demo, login, logout

HTMX = {"hx-request": "true", "hx-target": "desk"}


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
async def canteen_desk(client, db):
    await load_demo(db)
    await login(client, "canteen", DEMO_PASSWORD)
    return client


async def meal_form(client, card):
    page = soup(await client.get(f"/dining?card={card}"))
    form = page.select_one("form.meal-form")
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}, page


async def test_desk_records_a_meal_once_even_when_pressed_twice(canteen_desk):
    hidden, page = await meal_form(canteen_desk, "D0200")
    assert "今年余额" in page.select_one(".balance").get_text()
    assert "D0200" in page.text and not re.search(r"\d{17}[\dX]", page.text)
    data = {**hidden, "kind": "lunch", "price": "15.00"}
    first = await canteen_desk.post("/dining/meals", data=data, headers=HTMX)
    assert first.status_code == 200 and "<html" not in first.text
    result = soup(first).select_one(".meal-result").get_text()
    second = await canteen_desk.post("/dining/meals", data=data, headers=HTMX)  # the same key: a double press
    assert soup(second).select_one(".meal-result").get_text() == result
    senior = await dining.senior_by_card("D0200")
    from center.tables import Meal
    assert await Meal.count().where((Meal.senior == senior["id"]) & (Meal.idempotency_key == hidden["key"])) == 1
    plain = await canteen_desk.post("/dining/meals", data={**data, "key": "another-key"}, follow_redirects=False)
    assert plain.status_code == 302 and plain.headers["location"].startswith("/dining?card=D0200")


@pytest.mark.parametrize(("price", "message"), [("", "请填写金额"), ("abc", "金额须为数字"), ("1.234", "两位小数"),
                                                ("5000", "不能超过")])
async def test_desk_refuses_bad_amounts_in_chinese(canteen_desk, price, message):
    hidden, _ = await meal_form(canteen_desk, "D0201")
    response = await canteen_desk.post("/dining/meals", data={**hidden, "kind": "lunch", "price": price})
    assert response.status_code == 422 and message in soup(response).select_one("[role=alert]").get_text()


async def test_unknown_and_young_cards_at_the_desk(canteen_desk):
    unknown = soup(await canteen_desk.get("/dining?card=XX99"))
    assert "没有这张就餐卡" in unknown.select_one("[role=alert]").get_text()
    young = soup(await canteen_desk.get("/dining?card=D0499"))
    assert "未满 65 周岁" in young.text and young.select_one("form.meal-form") is None


async def test_desk_voids_a_meal_of_today(canteen_desk):
    hidden, _ = await meal_form(canteen_desk, "D0202")
    before = (await dining.allowance_figures((await dining.senior_by_card("D0202"))["id"], local_today().year))["balance_fen"]
    await canteen_desk.post("/dining/meals", data={**hidden, "kind": "lunch", "price": "15"}, headers=HTMX)
    page = soup(await canteen_desk.get("/dining?card=D0202"))
    form = page.select_one("form[action$='/void']")
    void = await canteen_desk.post(form["action"], data={i["name"]: i.get("value", "") for i in form.select("input")},
                                   follow_redirects=True)
    assert "已撤销" in void.text
    after = (await dining.allowance_figures((await dining.senior_by_card("D0202"))["id"], local_today().year))["balance_fen"]
    assert after == before


async def test_canteen_operators_cannot_open_manager_pages(canteen_desk):
    for path in ("/dining/months", "/dining/devices", "/counter", "/rosters"):
        assert (await canteen_desk.get(path)).status_code == 403, path


async def test_month_view_export_matches_the_ledger(client, db):
    await load_demo(db)
    await login(client, "manager", DEMO_PASSWORD)
    month = local_today().strftime("%Y-%m")
    page = soup(await client.get(f"/dining/months?month={month}"))
    assert page.select("svg.chart rect")
    export = await client.get(f"/dining/months/export.xlsx?month={month}")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["汇总", "明细", "按日", "按餐别"]
    rows = list(book["汇总"].iter_rows(values_only=True))
    total_row = next(r for r in rows if r[0] == "合计")
    body = [r for r in rows[3:] if r and r[0] not in (None, "合计") and not str(r[0]).startswith("账本")]
    assert round(sum(r[3] for r in body), 2) == total_row[3]
    from center.services.identity import load_user
    from center.tables import Staff
    manager = await load_user((await Staff.select(Staff.id).where(Staff.username == "manager").first())["id"])
    view = await dining.month_view(manager, None, local_today().replace(day=1))
    assert round(view["ledger_total_fen"] / 100, 2) == total_row[3]
    assert next(r for r in rows if r[0] and str(r[0]).startswith("账本"))[2] == "一致"
    for row in book["明细"].iter_rows(min_row=2, values_only=True):
        assert not re.fullmatch(r"\d{17}[\dX]", str(row[5] or ""))


async def test_closing_a_month_from_the_page(client, db):
    await load_demo(db)
    await login(client, "manager", DEMO_PASSWORD)
    token = await csrf_token(client, "/dining/months")
    this_month = local_today().strftime("%Y-%m")
    refused = await client.post("/dining/months/close", data={"_csrf_token": token, "month": this_month})
    assert "只能结账已经结束的月份" in refused.text
    await logout(client)
