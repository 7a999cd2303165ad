"""`center demo --scale N`: the district-sized data set keeps every ledger invariant and the jobs find nothing
left to do in it (same accounts and idempotency keys as the services), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from center.demo.scale import ScaleError, ScalePlan, load_scale
from center.domain.hours import in_extended_hours
from center.services.calendar import get_calendar
from center.services.dining.allowances import allowance_figures, grant_due, year_end
from center.services.dining.checks import verify_ledger
from center.tables import Case, CaseEvent, Center, LedgerPosting, LedgerTxn, Meal, Senior, Staff, Visit
from center.timeutil import local_today, to_local


def test_the_plan_for_twenty_is_a_district():
    plan = ScalePlan.for_scale(20)
    assert plan.centers + 3 == 50
    assert 9900 <= plan.centers * plan.seniors_per_center + 500 <= 10000
    assert 49000 <= plan.centers * plan.cases_per_center + 135 <= 50000
    with pytest.raises(ScaleError):
        ScalePlan.for_scale(1)


async def test_scale_two_holds_the_ledger_and_is_refused_twice(demo_db):
    steps: list[int] = []
    counts = await load_scale(demo_db, 2, progress=steps.append)
    plan = ScalePlan.for_scale(2)
    assert sum(steps) == plan.centers + 1
    assert await Center.count() == 3 + plan.centers == counts["centers"] + 3
    assert await Staff.count().where(Staff.center.slug.like("s%-%")) == 12 * plan.centers
    assert await Senior.count() == 500 + counts["seniors"]
    assert await Case.count().where(Case.center.slug.like("s%-%")) == counts["cases"]
    assert await CaseEvent.count().where(CaseEvent.case.center.slug.like("s%-%")) >= counts["cases"]
    assert counts["postings"] > 40 * counts["seniors"]  # about 50 subsidised meals a senior, two postings each
    assert await Meal.count() > counts["meals"]

    assert await verify_ledger() == []
    # The scheduled jobs find every key already there: nothing granted or expired twice.
    txns = await LedgerTxn.count()
    today = local_today()
    await grant_due(today)
    await year_end(today.year - 1, today)
    assert await LedgerTxn.count() == txns
    assert await LedgerPosting.count() > 0
    # A scaled senior's balance agrees with the last meal's answer.
    last = await Meal.select(Meal.senior, Meal.balance_after_fen, Meal.book_date).where(
        Meal.senior.card_no.like("S%") & (Meal.book_date >= today.replace(month=1, day=1))).order_by(Meal.id, ascending=False).first()
    figures = await allowance_figures(last["senior"], last["book_date"].year)
    assert figures["balance_fen"] == last["balance_after_fen"]

    # Each visit is marked extended by the counter's own rule (center.domain.hours), not a copy of it.
    calendar = await get_calendar()
    visits = await Visit.select(Visit.created_at, Visit.extended).where(Visit.center.slug.like("s%-%"))
    assert visits and any(v["extended"] for v in visits) and not all(v["extended"] for v in visits)
    for visit in visits:
        moment = to_local(visit["created_at"])
        assert visit["extended"] == in_extended_hours(moment, calendar.day(moment.date()).kind), moment

    with pytest.raises(ScaleError):
        await load_scale(demo_db, 2)
