"""The window's figures against a plain recount of the cases, case by case (the service reads them in bulk)."""

from __future__ import annotations

from collections import Counter

from center.domain.cases import completed_on_time
from center.services import stats
from center.services.calendar import get_calendar
from center.services.identity import load_user
from center.tables import Case, Staff
from center.timeutil import local_today, to_local


async def test_year_figures_match_a_recount_of_every_case(demo_db):
    admin = await load_user((await Staff.select(Staff.id).where(Staff.username == "admin").first())["id"])
    today = local_today()
    figures = await stats.case_stats(admin, today, None, whole_year=True)
    calendar = await get_calendar()
    cases = await Case.select(Case.status, Case.accepted_at, Case.closed_at, Case.due_on, Case.extended,
                              Case.item.name.as_alias("item_name"))
    cases = [c for c in cases if to_local(c["accepted_at"]).year == today.year]
    completed = [c for c in cases if c["status"] == "completed"]
    on_time = sum(completed_on_time(c["due_on"], to_local(c["closed_at"]).date()) for c in completed)
    days = sum(calendar.workdays_between(to_local(c["accepted_at"]).date(), to_local(c["closed_at"]).date())
               for c in completed)
    totals = figures["totals"]
    assert totals["consults"] == sum(c["status"] == "consult" for c in cases)
    assert totals["accepted"] == sum(c["status"] != "consult" for c in cases)
    assert totals["completed"] == len(completed) > 0
    assert totals["on_time"] == on_time
    assert totals["avg_days"] == round(days / len(completed), 1)
    assert totals["refused"] == sum(c["status"] == "refused" for c in cases)
    assert figures["extended"]["accepted"] == sum(c["extended"] and c["status"] != "consult" for c in cases)
    by_item = dict(figures["by_item"])
    for name, count in Counter(c["item_name"] for c in cases if c["status"] != "consult").items():
        assert by_item[name]["accepted"] == count
    by_month = {d.month: n for d, n, _ in figures["per_day"]}
    for month, count in Counter(to_local(c["accepted_at"]).month for c in cases).items():
        assert by_month[month] == count
