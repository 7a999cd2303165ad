"""The dining ledger on a real database: meals, replays, conflicts, voids, grants, year end, month close."""

import asyncio
from datetime import date, datetime, time, timedelta

import pytest

from center.domain import AccessDenied, NotFound
from center.domain.ledger import IdempotencyConflict, LedgerError
from center.domain.meals import RepeatMeal
from center.services.dining.allowances import allowance_figures, grant_due, year_end
from center.services.dining.checks import verify_ledger
from center.services.dining.meals import meals_of_day, record_meal, void_meal
from center.services.dining.months import close_month, closed_canteens, month_view, plan_close, senior_view
from center.tables import ClosedCanteenMonth, ClosedMonth, LedgerPosting, LedgerTxn, Meal
from center.timeutil import LOCAL_TZ, utcnow
from tests.factories import as_user, make_canteen, make_center, make_policy, make_senior, make_staff

TODAY = date(2026, 11, 24)
NOON = datetime.combine(TODAY, time(12), tzinfo=LOCAL_TZ)


@pytest.fixture
async def canteen(db):
    canteen = await make_canteen(name="测试食堂")
    manager = await as_user(await make_staff(db, role="manager", center=canteen["center"]))
    return {**canteen, "manager": manager}


async def meal(canteen, senior, key, price=1500, kind="lunch", at=NOON):
    return await record_meal(canteen["id"], card_no=senior["card_no"], kind=kind, price_fen=price, eaten_at=at,
                             idempotency_key=key, now=at + timedelta(minutes=1))


async def test_a_meal_deducts_and_a_replay_deducts_nothing(canteen):
    senior = await make_senior(canteen["center"], granted_on=TODAY)
    first = await meal(canteen, senior, "k1")
    assert (first.subsidy_fen, first.paid_fen, first.balance_fen) == (1500, 0, 18500)
    for _ in range(5):
        again = await meal(canteen, senior, "k1")
        assert again.replay and (again.meal_id, again.balance_fen) == (first.meal_id, 18500)
    with pytest.raises(IdempotencyConflict):
        await meal(canteen, senior, "k1", price=2000)
    assert await Meal.count().where(Meal.senior == senior["id"]) == 1
    assert await verify_ledger() == []


async def test_fifty_concurrent_meals_exhaust_the_allowance_exactly(canteen):
    senior = await make_senior(canteen["center"], granted_on=TODAY)
    results = await asyncio.gather(*[meal(canteen, senior, f"c{i}") for i in range(50)])
    subsidies = sorted((r.subsidy_fen for r in results), reverse=True)
    assert subsidies[:13] == [1500] * 13 and subsidies[13] == 500 and set(subsidies[14:]) == {0}
    figures = await allowance_figures(senior["id"], 2026)
    assert figures == {"year": 2026, "granted_fen": 20000, "used_fen": 20000, "balance_fen": 0}
    assert await verify_ledger() == []


async def test_per_meal_cap(canteen):
    await make_policy(date(2040, 1, 1), cap_fen=800)  # a year of its own: policy versions are append-only
    senior = await make_senior(canteen["center"], granted_on=date(2040, 1, 2))
    at = datetime(2040, 1, 2, 12, tzinfo=LOCAL_TZ)
    result = await meal(canteen, senior, "cap1", price=1500, at=at)
    assert (result.subsidy_fen, result.paid_fen) == (800, 700)


