"""Fair rotation on the database: the rotation's input for a stretch of days, filling a week's open slots, and
keeping the horizon (this week and the next three) filled, once per center and week (the Monday job)."""

from __future__ import annotations

from datetime import date, timedelta

from center import db
from center.domain.calendar import WorkCalendar
from center.domain.periods import monday_of
from center.domain.rotation import Assigned, RotationInput, rotate, shift_hours
from center.services import audit, jobruns
from center.services.calendar import get_calendar
from center.services.identity import CurrentUser
from center.services.rosters.changes import log_if_published
from center.services.rosters.common import MAX_EVENINGS_PER_WEEK, assignments_between, shift_specs, staff_of
from center.services.rosters.leave import leave_between
from center.tables import Assignment, ShiftType
from center.timeutil import utcnow

HORIZON_WEEKS = 4
HISTORY_WEEKS = 8


async def rotation_input(center_id: int, first: date, last: date, calendar: WorkCalendar) -> RotationInput:
    """Everything the rotation weighs for [first, last]: staff, shift types, day kinds, leave, what is already
    assigned, and the hours worked in the eight weeks before."""
    shifts = await shift_specs(center_id)
    staff = [s["id"] for s in await staff_of(center_id)]
    existing = [Assigned(a["shift_type"], a["day"], a["staff"], a["manual"])
                for a in await assignments_between(center_id, first, last)]
    history_rows = await assignments_between(center_id, first - timedelta(weeks=HISTORY_WEEKS), first - timedelta(days=1))
    kinds = {}
    for a in history_rows:
        kinds.setdefault(a["day"], calendar.day(a["day"]).kind)
    history = shift_hours([Assigned(a["shift_type"], a["day"], a["staff"]) for a in history_rows],
                          {s.id: s for s in shifts}, kinds)
    leave = await leave_between(center_id, first, last)
    days = [(first + timedelta(days=i), calendar.day(first + timedelta(days=i)).kind)
            for i in range((last - first).days + 1)]
    return RotationInput(staff=staff, shifts=shifts, days=days, leave={k: frozenset(v) for k, v in leave.items()},
                         existing=existing, history=history, max_evenings_per_week=MAX_EVENINGS_PER_WEEK)


async def fill_week(center_id: int, monday: date, actor: CurrentUser | None = None) -> int:
    """Fill the open slots of one week by fair rotation (published weeks too: only empty seats are filled)."""
    calendar = await get_calendar()
    sunday = monday + timedelta(days=6)
    async with db.write_transaction():
        data = await rotation_input(center_id, monday, sunday, calendar)
        added = rotate(data)
        if added:
            now = utcnow()
            await Assignment.insert(*[Assignment(center=center_id, shift_type=a.shift_id, day=a.day, staff=a.staff_id,
                                                 manual=False, created_at=now) for a in added])
            if actor is not None:
                await log_if_published(actor, center_id, monday, f"自动补位 {len(added)} 个班次")
        if actor is not None:
            await audit.record("roster.rotate", actor=actor, center_id=center_id, object_type="week",
                               object_id=monday.isoformat(), detail={"added": len(added)})
    return len(added)


async def centers_with_shifts() -> list[int]:
    rows = await ShiftType.select(ShiftType.center).where(ShiftType.active == True).distinct()  # noqa: E712
    return sorted({r["center"] for r in rows})


def horizon_weeks(today: date, weeks: int = HORIZON_WEEKS) -> list[date]:
    """The Mondays the rotation keeps filled: this week's and the next ones."""
    first = monday_of(today)
    return [first + timedelta(weeks=i) for i in range(weeks)]


async def rotate_horizon(today: date) -> str:
    """Fill the open slots of every center for the weeks of the horizon, once per (center, week)."""
    filled = 0
    for center_id in await centers_with_shifts():
        for monday in horizon_weeks(today):
            async def work(center_id=center_id, monday=monday) -> str:
                return f"{await fill_week(center_id, monday)} assignments"

            if await jobruns.run_once("roster_rotation_week", f"{center_id}:{monday.isoformat()}", work):
                filled += 1
    return f"{filled} center-weeks filled"
