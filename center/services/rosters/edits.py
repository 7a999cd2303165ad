"""Editing one cell: its editor (who could be put in and what would be wrong), assign and unassign, each refused
when the cell changed since the editor was opened (CellConflict, the 409 of the cell component)."""

from __future__ import annotations

from datetime import date, timedelta

from center import db
from center.domain import NotFound
from center.domain.periods import month_day_weekday, monday_of
from center.domain.rotation import Assigned, duty_load, problems
from center.services import audit
from center.services.calendar import get_calendar
from center.services.identity import CurrentUser
from center.services.rosters.changes import log_if_published
from center.services.rosters.common import (
    MAX_EVENINGS_PER_WEEK,
    RosterError,
    assignments_between,
    cell_staff,
    check_center,
    names_of,
    shift_row,
    shift_specs,
    staff_of,
)
from center.services.rosters.grid import CellConflict, build_cells, cell_etag
from center.services.rosters.leave import leave_between
from center.tables import Assignment, Staff
from center.timeutil import utcnow

CONFLICT = "该格已被其他负责人修改，已显示最新安排，请确认后再操作"


async def cell_view(actor: CurrentUser, center_id: int, shift_id: int, day: date) -> dict:
    """One cell with the editor's choices: every eligible person and what would be wrong with them."""
    check_center(actor, center_id)
    shifts = await shift_specs(center_id)
    shift = next((s for s in shifts if s.id == shift_id), None)
    if shift is None:
        raise NotFound("没有这个班次")
    calendar = await get_calendar()
    monday = monday_of(day)
    staff = await staff_of(center_id)
    names = {s["id"]: s["display_name"] for s in staff}
    assigned = await assignments_between(center_id, monday, monday + timedelta(days=6))
    leave_days = await leave_between(center_id, day, day)
    info = calendar.day(day)
    cell = build_cells(shifts, [{"date": day, "kind": str(info.kind)}], assigned, leave_days, names)[(shift_id, day)]
    load = duty_load([Assigned(a["shift_type"], a["day"], a["staff"]) for a in assigned], {s.id: s for s in shifts})
    in_cell = {p["staff_id"] for p in cell["people"]}
    choices = []
    for person in staff:
        if person["id"] in in_cell or person["id"] not in shift.eligible:
            continue
        # as if the person were put in: this shift's evening counts too
        found = problems(shift, day, person["id"], on_leave=day in leave_days.get(person["id"], set()),
                         same_day=load.same_day(person["id"], day),
                         evenings_this_week=load.evenings(person["id"], day) + 1,
                         max_evenings_per_week=MAX_EVENINGS_PER_WEEK)
        choices.append({"id": person["id"], "name": person["display_name"], "problems": found})
    choices.sort(key=lambda c: (bool(c["problems"]), c["name"]))
    swappable = [
        {"shift_id": a["shift_type"], "day": a["day"], "staff_id": a["staff"], "name": names.get(a["staff"], ""),
         "shift_name": next((s.name for s in shifts if s.id == a["shift_type"]), "")}
        for a in sorted(assigned, key=lambda a: (a["day"], a["shift_type"]))
        if (a["shift_type"], a["day"]) != (shift_id, day)
    ]
    return {**cell, "shift": shift, "day_info": info, "choices": choices, "swappable": swappable}


async def assign(actor: CurrentUser, center_id: int, shift_id: int, day: date, staff_id: int, etag: str) -> None:
    """Put a person in a slot by hand (never overwritten by rotation); refused if the cell changed meanwhile."""
    check_center(actor, center_id)
    shift = await shift_row(center_id, shift_id)
    calendar = await get_calendar()
    if str(calendar.day(day).kind) not in shift["day_kinds"].split(","):
        raise RosterError("该班次当天不排班")
    person = await Staff.select(Staff.id, Staff.center, Staff.active).where(Staff.id == staff_id).first()
    if person is None or person["center"] != center_id or not person["active"]:
        raise RosterError("只能安排本中心在岗的工作人员")
    async with db.write_transaction():
        current = await cell_staff(shift_id, day)
        if cell_etag(current) != etag:
            raise CellConflict(CONFLICT)
        if staff_id in current:
            raise RosterError("此人已在该班次")
        await Assignment.insert(Assignment(center=center_id, shift_type=shift_id, day=day, staff=staff_id,
                                           manual=True, created_at=utcnow()))
        name = (await names_of(staff_id))[staff_id]
        await log_if_published(actor, center_id, day, f"{month_day_weekday(day)} {shift['name']}：增加 {name}")
        await audit.record("roster.assign", actor=actor, center_id=center_id, object_type="slot",
                           object_id=f"{shift_id}:{day.isoformat()}", detail={"staff": staff_id})


async def unassign(actor: CurrentUser, center_id: int, shift_id: int, day: date, staff_id: int, etag: str) -> None:
    """Take a person out of a slot; refused if the cell changed meanwhile."""
    check_center(actor, center_id)
    shift = await shift_row(center_id, shift_id)
    async with db.write_transaction():
        current = await cell_staff(shift_id, day)
        if cell_etag(current) != etag:
            raise CellConflict(CONFLICT)
        if staff_id not in current:
            raise RosterError("此人不在该班次")
        await Assignment.delete().where((Assignment.shift_type == shift_id) & (Assignment.day == day)
                                        & (Assignment.staff == staff_id))
        name = (await names_of(staff_id))[staff_id]
        await log_if_published(actor, center_id, day, f"{month_day_weekday(day)} {shift['name']}：撤下 {name}")
        await audit.record("roster.unassign", actor=actor, center_id=center_id, object_type="slot",
                           object_id=f"{shift_id}:{day.isoformat()}", detail={"staff": staff_id})