async def test_unknown_card_under_65_and_bad_input_are_refused_in_chinese(canteen):
    young = await make_senior(canteen["center"], granted_on=TODAY, birth_date=date(1962, 12, 1))  # 64 on the meal date
    with pytest.raises(NotFound):
        await record_meal(canteen["id"], card_no="NOPE", kind="lunch", price_fen=1500, eaten_at=NOON, idempotency_key="x",
                          now=NOON)
    with pytest.raises(LedgerError, match="未满 65"):
        await meal(canteen, young, "y1")
    old = await make_senior(canteen["center"], granted_on=TODAY)
    for kwargs, message in (({"kind": "supper"}, "餐别"), ({"price": 0}, "价格"), ({"price": 200_000}, "价格")):
        with pytest.raises(LedgerError, match=message):
            await record_meal(canteen["id"], card_no=old["card_no"], kind=kwargs.get("kind", "lunch"),
                              price_fen=kwargs.get("price", 1500), eaten_at=NOON, idempotency_key="bad",
                              now=NOON + timedelta(minutes=1))
    with pytest.raises(LedgerError, match="晚于"):
        await record_meal(canteen["id"], card_no=old["card_no"], kind="lunch", price_fen=1500,
                          eaten_at=NOON + timedelta(hours=2), idempotency_key="future", now=NOON)
    with pytest.raises(LedgerError, match="幂等键"):
        await record_meal(canteen["id"], card_no=old["card_no"], kind="lunch", price_fen=1500, eaten_at=NOON,
                          idempotency_key="", now=NOON)


async def test_turning_65_mid_year_is_granted_on_the_birthday(canteen):
    senior = await make_senior(canteen["center"], birth_date=date(1961, 11, 30))
    assert "0 grants" in await grant_due(TODAY)
    assert "1 grants" in await grant_due(date(2026, 11, 30))
    assert "0 grants" in await grant_due(date(2026, 11, 30))
    assert (await allowance_figures(senior["id"], 2026))["granted_fen"] == 20000


async def test_void_same_day_restores_the_balance_and_only_once(canteen):
    senior = await make_senior(canteen["center"], granted_on=TODAY)
    result = await meal(canteen, senior, "v1")
    balance = await void_meal(canteen["id"], result.meal_id, today=TODAY, reason="重复记录")
    assert balance == 20000
    with pytest.raises(LedgerError, match="已撤销"):
        await void_meal(canteen["id"], result.meal_id, today=TODAY, reason="重复记录")
    later = await meal(canteen, senior, "v2")
    with pytest.raises(LedgerError, match="当天"):
        await void_meal(canteen["id"], later.meal_id, today=TODAY + timedelta(days=1), reason="重复记录")
    with pytest.raises(NotFound):
        await void_meal(canteen["id"] + 999, later.meal_id, today=TODAY, reason="重复记录")
    assert await verify_ledger() == []


async def test_ledger_rows_can_never_be_updated_or_deleted(canteen):
    senior = await make_senior(canteen["center"], granted_on=TODAY)
    await meal(canteen, senior, "imm")
    for table, column in ((LedgerTxn, LedgerTxn.memo), (LedgerPosting, LedgerPosting.account), (Meal, Meal.kind)):
        with pytest.raises(Exception, match="append-only"):
            await table.update({column: "changed"}).where(table.id > 0)
        with pytest.raises(Exception, match="append-only"):
            await table.delete().where(table.id > 0)


async def test_year_end_expires_or_carries_over_once(canteen):
    # Years of their own (2030, 2031) so the other tests' allowances of 2026 stay untouched.
    senior = await make_senior(canteen["center"])
    await grant_due(date(2030, 1, 1))
    at = datetime(2030, 3, 1, 12, tzinfo=LOCAL_TZ)
    await record_meal(canteen["id"], card_no=senior["card_no"], kind="lunch", price_fen=1500, eaten_at=at,
                      idempotency_key="ye1", now=at)
    assert "expired" in await year_end(2030)
    assert "0 allowances" in await year_end(2030)
    assert (await allowance_figures(senior["id"], 2030))["balance_fen"] == 0
    await make_policy(date(2031, 1, 1), year_end="carry")
    await grant_due(date(2031, 1, 1))
    assert "carried over" in await year_end(2031)
    assert (await allowance_figures(senior["id"], 2032))["balance_fen"] == 20000
    assert await verify_ledger() == []


