"""Leave: marking it (the person's shifts in those days come off) and looking up who is away when."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from center import db
from center.domain.periods import month_day_weekday
from center.services import audit
from center.services.identity import CurrentUser
from center.services.rosters.changes import log_if_published
from center.services.rosters.common import RosterError, check_center
from center.tables import Assignment, Leave, Staff
from center.timeutil import utcnow


def _days(start: date, end: date, first: date, last: date):
    current = max(start, first)
    while current <= min(end, last):
        yield current
        current += timedelta(days=1)


async def leave_between(center_id: int, first: date, last: date) -> dict[int, set[date]]:
    """The days of leave in [first, last] of everyone at a center: staff id -> dates."""
    rows = await Leave.select(Leave.staff, Leave.start, Leave.end).where(
        (Leave.staff.center == center_id) & (Leave.start <= last) & (Leave.end >= first))
    days: dict[int, set[date]] = defaultdict(set)
    for row in rows:
        days[row["staff"]].update(_days(row["start"], row["end"], first, last))
    return days


async def leave_days_of(staff_id: int, first: date, last: date) -> set[date]:
    """The days of leave in [first, last] of one person."""
    days: set[date] = set()
    for row in await Leave.select(Leave.start, Leave.end).where(
            (Leave.staff == staff_id) & (Leave.start <= last) & (Leave.end >= first)):
        days.update(_days(row["start"], row["end"], first, last))
    return days


async def leave_in_week(center_id: int, monday: date, sunday: date) -> list[dict]:
    """The leave touching a week, as listed beside the grid."""
    return await Leave.select(
        Leave.id, Leave.start, Leave.end, Leave.reason, Leave.staff.display_name.as_alias("staff_name"),
    ).where((Leave.staff.center == center_id) & (Leave.start <= sunday) & (Leave.end >= monday)).order_by(Leave.start)


async def add_leave(actor: CurrentUser, center_id: int, staff_id: int, start: date, end: date, reason: str) -> int:
    """Mark leave; the person's shifts in those days are taken off (and logged if the week is published)."""
    check_center(actor, center_id)
    if end < start:
        raise RosterError("结束日期不能早于开始日期", field="end")
    if (end - start).days > 366:
        raise RosterError("一次请假不能超过一年", field="end")
    reason = (reason or "").strip()
    if len(reason) > 100:
        raise RosterError("事由不能超过 100 个字", field="reason")
    person = await Staff.select(Staff.id, Staff.center, Staff.display_name).where(Staff.id == staff_id).first()
    if person is None or person["center"] != center_id:
        raise RosterError("请选择本中心的工作人员", field="staff")
    async with db.write_transaction():
        await Leave.insert(Leave(staff=staff_id, start=start, end=end, reason=reason, created_by=actor.id,
                                 created_at=utcnow()))
        removed = await Assignment.delete().where(
            (Assignment.staff == staff_id) & (Assignment.day >= start) & (Assignment.day <= end)
        ).returning(Assignment.day, Assignment.shift_type)
        for row in removed:
            await log_if_published(actor, center_id, row["day"],
                                   f"{month_day_weekday(row['day'])} {person['display_name']} 请假，撤下其班次")
        await audit.record("roster.leave", actor=actor, center_id=center_id, object_type="staff", object_id=staff_id,
                           detail={"start": start.isoformat(), "end": end.isoformat(), "removed": len(removed)})
    return len(removed)
