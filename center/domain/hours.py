"""Service hours: a center's periods on a date (seasons, exceptions), open or closed now, extended service."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import StrEnum
from typing import Sequence

from center.domain.calendar import DayKind

# Regular hours of the reference district on working days; centers may differ (see the hours settings).
DEFAULT_REGULAR_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))


def in_extended_hours(local_moment: datetime, day_kind: DayKind | str,
                      regular_periods: tuple[tuple[time, time], ...] = DEFAULT_REGULAR_PERIODS) -> bool:
    """A visit outside the regular working-day periods (evenings, lunch, rest days, holidays) is extended service."""
    if DayKind(day_kind) != DayKind.workday:
        return True
    moment = local_moment.time()
    return not any(start <= moment < end for start, end in regular_periods)


class PeriodKind(StrEnum):
    regular = "regular"
    extended = "extended"
    duty = "duty"


PERIOD_LABELS = {PeriodKind.regular: "正常服务", PeriodKind.extended: "延时服务", PeriodKind.duty: "节假日值班"}


@dataclass(frozen=True)
class Period:
    start: time
    end: time
    kind: str = PeriodKind.regular
    label: str = ""

    def covers(self, moment: time) -> bool:
        return self.start <= moment < self.end

    def as_dict(self) -> dict:
        return {"start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M"), "kind": str(self.kind)}


@dataclass(frozen=True)
class Season:
    name: str
    start_md: str  # MM-DD
    end_md: str  # MM-DD inclusive; may wrap the year end (11-15 to 03-15)

    def contains(self, day: date) -> bool:
        md = day.strftime("%m-%d")
        if self.start_md <= self.end_md:
            return self.start_md <= md <= self.end_md
        return md >= self.start_md or md <= self.end_md


@dataclass(frozen=True)
class DayHours:
    day: date
    day_kind: str
    holiday_name: str | None
    periods: tuple[Period, ...]
    closed: bool = False
    reason: str = ""


def hours_for_day(day: date, day_kind: DayKind | str, holiday_name: str | None,
                  periods: Sequence[tuple[str, str, Period]], seasons: Sequence[Season],
                  exception: tuple[bool, Sequence[Period], str] | None = None) -> DayHours:
    """A center's periods on one date: an exception for the date wins; else the season's periods for the day
    kind (when the season defines that day kind), else the year-round ones. The day kind always comes from the
    one calendar, so make-up working days get working-day hours.

    `periods` are (season name or "", day kind, period) rows.
    """
    kind = str(DayKind(day_kind))
    if exception is not None:
        closed, special, reason = exception
        return DayHours(day, kind, holiday_name, () if closed else tuple(sorted(special, key=lambda p: p.start)),
                        closed=closed, reason=reason)
    chosen: list[Period] = []
    for season in seasons:
        if season.contains(day):
            chosen = [p for name, k, p in periods if name == season.name and k == kind]
            if chosen:
                break
    if not chosen:
        chosen = [p for name, k, p in periods if name == "" and k == kind]
    return DayHours(day, kind, holiday_name, tuple(sorted(chosen, key=lambda p: p.start)))


def merged_spans(periods: Sequence[Period]) -> list[tuple[time, time]]:
    """Periods joined where they touch: 08:30–12:00 + 12:00–14:00 (lunch shift) = 08:30–14:00."""
    spans: list[list[time]] = []
    for p in sorted(periods, key=lambda p: p.start):
        if spans and p.start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], p.end)
        else:
            spans.append([p.start, p.end])
    return [(a, b) for a, b in spans]


def open_status(hours: DayHours, moment: time) -> tuple[bool, time | None]:
    """Open now, and until when (the end of the joined span); closed, and when it opens next today (or None)."""
    for start, end in merged_spans(hours.periods):
        if start <= moment < end:
            return True, end
    upcoming = [start for start, _ in merged_spans(hours.periods) if start > moment]
    return False, min(upcoming) if upcoming else None


def public_hours(hours: DayHours, week_published: bool) -> DayHours:
    """What residents are told of a day: extended and duty periods only once the roster week that staffs them is
    published (a draft week has nobody on it for the public, so its evenings and rest days are not promised);
    regular hours always."""
    if week_published:
        return hours
    return replace(hours, periods=tuple(p for p in hours.periods if p.kind == PeriodKind.regular))
