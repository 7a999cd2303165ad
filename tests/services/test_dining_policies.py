"""Dining policies on a real database (issue #16): a Tianjin-like per-meal policy pays from its funds, caps are
counted across canteens and voids, a meal beyond a cap is still sold, a senior in no scheme is refused, a yearly
allowance from another fund returns there at year end, and the month reports the subsidy per fund.

Each test dates its policy in a year of its own: versions are append-only and shared by the module's tests."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook

from center.domain.ledger import LedgerError, fund, operating, receivable
from center.domain.policy import NotEligible
from center.services.dining.allowances import allowance_figures, grant_due, year_end
from center.services.dining.checks import verify_ledger
from center.services.dining.meals import record_meal, void_meal
from center.services.dining.months import close_month, month_view, month_xlsx
from center.tables import LedgerPosting, Meal
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, make_canteen, make_policy, make_senior, make_staff

TIANJIN = """
effective = 2000-01-01
name = "天津式"
[[scheme]]
name = "高龄每餐补贴"
min_age = 80
pays = "per_meal"
amount_fen = 300
max_meals_per_day = 2
max_meals_per_week = 5
kinds = ["lunch", "dinner"]
source = "区财政"
[[scheme]]
name = "困难老人每餐补贴"
min_age = 60
categories = ["低保", "特困"]
pays = "per_meal"
amount_fen = 500
max_meals_per_day = 2
source = "福彩公益金"
"""


@pytest.fixture
async def canteen(db):
    canteen = await make_canteen(name="政策食堂")
    manager = await as_user(await make_staff(db, role="manager", center=canteen["center"]))
    return {**canteen, "manager": manager}


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


async def eat(canteen_id, senior, key, day, kind="lunch", price=1500, hour=12):
    when = at(day, hour)
    return await record_meal(canteen_id, card_no=senior["card_no"], kind=kind, price_fen=price, eaten_at=when,
                             idempotency_key=key, now=when + timedelta(minutes=1))


async def test_a_per_meal_policy_pays_from_its_fund_and_a_meal_beyond_a_cap_is_sold_at_full_price(canteen):
    await make_policy(date(2042, 1, 1), TIANJIN)
    monday = date(2042, 3, 3)  # 2042-03-03 is a Monday
    old = await make_senior(canteen["center"], birth_date=date(1955, 1, 1))  # 87
    first = await eat(canteen["id"], old, "tj1", monday)
    assert (first.subsidy_fen, first.paid_fen) == (300, 1200)
    postings = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
        LedgerPosting.txn == (await Meal.select(Meal.txn).where(Meal.id == first.meal_id).first())["txn"])
    assert {p["account"]: p["amount_fen"] for p in postings} == {fund(2042): -300, receivable(canteen["id"]): 300}
    breakfast = await eat(canteen["id"], old, "tj2", monday, kind="breakfast", price=500, hour=8)
    assert (breakfast.subsidy_fen, breakfast.paid_fen) == (0, 500)  # the scheme does not cover breakfast
    other = (await make_canteen(canteen["center"], name="另一食堂"))["id"]
    second = await eat(other, old, "tj3", monday, kind="dinner", hour=18)  # a second canteen counts too
    third = await eat(canteen["id"], old, "tj4", monday, kind="dinner", price=1200, hour=19)
    assert (second.subsidy_fen, third.subsidy_fen, third.paid_fen) == (300, 0, 1200)  # two a day
    for offset, key in ((1, "tj5"), (2, "tj6"), (3, "tj7")):
        assert (await eat(canteen["id"], old, key, monday + timedelta(days=offset))).subsidy_fen == 300
    assert (await eat(canteen["id"], old, "tj8", monday + timedelta(days=4))).subsidy_fen == 0  # five a week
    assert (await eat(canteen["id"], old, "tj9", monday + timedelta(days=7))).subsidy_fen == 300  # a new week
    assert await verify_ledger() == []


async def test_a_voided_meal_gives_its_place_under_the_cap_back(canteen):
    await make_policy(date(2043, 1, 1), TIANJIN)
    day = date(2043, 5, 4)
    old = await make_senior(canteen["center"], birth_date=date(1950, 2, 2))
    lunch = await eat(canteen["id"], old, "v1", day)
    await eat(canteen["id"], old, "v2", day, kind="dinner", hour=18)
    await void_meal(canteen["id"], lunch.meal_id, today=day, reason="误刷", now=at(day, 18))
    assert (await eat(canteen["id"], old, "v3", day, kind="dinner", hour=19)).subsidy_fen == 300


async def test_the_hardship_scheme_pays_more_and_a_senior_in_no_scheme_is_refused(canteen):
    await make_policy(date(2044, 1, 1), TIANJIN)
    day = date(2044, 6, 6)
    poor_and_old = await make_senior(canteen["center"], birth_date=date(1960, 1, 1), categories=["低保"])  # 84
    best = await eat(canteen["id"], poor_and_old, "h1", day)
    assert best.subsidy_fen == 500  # 5 yuan as 低保 beats 3 yuan as 80+
    young = await make_senior(canteen["center"], birth_date=date(1970, 1, 1))  # 74, no category
    with pytest.raises(NotEligible, match="未满 80 周岁"):
        await eat(canteen["id"], young, "h2", day)
    assert isinstance(NotEligible("x"), LedgerError)  # the terminal API's 422, as before


async def test_the_month_reports_the_subsidy_per_fund_in_the_view_and_the_workbook(canteen):
    await make_policy(date(2045, 1, 1), TIANJIN)
    day = date(2045, 4, 10)
    old = await make_senior(canteen["center"], birth_date=date(1950, 1, 1))
    poor = await make_senior(canteen["center"], birth_date=date(1980, 1, 1), categories=["特困"])  # 65
    await eat(canteen["id"], old, "m1", day)
    await eat(canteen["id"], old, "m2", day, kind="dinner", hour=18)
    await eat(canteen["id"], poor, "m3", day)
    view = await month_view(canteen["manager"], canteen["id"], date(2045, 4, 1))
    assert view["by_source"] == [{"source": "区财政", "meals": 2, "subsidy_fen": 600},
                                 {"source": "福彩公益金", "meals": 1, "subsidy_fen": 500}]
    export = await month_xlsx(canteen["manager"], canteen["id"], date(2045, 4, 1))
    sheet = load_workbook(io.BytesIO(export.content))["按资金来源"]
    rows = [[c.value for c in row] for row in sheet.iter_rows() if row[0].value in ("区财政", "福彩公益金", "合计")]
    assert [(r[0], r[1], float(r[2])) for r in rows] == [("区财政", 2, 6.0), ("福彩公益金", 1, 5.0), ("合计", 3, 11.0)]


STREET_ALLOWANCE = """
effective = 2000-01-01
year_end = "expire"
[[scheme]]
name = "街道年度额度"
min_age = 70
pays = "yearly_allowance"
amount_fen = 10000
cap_per_meal_fen = 500
source = "街道"
"""


async def test_a_yearly_allowance_from_another_fund_is_granted_from_it_and_expires_back_to_it(canteen):
    await make_policy(date(2046, 1, 1), STREET_ALLOWANCE)
    senior = await make_senior(canteen["center"], birth_date=date(1970, 3, 1))  # 76 on 1 January 2046
    too_young = await make_senior(canteen["center"], birth_date=date(1980, 3, 1))  # 66: not in the scheme
    await grant_due(date(2046, 1, 1))
    assert (await allowance_figures(senior["id"], 2046))["granted_fen"] == 10000
    assert (await allowance_figures(too_young["id"], 2046))["granted_fen"] == 0
    meal = await eat(canteen["id"], senior, "s1", date(2046, 2, 3))
    assert (meal.subsidy_fen, meal.balance_fen) == (500, 9500)
    view = await month_view(canteen["manager"], canteen["id"], date(2046, 2, 1))
    assert view["by_source"] == [{"source": "街道", "meals": 1, "subsidy_fen": 500}]
    await year_end(2046)
    funds = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
        LedgerPosting.account.is_in([fund(2046, "街道"), fund(2046)]) & (LedgerPosting.txn.senior == senior["id"]))
    assert sorted((p["account"], p["amount_fen"]) for p in funds) == [
        (fund(2046, "街道"), -10000), (fund(2046, "街道"), 9500)]  # granted from 街道, the rest went back there
    assert await verify_ledger() == []


OPERATING = TIANJIN.replace('name = "天津式"\n', 'name = "天津式"\n[operating]\nper_meal_fen = 100\nmonthly_fen = 50000\nsource = "区财政"\n')


async def test_the_operating_subsidy_shows_before_the_close_and_is_posted_once_at_it(canteen):
    await make_policy(date(2047, 1, 1), OPERATING)
    day = date(2047, 3, 10)
    old = await make_senior(canteen["center"], birth_date=date(1950, 1, 1))
    young = await make_senior(canteen["center"], birth_date=date(1975, 1, 1), categories=["特困"])
    await eat(canteen["id"], old, "o1", day)
    await eat(canteen["id"], old, "o2", day, kind="breakfast", price=500, hour=8)  # no subsidy, still served
    voided = await eat(canteen["id"], young, "o3", day)
    await void_meal(canteen["id"], voided.meal_id, today=day, reason="误刷", now=at(day, 13))
    march = date(2047, 3, 1)
    before = await month_view(canteen["manager"], canteen["id"], march)
    assert before["operating"]["by_canteen"][canteen["id"]] == {"amount_fen": 50000 + 2 * 100, "posted": False}
    await close_month(canteen["manager"], march, date(2047, 4, 2), canteen["id"])
    after = await month_view(canteen["manager"], canteen["id"], march)
    assert after["operating"]["by_canteen"][canteen["id"]] == {"amount_fen": 50200, "posted": True}
    assert after["totals"]["subsidy_fen"] == after["ledger_total_fen"]  # the meal reconciliation stays exact
    posted = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
        LedgerPosting.account == operating(canteen["id"]))
    assert [p["amount_fen"] for p in posted] == [50200]
    sheet = load_workbook(io.BytesIO((await month_xlsx(canteen["manager"], canteen["id"], march)).content))["运营补贴"]
    assert any(row[0].value == "政策食堂" and float(row[1].value) == 502.0 and row[2].value == "已入账"
               for row in sheet.iter_rows())
    assert await verify_ledger() == []
