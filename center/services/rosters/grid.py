"""The week grid: rows are shift types, columns days, each cell the people in it with their problems; a cell's
version (its etag) and the cells an edit changed."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from center.domain.periods import monday_of
from center.domain.roster import PublishWarning, publish_warnings, staffing, warnings_fingerprint
from center.domain.rotation import Assigned, ShiftSpec, duty_load, problems
from center.services.calendar import get_calendar
from center.services.identity import CurrentUser
from center.services.rosters.changes import week_changes
from center.services.rosters.common import (
    MAX_EVENINGS_PER_WEEK,
    RosterError,
    assignments_between,
    check_center,
    shift_specs,
    staff_of,
)
from center.services.rosters.leave import leave_between, leave_in_week
from center.tables import Center, RosterWeek


class CellConflict(RosterError):
    """The cell changed since the editor was opened (another manager saved first)."""


def cell_etag(staff_ids: list[int] | set[int]) -> str:
    """The version of a cell: who is in it. A save carries the version it saw (optimistic check)."""
    return hashlib.sha1(",".join(str(s) for s in sorted(staff_ids)).encode()).hexdigest()[:12]


@dataclass
class Week:
    center: dict
    monday: date
    days: list[dict]
    shifts: list[ShiftSpec]
    rows: list[dict]
    staff: list[dict]
    status: str
    published_at: datetime | None
    changes: list[dict]
    leave: list[dict]
    under_staffed: int
    conflicts: int
    over_staffed: int
    warnings: list[PublishWarning]

    @property
    def cells(self) -> list[dict]:
        return [cell for row in self.rows for cell in row["cells"]]

    @property
    def fingerprint(self) -> str:
        return warnings_fingerprint(self.warnings)


async def week_view(actor: CurrentUser, center_id: int, any_day: date) -> Week:
    """The grid of one week: rows are shift types, columns days, cells the people with their problems."""
    check_center(actor, center_id)
    monday = monday_of(any_day)
    sunday = monday + timedelta(days=6)
    calendar = await get_calendar()
    center = await Center.select(Center.id, Center.slug, Center.name).where(Center.id == center_id).first()
    shifts = await shift_specs(center_id)
    staff = await staff_of(center_id)
    names = {s["id"]: s["display_name"] for s in staff}
    assigned = await assignments_between(center_id, monday, sunday)
    leave_days = await leave_between(center_id, monday, sunday)
    days = []
    for i in range(7):
        info = calendar.day(monday + timedelta(days=i))
        days.append({"date": info.day, "kind": str(info.kind), "label": info.label, "holiday": info.holiday_name})
    cells = build_cells(shifts, days, assigned, leave_days, names)
    rows = [{"shift": shift, "cells": [cells[(shift.id, d["date"])] for d in days]} for shift in shifts]
    week = await RosterWeek.select().where((RosterWeek.center == center_id) & (RosterWeek.week == monday)).first()
    all_cells = [c for c in cells.values() if c["applies"]]
    return Week(
        center=center, monday=monday, days=days, shifts=shifts, rows=rows, staff=staff,
        status=week["status"] if week else "draft", published_at=week["published_at"] if week else None,
        changes=await week_changes(center_id, monday), leave=await leave_in_week(center_id, monday, sunday),
        under_staffed=sum(1 for c in all_cells if c["missing"] > 0),
        conflicts=sum(1 for c in all_cells for p in c["people"] if p["problems"]),
        over_staffed=sum(1 for c in all_cells if c["over"] > 0),
        warnings=publish_warnings(all_cells),
    )


def _cell_state(cell: dict) -> tuple:
    return (tuple((p["staff_id"], p["name"], p["manual"], tuple(p["problems"])) for p in cell["people"]),
            cell["missing"], cell["over"])


def changed_cells(before: Week | None, after: Week, edited: tuple[int, date]) -> list[dict]:
    """The cells of `after` that read differently from `before` (all of them when there is no `before`, e.g.
    after a conflict), except the edited one: what an edit must refresh elsewhere on the grid."""
    old = {(c["shift_id"], c["day"]): _cell_state(c) for c in before.cells} if before is not None else {}
    return [c for c in after.cells
            if (c["shift_id"], c["day"]) != edited and old.get((c["shift_id"], c["day"])) != _cell_state(c)]


def build_cells(shifts: list[ShiftSpec], days: list[dict], assigned: list[dict], leave_days: dict[int, set[date]],
                names: dict[int, str]) -> dict[tuple[int, date], dict]:
    """The cells of `days` (dicts with date and kind) for `shifts`, from the week's assignments and leave."""
    by_id = {s.id: s for s in shifts}
    load = duty_load([Assigned(a["shift_type"], a["day"], a["staff"]) for a in assigned], by_id)
    in_slot: dict[tuple[int, date], list[dict]] = defaultdict(list)
    for a in assigned:
        if a["shift_type"] in by_id:
            in_slot[(a["shift_type"], a["day"])].append(a)
    cells = {}
    for shift in shifts:
        for d in days:
            day = d["date"]
            people = []
            for a in sorted(in_slot[(shift.id, day)], key=lambda a: a["staff"]):
                people.append({
                    "staff_id": a["staff"], "name": names.get(a["staff"], "（已离岗）"), "manual": a["manual"],
                    "problems": problems(shift, day, a["staff"], on_leave=day in leave_days.get(a["staff"], set()),
                                         same_day=load.same_day(a["staff"], day),
                                         evenings_this_week=load.evenings(a["staff"], day),
                                         max_evenings_per_week=MAX_EVENINGS_PER_WEEK),
                })
            applies = shift.applies(d["kind"])
            staffed = staffing(shift.needed, len(people), applies)
            cells[(shift.id, day)] = {
                "shift_id": shift.id, "shift_name": shift.name, "day": day, "applies": applies, "people": people,
                "needed": staffed.needed, "missing": staffed.missing, "over": staffed.over,
                "etag": cell_etag([p["staff_id"] for p in people]),
            }
    return cells