async def test_a_closed_month_refuses_later_postings(canteen):
    senior = await make_senior(canteen["center"], granted_on=TODAY)
    october = datetime(2026, 10, 20, 12, tzinfo=LOCAL_TZ)
    await close_month(canteen["manager"], date(2026, 10, 1), TODAY)
    try:
        with pytest.raises(LedgerError, match="已结账"):
            await record_meal(canteen["id"], card_no=senior["card_no"], kind="lunch", price_fen=1500,
                              eaten_at=october, idempotency_key="late", now=datetime(2026, 11, 2, 9, tzinfo=LOCAL_TZ))
        with pytest.raises(LedgerError, match="已经结束"):
            await close_month(canteen["manager"], date(2026, 11, 1), TODAY)
    finally:
        pass
    assert await ClosedCanteenMonth.exists().where(
        (ClosedCanteenMonth.month == date(2026, 10, 1)) & (ClosedCanteenMonth.canteen == canteen["id"]))
    assert not await ClosedMonth.exists().where(ClosedMonth.month == date(2026, 10, 1))  # a manager's close is not the district's


async def second_canteen(canteen, name="第二食堂") -> int:
    return (await make_canteen(canteen["center"], name=name))["id"]


async def test_closing_one_canteen_leaves_the_others_open(canteen):
    """结账 on one canteen's view closes that canteen only (issue #10, point 5)."""
    other = await second_canteen(canteen)
    senior = await make_senior(canteen["center"], granted_on=TODAY)
    august = datetime(2026, 8, 20, 12, tzinfo=LOCAL_TZ)
    later = datetime(2026, 9, 2, 9, tzinfo=LOCAL_TZ)
    plan = await plan_close(canteen["manager"], date(2026, 8, 1), TODAY, canteen["id"])
    assert [c["id"] for c in plan.canteens] == [canteen["id"]] and not plan.district
    closed = await close_month(canteen["manager"], date(2026, 8, 1), TODAY, canteen["id"])
    assert [c["name"] for c in closed.canteens] == ["测试食堂"]
    with pytest.raises(LedgerError, match="已结账"):
        await record_meal(canteen["id"], card_no=senior["card_no"], kind="lunch", price_fen=1500,
                          eaten_at=august, idempotency_key="aug-closed", now=later)
    opened = await record_meal(other, card_no=senior["card_no"], kind="lunch", price_fen=1500,
                               eaten_at=august, idempotency_key="aug-open", now=later)
    assert opened.subsidy_fen == 1500
    view = await month_view(canteen["manager"], None, date(2026, 8, 1))
    assert view["closed_ids"] == {canteen["id"]} and not view["closed"]
    assert (await month_view(canteen["manager"], canteen["id"], date(2026, 8, 1)))["closed"]
    with pytest.raises(LedgerError, match="已结账"):
        await close_month(canteen["manager"], date(2026, 8, 1), TODAY, canteen["id"])
    # The center's view closes what is still open there: the other canteen, and nothing twice.
    rest = await close_month(canteen["manager"], date(2026, 8, 1), TODAY)
    assert [c["id"] for c in rest.canteens] == [other]
    assert (await month_view(canteen["manager"], None, date(2026, 8, 1)))["closed"]


async def test_a_manager_closes_only_canteens_of_their_center(canteen, db):
    elsewhere = await make_center()
    foreign = (await make_canteen(elsewhere, name="别处食堂"))["id"]
    with pytest.raises(AccessDenied):
        await close_month(canteen["manager"], date(2026, 7, 1), TODAY, foreign)
    plan = await plan_close(canteen["manager"], date(2026, 7, 1), TODAY, None)
    assert foreign not in [c["id"] for c in plan.canteens]


