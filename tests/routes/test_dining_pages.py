"""The canteen desk and the manager's month over HTTP: forms with and without htmx, close, Excel 台账."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from center.config import DEMO_PASSWORD
from center.services.dining import policies
from center.services.dining.allowances import allowance_figures
from center.services.dining.meals import record_meal
from center.services.dining.months import month_view
from center.services.dining.registry import operator_canteen, senior_by_card
from center.timeutil import local_today
from center.tables import Meal
from tests.factories import csrf_token, load_demo, login, logout

HTMX = {"hx-request": "true", "hx-target": "desk"}


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
async def operator_client(client, db):
    await load_demo(db)
    await login(client, "canteen", DEMO_PASSWORD)
    return client


async def meal_form(client, card):
    page = soup(await client.get(f"/dining?card={card}"))
    form = page.select_one("form.meal-form")
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}, page


async def test_desk_records_a_meal_once_even_when_pressed_twice(operator_client):
    hidden, page = await meal_form(operator_client, "D0200")
    senior = await senior_by_card("D0200")
    meals_before = await Meal.count().where(Meal.senior == senior["id"])
    assert "今年余额" in page.select_one(".balance").get_text()
    assert "D0200" in page.text and not re.search(r"\d{17}[\dX]", page.text)
    data = {**hidden, "kind": "lunch", "price": "15.00"}
    first = await operator_client.post("/dining/meals", data=data, headers=HTMX)
    assert first.status_code == 200 and "<html" not in first.text
    result = soup(first).select_one(".meal-result").get_text()
    second = await operator_client.post("/dining/meals", data=data, headers=HTMX)  # the same key: a double press
    assert soup(second).select_one(".meal-result").get_text() == result
    assert await Meal.count().where((Meal.senior == senior["id"]) & (Meal.idempotency_key == hidden["key"])) == 1
    # Another key (the card entered again) for another lunch today: the desk asks, records nothing. (Cards with
    # n % 3 != 0 belong to other centers: the demo gives them no meal at this canteen today.)
    plain = await operator_client.post("/dining/meals", data={**data, "key": "another-key"}, follow_redirects=False)
    assert plain.status_code == 409
    question = soup(plain)
    assert "今天已记过午餐，确定再记一餐？" in question.select_one("[role=alert]").get_text()
    assert await Meal.count().where(Meal.senior == senior["id"]) == meals_before + 1
    again = {i["name"]: i.get("value", "") for i in question.select("form.meal-form input[type=hidden]")}
    assert again["repeat"] == "1" and again["key"] == "another-key"
    confirmed = await operator_client.post("/dining/meals", data=again, follow_redirects=False)
    assert confirmed.status_code == 302 and re.fullmatch(r"/dining\?canteen=\d+&meal=\d+", confirmed.headers["location"])
    assert await Meal.count().where(Meal.senior == senior["id"]) == meals_before + 2


async def test_after_recording_the_desk_is_ready_for_the_next_card(operator_client):
    hidden, _ = await meal_form(operator_client, "D0203")
    response = await operator_client.post("/dining/meals", data={**hidden, "kind": "dinner", "price": "12.00"},
                                       headers=HTMX)
    page = soup(response)
    card = page.select_one("input#card")
    assert card.get("value", "") == "" and card.has_attr("autofocus")
    assert page.select_one("form.meal-form") is None  # no button left to press a second time
    assert "D0203" in page.select_one(".meal-result").get_text()
    assert re.fullmatch(r"/dining\?canteen=\d+&meal=\d+", response.headers["hx-replace-url"])
    # Without JavaScript the redirect shows the same result, large.
    plain = soup(await operator_client.get(response.headers["hx-replace-url"]))
    assert plain.select_one(".meal-result strong").get_text() == page.select_one(".meal-result strong").get_text()
    assert plain.select_one("input#card").get("value", "") == ""


@pytest.mark.parametrize(("kind", "price", "price_kind", "posted"), [
    ("lunch", "5.00", "breakfast", 1500),     # the form filled for 早餐, 午餐 chosen without JavaScript
    ("breakfast", "15.00", "lunch", 500),
    ("dinner", "15.00", "lunch", 1200),
    ("lunch", "8.00", "breakfast", 800),      # a price typed deliberately is kept
])
async def test_the_price_follows_the_posted_kind_without_javascript(operator_client, kind, price, price_kind, posted):
    card = {"lunch": "D0208", "breakfast": "D0205", "dinner": "D0206"}[kind] if price != "8.00" else "D0209"
    hidden, page = await meal_form(operator_client, card)
    menu = {r["value"]: r["data-price"] for r in page.select("form.meal-form input[name=kind]")}
    assert menu == {"breakfast": "5.00", "lunch": "15.00", "dinner": "12.00"}
    response = await operator_client.post("/dining/meals", data={**hidden, "kind": kind, "price": price,
                                                              "price_kind": price_kind}, follow_redirects=False)
    assert response.status_code == 302
    meal_id = int(response.headers["location"].rsplit("=", 1)[1])
    row = await Meal.select(Meal.kind, Meal.price_fen).where(Meal.id == meal_id).first()
    assert row == {"kind": kind, "price_fen": posted}


@pytest.mark.parametrize(("price", "message"), [("", "请填写餐费"), ("abc", "餐费须为数字"), ("1.234", "两位小数"),
                                                ("5000", "不能超过")])
async def test_desk_refuses_bad_amounts_in_chinese(operator_client, price, message):
    """At the price field (marked, with the focus), not only at the top; what was typed stays in it."""
    hidden, _ = await meal_form(operator_client, "D0201")
    response = await operator_client.post("/dining/meals", data={**hidden, "kind": "lunch", "price": price})
    page = soup(response)
    assert response.status_code == 422 and message in page.select_one("#price-error").get_text()
    field = page.select_one("form.meal-form input[name=price]")
    assert field["aria-invalid"] == "true" and field.has_attr("autofocus") and field["value"] == price


@pytest.mark.parametrize(("card", "price", "fen"), [("D0204", "150", 15000), ("D0207", "0.50", 50)])
async def test_an_unusual_price_asks_before_it_is_recorded(operator_client, card, price, fen):
    hidden, _ = await meal_form(operator_client, card)
    senior = await senior_by_card(card)
    before = await Meal.count().where(Meal.senior == senior["id"])
    asked = await operator_client.post("/dining/meals", data={**hidden, "kind": "dinner", "price": price})
    step = soup(asked).select_one("[role=alertdialog]")
    assert asked.status_code == 200 and "确定按这个价格记录" in step.get_text() and price in step.get_text()
    assert await Meal.count().where(Meal.senior == senior["id"]) == before
    fields = {i["name"]: i["value"] for i in step.select("input[type=hidden]")}
    again = await operator_client.post("/dining/meals", data={**fields, "confirm": "0"})  # 修改价格
    field = soup(again).select_one("form.meal-form input[name=price]")
    assert field["value"] == price and field.has_attr("autofocus")
    done = await operator_client.post("/dining/meals", data={**fields, "confirm": "1"}, follow_redirects=False)
    assert done.status_code == 302
    meal_id = int(done.headers["location"].rsplit("=", 1)[1])
    assert (await Meal.select(Meal.price_fen).where(Meal.id == meal_id).first())["price_fen"] == fen


async def test_unknown_and_young_cards_at_the_desk(operator_client):
    unknown = soup(await operator_client.get("/dining?card=XX99"))
    assert "没有这张就餐卡" in unknown.select_one("[role=alert]").get_text()
    young = soup(await operator_client.get("/dining?card=D0499"))
    assert "未满 65 周岁" in young.text and young.select_one("form.meal-form") is None


async def test_a_void_asks_first_and_keeps_its_reason(operator_client):
    hidden, _ = await meal_form(operator_client, "D0202")
    senior = await senior_by_card("D0202")
    before = (await allowance_figures(senior["id"], local_today().year))["balance_fen"]
    await operator_client.post("/dining/meals", data={**hidden, "kind": "lunch", "price": "15"}, headers=HTMX)
    page = soup(await operator_client.get("/dining?card=D0202"))
    row = next(tr for tr in page.select(".desk-today tbody tr") if "D0202" in tr.get_text())
    form = row.select_one("form[action$='/void']")
    fields = {i["name"]: i.get("value", "") for i in form.select("input")}
    # A plain post without confirm=1 answers with the question; nothing is reversed yet.
    question = await operator_client.post(form["action"], data=fields)
    assert question.status_code == 200 and "撤销这笔就餐？" in question.text
    assert (await allowance_figures(senior["id"], local_today().year))["balance_fen"] == before - 1500
    # htmx: the question in place (the desk block), the first reason focused.
    asked = soup(await operator_client.post(form["action"], data=fields, headers=HTMX))
    assert asked.select_one("h2#void-question") and asked.select_one("html") is None
    assert asked.select_one("input[name=reason]").has_attr("autofocus")
    confirm = {i["name"]: i.get("value", "") for i in asked.select("form[action$='/void'] input[type=hidden]")}
    assert confirm["confirm"] == "1"
    no_reason = await operator_client.post(form["action"], data={**confirm, "note": "写了说明"}, headers=HTMX)
    assert no_reason.status_code == 422 and "请选择撤销原因" in soup(no_reason).select_one("[role=alert]").get_text()
    assert soup(no_reason).select_one("input[name=note]")["value"] == "写了说明"  # what was typed stays
    done = await operator_client.post(form["action"], data={**confirm, "reason": "重复记录", "note": ""},
                                   follow_redirects=True)
    assert "已撤销" in done.text and "重复记录" in done.text
    after = (await allowance_figures(senior["id"], local_today().year))["balance_fen"]
    assert after == before
    listed = soup(await operator_client.get("/dining"))
    row = next(tr for tr in listed.select(".desk-today tbody tr") if "D0202" in tr.get_text())
    assert "已撤销 · 重复记录" in row.get_text() and row.select_one("form") is None
    account = soup(await operator_client.get(f"/dining/seniors/{senior['id']}"))
    assert "原因：重复记录" in account.select_one("table").get_text()


async def test_canteen_operators_cannot_open_manager_pages(operator_client):
    for path in ("/dining/months", "/dining/devices", "/counter", "/rosters"):
        assert (await operator_client.get(path)).status_code == 403, path


async def test_month_view_export_matches_the_ledger(client, db):
    await load_demo(db)
    await login(client, "manager", DEMO_PASSWORD)
    month = local_today().strftime("%Y-%m")
    page = soup(await client.get(f"/dining/months?month={month}"))
    assert page.select("svg.chart rect")
    export = await client.get(f"/dining/months/export.xlsx?month={month}")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames[:4] == ["汇总", "明细", "按日", "按餐别"]
    assert {"按核验方式", "按资金来源"} <= set(book.sheetnames)
    rows = list(book["汇总"].iter_rows(values_only=True))
    total_row = next(r for r in rows if r[0] == "合计")
    body = [r for r in rows[3:] if r and r[0] not in (None, "合计") and not str(r[0]).startswith("账本")]
    assert len(body) == 4  # the manager's center: its four canteens
    assert round(sum(r[3] for r in body), 2) == total_row[3]
    from center.services.identity import load_user
    from center.tables import Staff
    manager = await load_user((await Staff.select(Staff.id).where(Staff.username == "manager").first())["id"])
    view = await month_view(manager, None, local_today().replace(day=1))
    assert round(view["ledger_total_fen"] / 100, 2) == total_row[3]
    assert next(r for r in rows if r[0] and str(r[0]).startswith("账本"))[5] == "一致"
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


async def test_closing_one_canteen_asks_first_and_keeps_the_filter(client, db):
    """结账 on one canteen's view names that canteen and month, closes only it, and comes back to the same view."""
    from center.tables import Canteen, ClosedCanteenMonth

    await load_demo(db)
    await login(client, "manager", DEMO_PASSWORD)
    canteen = await Canteen.select(Canteen.id, Canteen.name).where(Canteen.code == "C02").first()
    last = (local_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    view = soup(await client.get(f"/dining/months?month={last}&canteen={canteen['id']}"))
    form = view.select_one("#month-close form")
    fields = {i["name"]: i.get("value", "") for i in form.select("input")}
    assert fields["canteen"] == str(canteen["id"]) and canteen["name"] in form.get_text()
    # The first press only asks (in place with htmx; a page of its own without).
    asked = await client.post("/dining/months/close", data=fields, headers={"hx-request": "true", "hx-target": "month-close"})
    question = soup(asked)
    assert asked.status_code == 200 and question.select_one("html") is None
    assert f"确认结账 {last[:4]} 年 {int(last[5:])} 月" in question.get_text()
    assert [li.get_text() for li in question.select(".close-list li")] == [canteen["name"]]
    assert question.select_one("button[autofocus]").get_text() == "确认结账"
    assert not await ClosedCanteenMonth.exists()
    plain = soup(await client.post("/dining/months/close", data=fields))
    assert plain.select_one("html") is not None and plain.select_one(".close-list")
    confirm = {i["name"]: i.get("value", "") for i in question.select("form input")}
    done = await client.post("/dining/months/close", data=confirm, follow_redirects=False)
    assert done.status_code == 302 and done.headers["location"] == f"/dining/months?month={last}&canteen={canteen['id']}"
    closed = await ClosedCanteenMonth.select(ClosedCanteenMonth.canteen).where(
        ClosedCanteenMonth.month == date.fromisoformat(last + "-01"))
    assert [r["canteen"] for r in closed] == [canteen["id"]]
    after = soup(await client.get(done.headers["location"]))
    assert f"已结账 {last[:4]} 年 {int(last[5:])} 月：{canteen['name']}" in after.select_one(".flash-success").get_text()
    assert after.select_one("h1 .badge-ok") and after.select_one("#month-close form") is None
    whole = soup(await client.get(f"/dining/months?month={last}"))
    assert whole.select_one("h1 .badge-ok") is None  # the other canteens of the center are still open
    await logout(client)


async def test_the_manager_reads_the_policy_in_force_and_its_history_but_cannot_load_one(client, db):
    await load_demo(db)
    await login(client, "manager", DEMO_PASSWORD)
    page = soup(await client.get("/dining/policy"))
    current = page.select_one("#policy-current")
    assert "现行政策" in current.select_one("h2").get_text()
    row = current.select_one("tr[data-scheme]")
    assert "65 周岁以上" in row.get_text() and "200.00 元" in row.get_text() and "区财政" in row.get_text()
    assert page.select("table.policy-history tbody tr")  # the migrated version at least
    assert page.select_one("#policy-load") is None and "由区级管理员载入" in page.get_text()
    token = await csrf_token(client, "/dining/policy")
    refused = await client.post("/dining/policy/check", data={"_csrf_token": token, "policy_text": TIANJIN})
    assert refused.status_code == 403
    await logout(client)


TIANJIN = (Path(__file__).parents[2] / "center/demo/policies/tianjin.toml").read_text(encoding="utf-8")


async def test_the_admin_checks_a_file_then_confirms_and_it_governs_from_its_date(admin_client):
    token = await csrf_token(admin_client, "/dining/policy")
    text = TIANJIN.replace("effective = 2026-12-09", "effective = 2039-01-01")
    checked = await admin_client.post("/dining/policy/check", data={"_csrf_token": token},
                                      files={"file": ("tianjin.toml", text.encode(), "text/plain")})
    assert checked.status_code == 200
    page = soup(checked)
    assert "检查通过" in page.select_one("#policy-checked h2").get_text()
    assert [r["data-scheme"] for r in page.select("#policy-checked tr[data-scheme]")] == ["高龄每餐补贴", "困难老人每餐补贴"]
    assert not [v for v in await policies.versions() if v["effective"] == date(2039, 1, 1)]  # nothing loaded yet
    form = page.select_one("#policy-checked form")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    loaded = await admin_client.post(form["action"], data=fields)
    assert loaded.status_code == 200 and "补贴政策已载入，自 2039 年 1 月 1 日起生效" in soup(loaded).get_text()
    assert (await policies.policy_on(date(2039, 1, 1))).schemes[0].name == "高龄每餐补贴"
    assert (await policies.policy_on(date(2038, 12, 31))).schemes[0].pays == "yearly_allowance"
    later = soup(await admin_client.get("/dining/policy?on=2039-01-02"))
    assert "高龄每餐补贴" in later.select_one("#policy-current").get_text()


async def test_a_refused_policy_lists_every_problem_and_keeps_the_text(admin_client):
    token = await csrf_token(admin_client, "/dining/policy")
    bad = 'effective = 2039-06-01\n[[scheme]]\nname = "A"\npays = "per_meal"\namount_fen = 500\ncap_per_meal_fen = 300\n'
    refused = await admin_client.post("/dining/policy/check", data={"_csrf_token": token, "policy_text": bad})
    assert refused.status_code == 422
    page = soup(refused)
    problems = [li.get_text() for li in page.select("#policy-problems li")]
    assert any("每餐上限 3.00 元低于每餐补贴 5.00 元" in p for p in problems)
    assert any("资金来源" in p for p in problems)
    assert page.select_one("textarea[name=policy_text]").get_text() == bad  # nothing lost
    past = await admin_client.post("/dining/policy", data={
        "_csrf_token": token, "policy_text": TIANJIN.replace("effective = 2026-12-09", "effective = 2020-01-01")})
    assert past.status_code == 422 and "不能追溯" in soup(past).select_one("#policy-problems").get_text()


async def test_an_operator_opens_only_the_accounts_looked_up_at_the_desk_and_sees_only_its_canteen(operator_client):
    """Issue #11, finding 4: an operator read any senior's page in the district (sequential ids), with the meals at
    other centers' canteens. Now only a card looked up at the desk opens its account, and the rows there are the
    grants and this canteen's meals; the balance stays the account's."""
    from center.services.identity import load_user
    from center.tables import Canteen, LedgerTxn, Senior, Staff

    operator = await load_user((await Staff.select(Staff.id).where(Staff.username == "canteen").first())["id"])
    own = await operator_canteen(operator)
    other = await Canteen.select(Canteen.id).where(Canteen.id != own).first()
    senior = await senior_by_card("D0200")
    stranger = await Senior.select(Senior.id).where(Senior.card_no == "D0003").first()
    await record_meal(other["id"], card_no="D0200", kind="breakfast", price_fen=500, eaten_at=None,
                      idempotency_key="eaten-elsewhere", repeat_confirmed=True)

    for path in (f"/dining/seniors/{stranger['id']}", f"/dining/seniors/{senior['id']}",
                 f"/dining/seniors/{senior['id']}/statement", "/dining/seniors"):
        refused = await operator_client.get(path)
        assert refused.status_code == 403 and "请回到助餐台查询" in refused.text, path
    assert "老人登记" not in soup(await operator_client.get("/dining")).select_one(".dining-tabs").get_text()

    desk = soup(await operator_client.get("/dining?card=D0200"))
    link = desk.find("a", string=re.compile("账户明细与对账单"))["href"]
    account = await operator_client.get(link)
    assert account.status_code == 200
    rows = [r.get_text(" ", strip=True) for r in soup(account).select("main table tbody tr")]
    txns = await LedgerTxn.select(LedgerTxn.canteen).where(
        (LedgerTxn.senior == senior["id"]) & (LedgerTxn.year == local_today().year))
    elsewhere = sum(1 for t in txns if t["canteen"] not in (None, own))
    folded = [r for r in rows if "其他助餐点记录" in r]
    assert elsewhere >= 1 and folded and len(rows) == len(txns) - elsewhere + len(folded)
    assert sum(int(re.search(r"记录 (\d+) 笔", r).group(1)) for r in folded) == elsewhere
    assert f"另有 {elsewhere} 笔在其他助餐点的记录未列出明细" in account.text
    # Every balance shown follows from the row above it: the folded rows carry their sum (an operator read the
    # account as wrong when rows were only left out).
    cells = [[c.get_text(strip=True) for c in r.select("td")] for r in soup(account).select("main table tbody tr")]
    fen = [(round(float(c[5].replace(",", "")) * 100), round(float(c[6].replace(",", "")) * 100)) for c in cells]
    assert all(prev[1] + row[0] == row[1] for prev, row in zip(fen, fen[1:])) and fen[0][0] == fen[0][1]
    figures = await allowance_figures(senior["id"], local_today().year)
    assert f"{figures['balance_fen'] // 100}.{figures['balance_fen'] % 100:02d}" in soup(account).select_one(
        ".big-numbers").get_text()
    assert (await operator_client.get(f"/dining/seniors/{senior['id']}/statement")).status_code == 200
    assert (await operator_client.get(f"/dining/seniors/{stranger['id']}")).status_code == 403  # still not looked up


async def test_a_month_is_closed_only_where_the_closer_has_authority(client, db):
    """Issue #11, finding 4: a center's manager closes its own canteens only, never another center's and never the
    district's month; an operator closes nothing. Each refused with 403, and nothing closed."""
    from center.tables import Canteen, Center, ClosedCanteenMonth, ClosedMonth

    await load_demo(db)
    last = (local_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    daxi = await Center.select(Center.id).where(Center.slug == "daxi").first()
    foreign = await Canteen.select(Canteen.id).where(Canteen.center != daxi["id"]).first()
    month = date.fromisoformat(last + "-01")

    async def closed_now():
        return ({r["canteen"] for r in await ClosedCanteenMonth.select(ClosedCanteenMonth.canteen).where(
            ClosedCanteenMonth.month == month)}, await ClosedMonth.exists().where(ClosedMonth.month == month))

    before = await closed_now()

    await login(client, "canteen", DEMO_PASSWORD)
    token = await csrf_token(client, "/dining")
    refused = await client.post("/dining/months/close", data={"_csrf_token": token, "month": last, "confirm": "1"})
    assert refused.status_code == 403 and await closed_now() == before
    await logout(client)

    await login(client, "manager", DEMO_PASSWORD)
    token = await csrf_token(client, f"/dining/months?month={last}")
    refused = await client.post("/dining/months/close", data={"_csrf_token": token, "month": last,
                                                               "canteen": str(foreign["id"]), "confirm": "1"})
    assert refused.status_code == 403 and "只能结账本中心的助餐点" in refused.text
    assert await closed_now() == before

    done = await client.post("/dining/months/close", data={"_csrf_token": token, "month": last, "confirm": "1"},
                             follow_redirects=False)
    assert done.status_code == 302
    closed, district = await closed_now()
    own = {r["id"] for r in await Canteen.select(Canteen.id).where(Canteen.center == daxi["id"])}
    assert closed == before[0] | own and foreign["id"] not in closed
    assert district is False  # the district's month stays open: closing it is the admin's
    await logout(client)


async def test_an_operator_not_bound_to_a_canteen_is_told_what_to_do(client, db):
    """After login the operator lands on the desk: a page saying the account has no canteen yet (200), not a 403;
    asking for a canteen by number, or posting a meal, is still refused."""
    from tests.factories import make_staff

    operator = await make_staff(db, role="canteen")
    await login(client, operator["username"])
    desk = await client.get("/dining")
    assert desk.status_code == 200 and "该账号未绑定助餐点" in soup(desk).select_one("main").get_text()
    assert (await client.get("/dining?canteen=1")).status_code == 403
    token = await csrf_token(client, "/dining")
    refused = await client.post("/dining/meals", data={"_csrf_token": token, "card": "D0001", "kind": "lunch",
                                                       "price": "15", "key": "unbound-1"})
    assert refused.status_code == 403
    await logout(client)


async def test_the_manager_uploads_the_registry_and_a_bad_sheet_lists_its_rows(manager_client, db):
    from center.domain.senior_import import SENIOR_HEADER
    from center.tables import Senior
    from tests.factories import id_number, xlsx_bytes

    slug = "daxi"  # the demo manager's center
    token = await csrf_token(manager_client, "/dining/seniors")
    bad = xlsx_bytes(SENIOR_HEADER, [["甲", id_number(date(1944, 4, 4), 931), "", slug, "", "R0931"],
                                     ["乙", "370000", "", slug, "", "R0932"]])
    refused = await manager_client.post("/dining/seniors/import", data={"_csrf_token": token},
                                        files={"file": ("名册.xlsx", bad, "application/octet-stream")})
    assert refused.status_code == 422
    errors = [li.get_text() for li in soup(refused).select("#import-errors li")]
    assert len(errors) == 1 and errors[0].startswith("第 3 行：身份证号")
    assert not await Senior.exists().where(Senior.card_no == "R0931")
    good = xlsx_bytes(SENIOR_HEADER, [["甲", id_number(date(1944, 4, 4), 931), "", slug, "低保", "R0931"]])
    done = await manager_client.post("/dining/seniors/import", data={"_csrf_token": token},
                                     files={"file": ("名册.xlsx", good, "application/octet-stream")})
    assert done.status_code == 200 and "导入完成：共 1 行：新登记 1 人" in soup(done).get_text()
    assert await Senior.exists().where(Senior.card_no == "R0931")
