"""The window's figures against a plain recount of the cases, case by case (the service reads them in bulk)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook

from center.domain.cases import completed_on_time
from center.services import stats
from center.services.calendar import get_calendar
from center.services.identity import load_user
from center.tables import Case, Staff
from center.services import cases
from center.services.cases import ReceiveForm
from center.timeutil import LOCAL_TZ, local_today, to_local
from tests.factories import as_user, item_id, load_demo_catalog, make_center, make_staff


async def test_year_figures_match_a_recount_of_every_case(demo_db):
    admin = await load_user((await Staff.select(Staff.id).where(Staff.username == "admin").first())["id"])
    today = local_today()
    figures = await stats.case_stats(admin, today, None, whole_year=True)
    calendar = await get_calendar()
    cases = await Case.select(Case.status, Case.accepted_at, Case.closed_at, Case.due_on, Case.paused_on,
                              Case.extended, Case.item.name.as_alias("item_name"))
    cases = [c for c in cases if to_local(c["accepted_at"]).year == today.year]
    completed = [c for c in cases if c["status"] == "completed"]
    on_time = sum(completed_on_time(c["due_on"], to_local(c["closed_at"]).date()) for c in completed)
    days = sum(calendar.workdays_between(to_local(c["accepted_at"]).date(), to_local(c["closed_at"]).date())
               for c in completed)
    # Late, written out: completed after the deadline, or open past it (awaiting: paused after it).
    completed_late = sum(not completed_on_time(c["due_on"], to_local(c["closed_at"]).date()) for c in completed)
    open_late = sum(1 for c in cases if c["due_on"] is not None and (
        (c["status"] in ("accepted", "forwarded") and today > c["due_on"])
        or (c["status"] == "awaiting" and c["paused_on"] is not None and c["paused_on"] > c["due_on"])))
    totals = figures["totals"]
    assert totals["late"] == completed_late + open_late
    assert totals["overdue_open"] == open_late
    assert totals["on_time_rate"] == round(100 * on_time / (on_time + completed_late + open_late), 1)
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


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


@pytest.fixture
async def window(db):
    """A center of its own with one worker and its manager, the demo catalog loaded."""
    await load_demo_catalog()
    center = await make_center()
    worker = await as_user(await make_staff(db, role="worker", center=center, display_name="窗口社工"))
    manager = await as_user(await make_staff(db, role="manager", center=center, display_name="负责人"))
    return {"worker": worker, "manager": manager, "center": center}


async def test_an_overdue_open_case_brings_the_on_time_rate_below_100(window):
    """ZF01 promises 3 working days: accepted Wed 2 Dec 2026, due Mon 7 Dec."""
    worker, accepted = window["worker"], date(2026, 12, 2)
    done = await cases.receive(worker, ReceiveForm(item_id=await item_id("ZF01"), action="accept",
                                                   resident_name="按时办结", brought=(0, 1, 2)), now=at(accepted))
    await cases.act(worker, done["case_id"], "complete", now=at(date(2026, 12, 4)))
    await cases.receive(worker, ReceiveForm(item_id=await item_id("ZF01"), action="accept", resident_name="仍在办",
                                            brought=(0, 1, 2)), now=at(accepted, 11))
    month = date(2026, 12, 1)

    on_the_deadline = (await stats.case_stats(window["manager"], month, today=date(2026, 12, 7)))["totals"]
    assert (on_the_deadline["on_time"], on_the_deadline["late"], on_the_deadline["on_time_rate"]) == (1, 0, 100.0)

    past_it = (await stats.case_stats(window["manager"], month, today=date(2026, 12, 9)))["totals"]
    assert (past_it["completed"], past_it["on_time"], past_it["late"], past_it["overdue_open"]) == (1, 1, 1, 1)
    assert past_it["on_time_rate"] == 50.0  # not 100 %: one of two decided cases is late


async def test_the_excel_export_states_the_same_honest_rate(window):
    worker = window["worker"]
    for name in ("甲", "乙"):
        # Everything brought, so the clock runs (with a material missing they would wait, 待补正, never overdue).
        await cases.receive(worker, ReceiveForm(item_id=await item_id("ZF01"), action="accept", resident_name=name,
                                                brought=(0, 1, 2)), now=at(date(2026, 12, 2)))
    content = (await stats.export_xlsx(window["manager"], date(2026, 12, 1), today=date(2026, 12, 9))).content
    book = load_workbook(io.BytesIO(content))
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert (summary["超期"], summary["其中在办超期"], summary["按时办结率(%)"]) == (2, 2, 0)
    header = [c.value for c in book["按事项"][1]]
    row = dict(zip(header, next(book["按事项"].iter_rows(min_row=2, values_only=True))))
    assert (row["超期"], row["其中在办超期"], row["按时办结率(%)"]) == (2, 2, 0)



async def test_open_cases_count_for_the_worker_who_owns_them_now(window, db):
    """首问负责 until a formal 转交: after the hand-over the case is the colleague's 在办 (and its outcome theirs),
    while the intake (受理) stays the receiver's; the page and the Excel 按社工 sheet say the same."""
    worker = window["worker"]
    colleague = await as_user(await make_staff(db, role="worker", center=window["center"], display_name="接手社工"))
    day = date(2026, 12, 2)
    kept = await cases.receive(worker, ReceiveForm(item_id=await item_id("ZF01"), action="accept",
                                                   resident_name="留在手上", brought=(0, 1, 2)), now=at(day))
    handed = await cases.receive(worker, ReceiveForm(item_id=await item_id("ZF01"), action="accept",
                                                     resident_name="转交出去", brought=(0, 1, 2)), now=at(day, 11))
    finished = await cases.receive(worker, ReceiveForm(item_id=await item_id("ZF01"), action="accept",
                                                       resident_name="转交后办结", brought=(0, 1, 2)), now=at(day, 12))
    for case in (handed, finished):
        await cases.act(worker, case["case_id"], "hand_over", reason="轮休", new_owner_id=colleague.id,
                        now=at(day, 15))
    await cases.act(colleague, finished["case_id"], "complete", now=at(date(2026, 12, 3)))
    assert kept["case_id"]

    figures = await stats.case_stats(window["manager"], date(2026, 12, 1), today=date(2026, 12, 4))
    by_worker = dict(figures["by_worker"])
    mine, theirs = by_worker["窗口社工"], by_worker["接手社工"]
    assert (mine["accepted"], mine["open"], mine["completed"]) == (3, 1, 0)
    assert (theirs["accepted"], theirs["open"], theirs["completed"], theirs["on_time"]) == (0, 1, 1, 1)
    assert sum(r["open"] for r in by_worker.values()) == figures["totals"]["open"] == 2

    book = load_workbook(io.BytesIO((await stats.export_xlsx(window["manager"], date(2026, 12, 1),
                                                              today=date(2026, 12, 4))).content))
    header = [c.value for c in book["按社工"][1]]
    sheet = {row[0]: dict(zip(header, row)) for row in book["按社工"].iter_rows(min_row=2, values_only=True)}
    for name, row in by_worker.items():
        assert (sheet[name]["受理"], sheet[name]["在办"], sheet[name]["办结"]) == (
            row["accepted"], row["open"], row["completed"])
    assert sheet["合计"]["在办"] == 2