async def test_the_admins_district_view_closes_every_canteen(canteen, db):
    admin = await as_user(await make_staff(db, role="admin"))
    other = await second_canteen(canteen)
    plan = await close_month(admin, date(2026, 6, 1), TODAY)
    assert plan.district and {canteen["id"], other} <= {c["id"] for c in plan.canteens}
    assert await ClosedMonth.exists().where(ClosedMonth.month == date(2026, 6, 1))
    assert await closed_canteens([canteen["id"], other], date(2026, 6, 1)) == {canteen["id"], other}


async def test_a_void_keeps_its_reason_beside_the_reversal(canteen):
    senior = await make_senior(canteen["center"], granted_on=TODAY)
    result = await meal(canteen, senior, "why1")
    with pytest.raises(LedgerError, match="撤销原因"):
        await void_meal(canteen["id"], result.meal_id, today=TODAY, reason="  ")
    await void_meal(canteen["id"], result.meal_id, today=TODAY, reason="餐别或餐费录错：应为晚餐")
    reversal = await LedgerTxn.select(LedgerTxn.reason, LedgerTxn.kind).where(
        LedgerTxn.reverses == (await Meal.select(Meal.txn).where(Meal.id == result.meal_id).first())["txn"]).first()
    assert reversal == {"reason": "餐别或餐费录错：应为晚餐", "kind": "reversal"}
    listed = next(m for m in await meals_of_day(canteen["id"], TODAY) if m["id"] == result.meal_id)
    assert listed["voided"] and listed["void_reason"] == "餐别或餐费录错：应为晚餐"
    history = (await senior_view(canteen["manager"], senior["id"], 2026))["history"]
    assert [h["reason"] for h in history if h["kind"] == "reversal"] == ["餐别或餐费录错：应为晚餐"]
    assert await verify_ledger() == []


async def test_a_second_meal_of_one_kind_at_the_desk_needs_confirmation(canteen):
    """The desk asks before a second lunch today (RepeatMeal); voided meals do not count; terminals are not asked."""
    senior = await make_senior(canteen["center"], granted_on=TODAY)

    async def desk(key, kind="lunch", confirmed=False, at=NOON):
        return await record_meal(canteen["id"], card_no=senior["card_no"], kind=kind, price_fen=1500,
                                 eaten_at=at, idempotency_key=key, now=at + timedelta(minutes=1),
                                 repeat_confirmed=confirmed)

    first = await desk("r1")
    assert (await desk("r1")).replay  # the same press again: the same answer, no question
    with pytest.raises(RepeatMeal, match="今天已记过午餐，确定再记一餐？"):
        await desk("r2")
    assert await Meal.count().where(Meal.senior == senior["id"]) == 1
    await desk("r3", kind="dinner", at=NOON + timedelta(hours=6))  # another kind: no question
    second = await desk("r2", confirmed=True)
    assert second.meal_id != first.meal_id and await Meal.count().where(Meal.senior == senior["id"]) == 3
    for m in (first, second):
        await void_meal(canteen["id"], m.meal_id, today=TODAY, reason="重复记录")
    assert not (await desk("r4")).replay  # both lunches voided: a lunch again needs no question
    terminal = await meal(canteen, senior, "r5")  # the terminal API's default: its contract is unchanged
    assert terminal.subsidy_fen == 1500


async def test_month_view_matches_the_ledger(canteen):
    senior = await make_senior(canteen["center"], granted_on=TODAY)
    await meal(canteen, senior, "m1", price=1500)
    await meal(canteen, senior, "m2", price=500, kind="breakfast")
    voided = await meal(canteen, senior, "m3", price=1200, kind="dinner")
    await void_meal(canteen["id"], voided.meal_id, today=TODAY, reason="老人未就餐")
    view = await month_view(canteen["manager"], canteen["id"], date(2026, 11, 1))
    assert view["totals"]["meals"] == 2 and view["totals"]["voided"] == 1
    assert view["totals"]["subsidy_fen"] == 2000 == view["ledger_total_fen"]
    assert view["by_kind"]["breakfast"]["price_fen"] == 500
