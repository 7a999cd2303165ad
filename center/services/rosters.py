"""Duty rosters: the week grid, cell edits with a version check, leave, publishing, rotation, swaps, iCal."""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from center import db
from center.domain import AccessDenied, DomainError, NotFound
from center.domain.access import Role
from center.domain.calendar import DayKind, WorkCalendar
from center.domain.numbers import Bounds, NumberError, check_count
from center.domain.roster import PublishWarning, publish_warnings, shown_on_duty, staffing, warnings_fingerprint
from center.domain.rotation import Assigned, RotationInput, ShiftSpec, problems, rotate, shift_hours, week_of
from center.services import audit
from center.services.calendar import get_calendar
from center.services.identity import CurrentUser
from center.tables import (
    Assignment,
    Center,
    Leave,
    RosterChange,
    RosterWeek,
    ShiftEligibility,
    ShiftType,
    Staff,
    SwapRequest,
)
from center.timeutil import LOCAL_TZ, utcnow

HORIZON_WEEKS = 4
HISTORY_WEEKS = 8
MAX_EVENINGS_PER_WEEK = 2
WEEKDAYS = "一二三四五六日"


class RosterError(DomainError):
    pass


class CellConflict(RosterError):
    """The cell changed since the editor was opened (another manager saved first)."""


class PublishNeedsConfirmation(RosterError):
    """The week has conflicts, missing or surplus people: the manager sees the list and confirms it first."""

    def __init__(self, warnings: list[PublishWarning], fingerprint: str):
        super().__init__(f"本周排班有 {len(warnings)} 处问题，请确认后再发布")
        self.warnings = warnings
        self.fingerprint = fingerprint


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def published_weeks(center_id: int, first: date, last: date) -> set[date]:
    """The Mondays of the published weeks of a center that touch [first, last]."""
    rows = await RosterWeek.select(RosterWeek.week).where(
        (RosterWeek.center == center_id) & (RosterWeek.status == "published")
        & (RosterWeek.week >= monday_of(first)) & (RosterWeek.week <= last))
    return {r["week"] for r in rows}


# ---------------------------------------------------------------- loading


async def shift_specs(center_id: int, include_inactive: bool = False) -> list[ShiftSpec]:
    query = ShiftType.select().where(ShiftType.center == center_id)
    if not include_inactive:
        query = query.where(ShiftType.active == True)  # noqa: E712
    types = await query.order_by(ShiftType.sort_order).order_by(ShiftType.start)
    eligibility: dict[int, set[int]] = defaultdict(set)
    if types:
        for row in await ShiftEligibility.select(ShiftEligibility.shift_type, ShiftEligibility.staff).where(
                ShiftEligibility.shift_type.is_in([t["id"] for t in types])):
            eligibility[row["shift_type"]].add(row["staff"])
    return [
        ShiftSpec(id=t["id"], start=t["start"], end=t["end"], day_kinds=frozenset(t["day_kinds"].split(",")),
                  needed=t["staff_needed"], eligible=frozenset(eligibility[t["id"]]), name=t["name"])
        for t in types
    ]


async def staff_of(center_id: int) -> list[dict]:
    return await Staff.select(Staff.id, Staff.display_name, Staff.role).where(
        (Staff.center == center_id) & (Staff.active == True) & Staff.role.is_in([Role.worker, Role.manager])  # noqa: E712
    ).order_by(Staff.id)


async def assignments_between(center_id: int, first: date, last: date) -> list[dict]:
    return await Assignment.select(
        Assignment.id, Assignment.shift_type, Assignment.day, Assignment.staff, Assignment.manual,
    ).where((Assignment.center == center_id) & (Assignment.day >= first) & (Assignment.day <= last))


async def leave_between(center_id: int, first: date, last: date) -> dict[int, set[date]]:
    rows = await Leave.select(Leave.staff, Leave.start, Leave.end).where(
        (Leave.staff.center == center_id) & (Leave.start <= last) & (Leave.end >= first))
    days: dict[int, set[date]] = defaultdict(set)
    for row in rows:
        current = max(row["start"], first)
        while current <= min(row["end"], last):
            days[row["staff"]].add(current)
            current += timedelta(days=1)
    return days


def _check_center(actor: CurrentUser, center_id: int) -> None:
    if not actor.may_see_center(center_id):
        raise AccessDenied("只能管理本中心的排班")


