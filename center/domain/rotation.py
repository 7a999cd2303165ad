"""Fair roster rotation: fill open slots from eligible staff, least-loaded first.

Rules (issue #4): equal hours over a rolling window, with rest-day and holiday duty counted
separately so it is shared fairly too; never on leave; never two overlapping shifts for one person; at most a
configurable number of evening shifts per week; manual assignments are never touched; the same input always
gives the same roster, and running it again on its own output adds nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, time
from typing import Iterable, Mapping, Sequence

from center.domain.calendar import DayKind

EVENING_FROM = time(18, 0)  # a shift ending after this counts as an evening shift


@dataclass(frozen=True)
class ShiftSpec:
    id: int
    start: time
    end: time
    day_kinds: frozenset[str]
    needed: int
    eligible: frozenset[int]
    name: str = ""

    @property
    def minutes(self) -> int:
        return _minutes(self.end) - _minutes(self.start)

    @property
    def evening(self) -> bool:
        return self.end > EVENING_FROM

    def applies(self, kind: DayKind | str) -> bool:
        return str(kind) in self.day_kinds


@dataclass(frozen=True)
class Assigned:
    shift_id: int
    day: date
    staff_id: int
    manual: bool = False


@dataclass(frozen=True)
class RotationInput:
    staff: Sequence[int]
    shifts: Sequence[ShiftSpec]
    days: Sequence[tuple[date, DayKind]]
    leave: Mapping[int, frozenset[date]] = field(default_factory=dict)
    existing: Sequence[Assigned] = ()
    # Minutes already worked in the rolling window before the horizon: staff -> (workday, rest/holiday duty).
    history: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    max_evenings_per_week: int = 2


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def overlaps(a: ShiftSpec, b: ShiftSpec) -> bool:
    """Two shifts on the same date overlap when their times intersect (touching ends do not)."""
    return a.start < b.end and b.start < a.end


def week_of(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


@dataclass(frozen=True)
class DutyLoad:
    """What each person already holds in a stretch of days: their shifts on each date and their evening shifts in
    each ISO week (Monday to Sunday). Read with `same_day` and `evenings`."""

    by_day: Mapping[tuple[int, date], tuple[ShiftSpec, ...]]
    evenings_by_week: Mapping[tuple[int, tuple[int, int]], int]

    def same_day(self, staff_id: int, day: date) -> list[ShiftSpec]:
        """The shifts `staff_id` holds on `day` (to check overlaps)."""
        return list(self.by_day.get((staff_id, day), ()))

    def evenings(self, staff_id: int, day: date) -> int:
        """How many evening shifts `staff_id` holds in the week of `day`."""
        return self.evenings_by_week.get((staff_id, week_of(day)), 0)


def duty_load(assignments: Iterable[Assigned], shifts: Mapping[int, ShiftSpec]) -> DutyLoad:
    """Same-day shifts and evenings per week of every person (the bookkeeping behind "与其他班次时间重叠" and
    "本周晚班超过 N 次"); an assignment of a shift type not in `shifts` (a stopped one) counts for nothing."""
    by_day: dict[tuple[int, date], list[ShiftSpec]] = defaultdict(list)
    evenings: Counter[tuple[int, tuple[int, int]]] = Counter()
    for a in assignments:
        shift = shifts.get(a.shift_id)
        if shift is None:
            continue
        by_day[(a.staff_id, a.day)].append(shift)
        if shift.evening:
            evenings[(a.staff_id, week_of(a.day))] += 1
    return DutyLoad({k: tuple(v) for k, v in by_day.items()}, dict(evenings))


class _Book:
    """Running load of every staff member while the rotation fills slots."""

    def __init__(self, data: RotationInput):
        self.shifts = {s.id: s for s in data.shifts}
        self.kind_of = dict(data.days)
        self.load: dict[int, list[int]] = {s: list(data.history.get(s, (0, 0))) for s in data.staff}
        self.busy: dict[tuple[int, date], list[ShiftSpec]] = defaultdict(list)
        self.evenings: Counter[tuple[int, tuple[int, int]]] = Counter()
        self.in_slot: dict[tuple[int, date], set[int]] = defaultdict(set)

    def add(self, shift: ShiftSpec, day: date, staff_id: int) -> None:
        self.in_slot[(shift.id, day)].add(staff_id)
        self.busy[(staff_id, day)].append(shift)
        if shift.evening:
            self.evenings[(staff_id, week_of(day))] += 1
        if staff_id in self.load:
            duty = self.kind_of.get(day, DayKind.workday) != DayKind.workday
            self.load[staff_id][1 if duty else 0] += shift.minutes


def problems(shift: ShiftSpec, day: date, staff_id: int, *, on_leave: bool, same_day: Iterable[ShiftSpec],
             evenings_this_week: int, max_evenings_per_week: int) -> list[str]:
    """Why this person should not be in this slot (Chinese, for the roster cell); empty when fine."""
    found = []
    if on_leave:
        found.append("当天请假")
    if any(overlaps(shift, other) for other in same_day if other.id != shift.id):
        found.append("与其他班次时间重叠")
    if shift.evening and evenings_this_week > max_evenings_per_week:
        found.append(f"本周晚班超过 {max_evenings_per_week} 次")
    if staff_id not in shift.eligible:
        found.append("不在该班次的可排人员中")
    return found


def rotate(data: RotationInput) -> list[Assigned]:
    """New automatic assignments that fill the open slots of the horizon; existing ones are kept as they are."""
    book = _Book(data)
    for a in data.existing:
        shift = book.shifts.get(a.shift_id)
        if shift is not None:
            book.add(shift, a.day, a.staff_id)
    staff = set(data.staff)
    added: list[Assigned] = []
    for day, kind in sorted(data.days):
        duty = kind != DayKind.workday
        for shift in sorted(data.shifts, key=lambda s: (s.start, s.id)):
            if not shift.applies(kind):
                continue
            filled = book.in_slot[(shift.id, day)]
            for _ in range(shift.needed - len(filled)):
                candidates = [
                    s for s in shift.eligible & staff
                    if s not in filled
                    and day not in data.leave.get(s, frozenset())
                    and not any(overlaps(shift, other) for other in book.busy[(s, day)])
                    and not (shift.evening and book.evenings[(s, week_of(day))] >= data.max_evenings_per_week)
                ]
                if not candidates:
                    break  # under-staffed: the roster grid shows it
                pick = min(candidates, key=lambda s: (book.load[s][1 if duty else 0], sum(book.load[s]), s))
                book.add(shift, day, pick)
                added.append(Assigned(shift.id, day, pick, manual=False))
    return added


def shift_hours(assignments: Iterable[Assigned], shifts: Mapping[int, ShiftSpec],
                kinds: Mapping[date, DayKind]) -> dict[int, tuple[int, int]]:
    """Minutes per staff member, split into workday shifts and rest-day/holiday duty."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for a in assignments:
        shift = shifts.get(a.shift_id)
        if shift is None:
            continue
        duty = kinds.get(a.day, DayKind.workday) != DayKind.workday
        totals[a.staff_id][1 if duty else 0] += shift.minutes
    return {k: (v[0], v[1]) for k, v in totals.items()}