def cell_etag(staff_ids: list[int] | set[int]) -> str:
    """The version of a cell: who is in it. A save carries the version it saw (optimistic check)."""
    return hashlib.sha1(",".join(str(s) for s in sorted(staff_ids)).encode()).hexdigest()[:12]


# ---------------------------------------------------------------- the week grid


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
    swaps: list[dict]
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
    _check_center(actor, center_id)
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
        days.append({"date": info.day, "kind": str(info.kind), "label": info.label, "holiday": info.holiday_name,
                     "weekday": WEEKDAYS[i]})
    cells = _cells(shifts, days, assigned, leave_days, names)
    rows = [{"shift": shift, "cells": [cells[(shift.id, d["date"])] for d in days]} for shift in shifts]
    week = await RosterWeek.select().where((RosterWeek.center == center_id) & (RosterWeek.week == monday)).first()
    changes = await RosterChange.select(
        RosterChange.at, RosterChange.description, RosterChange.actor.display_name.as_alias("actor_name"),
    ).where((RosterChange.center == center_id) & (RosterChange.week == monday)).order_by(RosterChange.at, ascending=False)
    swaps = await swap_requests(center_id, status="pending")
    leave_rows = await Leave.select(
        Leave.id, Leave.start, Leave.end, Leave.reason, Leave.staff.display_name.as_alias("staff_name"),
    ).where((Leave.staff.center == center_id) & (Leave.start <= sunday) & (Leave.end >= monday)).order_by(Leave.start)
    all_cells = [c for c in cells.values() if c["applies"]]
    return Week(
        center=center, monday=monday, days=days, shifts=shifts, rows=rows, staff=staff,
        status=week["status"] if week else "draft", published_at=week["published_at"] if week else None,
        changes=changes, swaps=swaps, leave=leave_rows,
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


def _cells(shifts: list[ShiftSpec], days: list[dict], assigned: list[dict], leave_days: dict[int, set[date]],
           names: dict[int, str]) -> dict[tuple[int, date], dict]:
    by_id = {s.id: s for s in shifts}
    in_slot: dict[tuple[int, date], list[dict]] = defaultdict(list)
    same_day: dict[tuple[int, date], list[ShiftSpec]] = defaultdict(list)
    evenings: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
    for a in assigned:
        shift = by_id.get(a["shift_type"])
        if shift is None:
            continue
        in_slot[(shift.id, a["day"])].append(a)
        same_day[(a["staff"], a["day"])].append(shift)
        if shift.evening:
            evenings[(a["staff"], week_of(a["day"]))] += 1
    cells = {}
    for shift in shifts:
        for d in days:
            day = d["date"]
            people = []
            for a in sorted(in_slot[(shift.id, day)], key=lambda a: a["staff"]):
                people.append({
                    "staff_id": a["staff"], "name": names.get(a["staff"], "（已离岗）"), "manual": a["manual"],
                    "problems": problems(shift, day, a["staff"], on_leave=day in leave_days.get(a["staff"], set()),
                                         same_day=same_day[(a["staff"], day)],
                                         evenings_this_week=evenings[(a["staff"], week_of(day))],
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


async def cell_view(actor: CurrentUser, center_id: int, shift_id: int, day: date) -> dict:
    """One cell with the editor's choices: every eligible person and what would be wrong with them."""
    _check_center(actor, center_id)
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
    cells = _cells(shifts, [{"date": day, "kind": str(info.kind)}], assigned, leave_days, names)
    cell = cells[(shift_id, day)]
    same_day = defaultdict(list)
    for a in assigned:
        if a["day"] == day:
            same_day[a["staff"]].append(next(s for s in shifts if s.id == a["shift_type"]))
    evenings = defaultdict(int)
    for a in assigned:
        if by_evening(a, shifts):
            evenings[a["staff"]] += 1
    in_cell = {p["staff_id"] for p in cell["people"]}
    choices = []
    for person in staff:
        if person["id"] in in_cell or person["id"] not in shift.eligible:
            continue
        found = problems(shift, day, person["id"], on_leave=day in leave_days.get(person["id"], set()),
                         same_day=same_day[person["id"]], evenings_this_week=evenings[person["id"]] + 1,
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


def by_evening(a: dict, shifts: list[ShiftSpec]) -> bool:
    shift = next((s for s in shifts if s.id == a["shift_type"]), None)
    return shift is not None and shift.evening


# ---------------------------------------------------------------- edits


async def _week_status(center_id: int, monday: date) -> str:
    row = await RosterWeek.select(RosterWeek.status).where(
        (RosterWeek.center == center_id) & (RosterWeek.week == monday)).first()
    return row["status"] if row else "draft"


async def _log_if_published(actor: CurrentUser, center_id: int, day: date, description: str) -> None:
    monday = monday_of(day)
    if await _week_status(center_id, monday) == "published":
        await RosterChange.insert(RosterChange(center=center_id, week=monday, at=utcnow(), actor=actor.id,
                                               description=description[:300]))


async def _cell_staff(shift_id: int, day: date) -> list[int]:
    return [r["staff"] for r in await Assignment.select(Assignment.staff).where(
        (Assignment.shift_type == shift_id) & (Assignment.day == day))]


async def _shift_row(center_id: int, shift_id: int) -> dict:
    row = await ShiftType.select(ShiftType.id, ShiftType.name, ShiftType.center, ShiftType.day_kinds).where(
        ShiftType.id == shift_id).first()
    if row is None or row["center"] != center_id:
        raise NotFound("没有这个班次")
    return row


async def _names(*staff_ids: int) -> dict[int, str]:
    rows = await Staff.select(Staff.id, Staff.display_name).where(Staff.id.is_in(list(staff_ids)))
    return {r["id"]: r["display_name"] for r in rows}


def _day_label(day: date) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


async def assign(actor: CurrentUser, center_id: int, shift_id: int, day: date, staff_id: int, etag: str) -> None:
    """Put a person in a slot by hand (never overwritten by rotation); refused if the cell changed meanwhile."""
    _check_center(actor, center_id)
    shift = await _shift_row(center_id, shift_id)
    calendar = await get_calendar()
    if str(calendar.day(day).kind) not in shift["day_kinds"].split(","):
        raise RosterError("该班次当天不排班")
    person = await Staff.select(Staff.id, Staff.center, Staff.active).where(Staff.id == staff_id).first()
    if person is None or person["center"] != center_id or not person["active"]:
        raise RosterError("只能安排本中心在岗的工作人员")
    async with db.write_transaction():
        current = await _cell_staff(shift_id, day)
        if cell_etag(current) != etag:
            raise CellConflict("该格已被其他负责人修改，已显示最新安排，请确认后再操作")
        if staff_id in current:
            raise RosterError("此人已在该班次")
        await Assignment.insert(Assignment(center=center_id, shift_type=shift_id, day=day, staff=staff_id,
                                           manual=True, created_at=utcnow()))
        name = (await _names(staff_id))[staff_id]
        await _log_if_published(actor, center_id, day, f"{_day_label(day)} {shift['name']}：增加 {name}")
        await audit.record("roster.assign", actor=actor, center_id=center_id, object_type="slot",
                           object_id=f"{shift_id}:{day.isoformat()}", detail={"staff": staff_id})


async def unassign(actor: CurrentUser, center_id: int, shift_id: int, day: date, staff_id: int, etag: str) -> None:
    _check_center(actor, center_id)
    shift = await _shift_row(center_id, shift_id)
    async with db.write_transaction():
        current = await _cell_staff(shift_id, day)
        if cell_etag(current) != etag:
            raise CellConflict("该格已被其他负责人修改，已显示最新安排，请确认后再操作")
        if staff_id not in current:
            raise RosterError("此人不在该班次")
        await Assignment.delete().where((Assignment.shift_type == shift_id) & (Assignment.day == day)
                                        & (Assignment.staff == staff_id))
        name = (await _names(staff_id))[staff_id]
        await _log_if_published(actor, center_id, day, f"{_day_label(day)} {shift['name']}：撤下 {name}")
        await audit.record("roster.unassign", actor=actor, center_id=center_id, object_type="slot",
                           object_id=f"{shift_id}:{day.isoformat()}", detail={"staff": staff_id})


async def swap(actor: CurrentUser, center_id: int, first: tuple[int, date, int], second: tuple[int, date, int],
               etag: str | None = None) -> None:
    """Exchange two assignments: (shift, day, person A) and (shift, day, person B) trade people."""
    _check_center(actor, center_id)
    (shift_a, day_a, staff_a), (shift_b, day_b, staff_b) = first, second
    if staff_a == staff_b:
        raise RosterError("请选择另一位同事的班次进行交换")
    row_a, row_b = await _shift_row(center_id, shift_a), await _shift_row(center_id, shift_b)
    async with db.write_transaction():
        cell_a, cell_b = await _cell_staff(shift_a, day_a), await _cell_staff(shift_b, day_b)
        if etag is not None and cell_etag(cell_a) != etag:
            raise CellConflict("该格已被其他负责人修改，已显示最新安排，请确认后再操作")
        if staff_a not in cell_a or staff_b not in cell_b:
            raise CellConflict("要交换的班次已被修改，请刷新后重试")
        if (shift_a, day_a) != (shift_b, day_b) and (staff_b in cell_a or staff_a in cell_b):
            raise RosterError("交换后会有人在同一班次出现两次")
        for shift, day, old, new in ((shift_a, day_a, staff_a, staff_b), (shift_b, day_b, staff_b, staff_a)):
            await Assignment.update({Assignment.staff: new, Assignment.manual: True}).where(
                (Assignment.shift_type == shift) & (Assignment.day == day) & (Assignment.staff == old))
        names = await _names(staff_a, staff_b)
        text = (f"交换：{_day_label(day_a)} {row_a['name']} {names[staff_a]} ⇄ "
                f"{_day_label(day_b)} {row_b['name']} {names[staff_b]}")
        await _log_if_published(actor, center_id, day_a, text)
        if monday_of(day_b) != monday_of(day_a):
            await _log_if_published(actor, center_id, day_b, text)
        await audit.record("roster.swap", actor=actor, center_id=center_id, object_type="slot",
                           object_id=f"{shift_a}:{day_a.isoformat()}",
                           detail={"with": f"{shift_b}:{day_b.isoformat()}", "staff": [staff_a, staff_b]})


async def add_leave(actor: CurrentUser, center_id: int, staff_id: int, start: date, end: date, reason: str) -> int:
    """Mark leave; the person's shifts in those days are taken off (and logged if the week is published)."""
    _check_center(actor, center_id)
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
            await _log_if_published(actor, center_id, row["day"],
                                    f"{_day_label(row['day'])} {person['display_name']} 请假，撤下其班次")
        await audit.record("roster.leave", actor=actor, center_id=center_id, object_type="staff", object_id=staff_id,
                           detail={"start": start.isoformat(), "end": end.isoformat(), "removed": len(removed)})
    return len(removed)


async def publish(actor: CurrentUser, center_id: int, any_day: date, confirmed: str | None = None) -> None:
    """Publish a week: from now on residents see it. A week with conflicts, missing or surplus people is
    published only with `confirmed` equal to the fingerprint of the warnings the manager was shown."""
    _check_center(actor, center_id)
    monday = monday_of(any_day)
    week = await week_view(actor, center_id, monday)
    if week.warnings and confirmed != week.fingerprint:
        raise PublishNeedsConfirmation(week.warnings, week.fingerprint)
    async with db.write_transaction():
        await RosterWeek.insert(RosterWeek(center=center_id, week=monday, status="published", published_at=utcnow(),
                                           published_by=actor.id)).on_conflict(
            target=(RosterWeek.center, RosterWeek.week), action="DO UPDATE",
            values=[RosterWeek.status, RosterWeek.published_at, RosterWeek.published_by])
        await audit.record("roster.publish", actor=actor, center_id=center_id, object_type="week",
                           object_id=monday.isoformat(), detail={"warnings_confirmed": len(week.warnings)})


# ---------------------------------------------------------------- rotation


async def rotation_input(center_id: int, first: date, last: date, calendar: WorkCalendar) -> RotationInput:
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
                await _log_if_published(actor, center_id, monday, f"自动补位 {len(added)} 个班次")
        if actor is not None:
            await audit.record("roster.rotate", actor=actor, center_id=center_id, object_type="week",
                               object_id=monday.isoformat(), detail={"added": len(added)})
    return len(added)


async def centers_with_shifts() -> list[int]:
    rows = await ShiftType.select(ShiftType.center).where(ShiftType.active == True).distinct()  # noqa: E712
    return sorted({r["center"] for r in rows})


def horizon_weeks(today: date, weeks: int = HORIZON_WEEKS) -> list[date]:
    first = monday_of(today)
    return [first + timedelta(weeks=i) for i in range(weeks)]


# ---------------------------------------------------------------- swap requests


async def swap_requests(center_id: int, *, status: str | None = None, staff_id: int | None = None) -> list[dict]:
    query = SwapRequest.select(
        SwapRequest.all_columns(), SwapRequest.requester.display_name.as_alias("requester_name"),
        SwapRequest.colleague.display_name.as_alias("colleague_name"),
        SwapRequest.shift_type.name.as_alias("shift_name"), SwapRequest.other_shift_type.name.as_alias("other_shift_name"),
        SwapRequest.decided_by.display_name.as_alias("decided_by_name"),
    ).where(SwapRequest.center == center_id)
    if status:
        query = query.where(SwapRequest.status == status)
    if staff_id is not None:
        query = query.where((SwapRequest.requester == staff_id) | (SwapRequest.colleague == staff_id))
    return await query.order_by(SwapRequest.created_at, ascending=False).limit(100)


async def request_swap(actor: CurrentUser, shift_id: int, day: date, colleague_id: int,
                       other: tuple[int, date] | None, note: str, today: date) -> int:
    """A worker asks to hand one of their shifts to a colleague (optionally taking one of theirs in exchange)."""
    if actor.center_id is None:
        raise RosterError("没有所属中心")
    if day < today:
        raise RosterError("不能申请调换已过去的班次")
    if colleague_id == actor.id:
        raise RosterError("请选择一位同事")
    if len(note or "") > 200:
        raise RosterError("说明不能超过 200 个字")
    if actor.id not in await _cell_staff(shift_id, day):
        raise RosterError("只能申请调换自己的班次")
    colleague = await Staff.select(Staff.center, Staff.active).where(Staff.id == colleague_id).first()
    if colleague is None or colleague["center"] != actor.center_id or not colleague["active"]:
        raise RosterError("请选择本中心在岗的同事")
    if other is not None and colleague_id not in await _cell_staff(other[0], other[1]):
        raise RosterError("所选同事并不在要交换的班次上")
    if await SwapRequest.exists().where((SwapRequest.requester == actor.id) & (SwapRequest.shift_type == shift_id)
                                        & (SwapRequest.day == day) & (SwapRequest.status == "pending")):
        raise RosterError("该班次已有待审批的调换申请")
    row = await SwapRequest.insert(SwapRequest(
        center=actor.center_id, requester=actor.id, shift_type=shift_id, day=day, colleague=colleague_id,
        other_shift_type=other[0] if other else None, other_day=other[1] if other else None,
        note=(note or "").strip(), status="pending", created_at=utcnow(),
    )).returning(SwapRequest.id)
    await audit.record("roster.swap_request", actor=actor, object_type="swap", object_id=row[0]["id"])
    return row[0]["id"]


async def decide_swap(actor: CurrentUser, request_id: int, approve: bool, note: str = "") -> None:
    """The manager approves (the roster changes) or refuses a swap request; both workers see the outcome."""
    req = await SwapRequest.select().where(SwapRequest.id == request_id).first()
    if req is None:
        raise NotFound("没有这条调换申请")
    _check_center(actor, req["center"])
    if req["status"] != "pending":
        raise RosterError("该申请已处理")
    if approve:
        cell = await _cell_staff(req["shift_type"], req["day"])
        if req["other_shift_type"] is not None:
            await swap(actor, req["center"], (req["shift_type"], req["day"], req["requester"]),
                       (req["other_shift_type"], req["other_day"], req["colleague"]))
        else:
            if req["requester"] not in cell:
                raise RosterError("申请人已不在该班次，无法调换")
            await unassign(actor, req["center"], req["shift_type"], req["day"], req["requester"], cell_etag(cell))
            after = await _cell_staff(req["shift_type"], req["day"])
            await assign(actor, req["center"], req["shift_type"], req["day"], req["colleague"], cell_etag(after))
    await SwapRequest.update({
        SwapRequest.status: "approved" if approve else "refused", SwapRequest.decided_by: actor.id,
        SwapRequest.decided_at: utcnow(), SwapRequest.decision_note: (note or "").strip()[:200],
    }).where(SwapRequest.id == request_id)
    await audit.record("roster.swap_" + ("approve" if approve else "refuse"), actor=actor, center_id=req["center"],
                       object_type="swap", object_id=request_id)


# ---------------------------------------------------------------- a person's duty and the iCal feed


async def my_duty(staff_id: int, first: date, days: int = 42) -> list[dict]:
    """A person's shifts from `first`, each marked `published` (its week is) and `on_leave` (a conflict)."""
    last = first + timedelta(days=days)
    rows = await Assignment.select(
        Assignment.shift_type, Assignment.day, Assignment.center, Assignment.shift_type.name.as_alias("shift_name"),
        Assignment.shift_type.start.as_alias("start"), Assignment.shift_type.end.as_alias("end"),
    ).where((Assignment.staff == staff_id) & (Assignment.day >= first)
            & (Assignment.day <= last)).order_by(Assignment.day).order_by(Assignment.shift_type.start)
    published: set[date] = set()
    for center_id in {r["center"] for r in rows}:
        published |= await published_weeks(center_id, first, last)
    leave = await _leave_days_of(staff_id, first, last)
    for row in rows:
        row["published"] = monday_of(row["day"]) in published
        row["on_leave"] = row["day"] in leave
    return rows


async def _leave_days_of(staff_id: int, first: date, last: date) -> set[date]:
    days = set()
    for row in await Leave.select(Leave.start, Leave.end).where(
            (Leave.staff == staff_id) & (Leave.start <= last) & (Leave.end >= first)):
        current = max(row["start"], first)
        while current <= min(row["end"], last):
            days.add(current)
            current += timedelta(days=1)
    return days


async def duty_view(actor: CurrentUser, today: date) -> dict:
    """A worker's next shifts, the colleagues' shifts they could swap with, their swap requests, their feed token."""
    mine = await my_duty(actor.id, today)
    colleagues = [s for s in await staff_of(actor.center_id) if s["id"] != actor.id] if actor.center_id else []
    others = []
    if actor.center_id and mine:
        names = {c["id"]: c["display_name"] for c in colleagues}
        shifts = {s.id: s.name for s in await shift_specs(actor.center_id)}
        for a in sorted(await assignments_between(actor.center_id, today, mine[-1]["day"]),
                        key=lambda a: (a["day"], a["shift_type"])):
            if a["staff"] in names:
                others.append({"value": f"{a['shift_type']}:{a['day'].isoformat()}:{a['staff']}",
                               "label": f"{a['day'].month}月{a['day'].day}日 {shifts.get(a['shift_type'], '')} "
                                        f"{names[a['staff']]}"})
    return {
        "mine": mine, "colleagues": colleagues, "others": others,
        "requests": await swap_requests(actor.center_id, staff_id=actor.id) if actor.center_id else [],
        "ical_token": await ical_token(actor.id),
    }


async def ical_token(staff_id: int) -> str:
    """The staff member's unguessable feed token, made on first use."""
    row = await Staff.select(Staff.ical_token).where(Staff.id == staff_id).first()
    if row and row["ical_token"]:
        return row["ical_token"]
    token = secrets.token_urlsafe(24)
    await Staff.update({Staff.ical_token: token}).where(Staff.id == staff_id)
    return token


async def ical_feed(token: str, today: date) -> bytes:
    from icalendar import Calendar, Event, Timezone

    if not token or len(token) > 48:
        raise NotFound("没有这个日历")
    person = await Staff.select(Staff.id, Staff.display_name, Staff.center.name.as_alias("center_name")).where(
        (Staff.ical_token == token) & (Staff.active == True)).first()  # noqa: E712
    if person is None:
        raise NotFound("没有这个日历")
    cal = Calendar()
    cal.add("prodid", "-//center//duty roster//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{person['display_name']} 的值班")
    cal.add("x-wr-timezone", LOCAL_TZ.key)
    # RFC 5545 §3.2.19: a TZID used by DTSTART/DTEND is defined by a VTIMEZONE in the same object. Asia/Shanghai
    # has kept +08:00 without daylight saving since 1991, so one STANDARD block covers every shift.
    cal.add_component(Timezone.from_tzinfo(LOCAL_TZ, first_date=date(1992, 1, 1), last_date=date(2100, 1, 1)))
    stamp = utcnow()
    # Published weeks only (a draft may still change), and never a day the person is on leave.
    for duty in await my_duty(person["id"], today - timedelta(days=14), days=90):
        if not duty["published"] or duty["on_leave"]:
            continue
        event = Event()
        event.add("uid", f"{person['id']}-{duty['shift_type']}-{duty['day'].isoformat()}@center")
        event.add("summary", f"{duty['shift_name']}（{person['center_name']}）")
        event.add("dtstart", datetime.combine(duty["day"], duty["start"], tzinfo=LOCAL_TZ))
        event.add("dtend", datetime.combine(duty["day"], duty["end"], tzinfo=LOCAL_TZ))
        event.add("dtstamp", stamp)
        cal.add_component(event)
    return cal.to_ical()


# ---------------------------------------------------------------- shift types


async def shift_types_view(actor: CurrentUser, center_id: int) -> dict:
    _check_center(actor, center_id)
    types = await ShiftType.select().where(ShiftType.center == center_id).order_by(ShiftType.sort_order).order_by(ShiftType.start)
    eligible: dict[int, set[int]] = defaultdict(set)
    for row in await ShiftEligibility.select(ShiftEligibility.shift_type, ShiftEligibility.staff).where(
            ShiftEligibility.shift_type.is_in([t["id"] for t in types] or [0])):
        eligible[row["shift_type"]].add(row["staff"])
    for t in types:
        t["eligible"] = eligible[t["id"]]
        t["kinds"] = t["day_kinds"].split(",")
    return {"types": types, "staff": await staff_of(center_id)}


SHIFT_STAFF = Bounds("每班人数", "人", 1, 20)


async def save_shift_type(actor: CurrentUser, center_id: int, shift_id: int | None, *, name: str, start: str, end: str,
                          day_kinds: list[str], needed: int | None, eligible: list[int], active: bool = True) -> int:
    """Create or change a shift type (manager); staff outside the center are ignored, audit-logged."""
    from datetime import time as dtime

    _check_center(actor, center_id)
    name = " ".join((name or "").split())
    if not name or len(name) > 40:
        raise RosterError("班次名称须为 1–40 个字")
    try:
        begin, finish = dtime.fromisoformat(start.strip()), dtime.fromisoformat(end.strip())
    except ValueError:
        raise RosterError("开始、结束时间须为 HH:MM") from None
    if finish <= begin:
        raise RosterError("结束时间须晚于开始时间（不支持跨零点的班次）")
    kinds = [k for k in (str(x) for x in DayKind) if k in day_kinds]
    if not kinds:
        raise RosterError("请至少选择一种日期类型")
    try:  # each bound its own message: "每班人数不能为负数", "每班人数最多 20 人"
        needed = check_count(needed if needed is not None else "", SHIFT_STAFF, field="needed")
    except NumberError as exc:
        raise RosterError(str(exc), field=exc.field) from None
    members = {s["id"] for s in await staff_of(center_id)}
    chosen = sorted(set(eligible) & members)
    if not chosen:
        raise RosterError("请至少选择一位可排人员")
    period_kind = "extended" if kinds == ["workday"] else "duty"
    async with db.write_transaction():
        values = dict(name=name, start=begin, end=finish, day_kinds=",".join(kinds), staff_needed=needed,
                      period_kind=period_kind, active=active)
        if shift_id is None:
            order = await ShiftType.count().where(ShiftType.center == center_id)
            shift_id = (await ShiftType.insert(ShiftType(center=center_id, sort_order=order, **values))
                        .returning(ShiftType.id))[0]["id"]
        else:
            row = await ShiftType.select(ShiftType.center).where(ShiftType.id == shift_id).first()
            if row is None or row["center"] != center_id:
                raise NotFound("没有这个班次")
            await ShiftType.update({getattr(ShiftType, k): v for k, v in values.items()}).where(ShiftType.id == shift_id)
            await ShiftEligibility.delete().where(ShiftEligibility.shift_type == shift_id)
        await ShiftEligibility.insert(*[ShiftEligibility(shift_type=shift_id, staff=s) for s in chosen])
        await audit.record("roster.shift_type", actor=actor, center_id=center_id, object_type="shift_type",
                           object_id=shift_id, detail={**{k: str(v) for k, v in values.items()}, "eligible": chosen})
    return shift_id
