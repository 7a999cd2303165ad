"""The working-day calendar: day kinds, holiday names, the N-th working day after a date.

Statutory holidays and make-up working days (调休补班) come from `chinese-calendar` (the State Council's
notices); managers add overrides for years it does not know yet. One calendar serves case deadlines,
roster day kinds and the public screen, so all three agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Iterable, Mapping

import chinese_calendar


class DayKind(StrEnum):
    workday = "workday"
    restday = "restday"
    holiday = "holiday"


DAY_KIND_LABELS = {DayKind.workday: "工作日", DayKind.restday: "休息日", DayKind.holiday: "法定节假日"}

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}

_KNOWN_YEARS = frozenset(d.year for d in chinese_calendar.holidays)
_HOLIDAYS: Mapping[date, str] = {d: HOLIDAY_NAMES_ZH.get(str(h), str(h)) for d, h in chinese_calendar.holidays.items()}
_MAKEUP: Mapping[date, str] = {d: HOLIDAY_NAMES_ZH.get(str(h), str(h)) for d, h in chinese_calendar.workdays.items()}
MAX_WORKDAYS = 3660  # asking for more than ten years of working days is a mistake, not a deadline


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class Override:
    """A manager's ruling for one date: it is a workday, a restday, or a holiday with a name."""

    day: date
    kind: DayKind
    name: str = ""


@dataclass(frozen=True)
class DayInfo:
    day: date
    kind: DayKind
    holiday_name: str | None = None
    makeup: bool = False  # a weekend day that is a working day (调休补班)
    known: bool = True  # the package or an override rules on this date's year
    overridden: bool = False

    @property
    def is_workday(self) -> bool:
        return self.kind == DayKind.workday

    @property
    def label(self) -> str:
        """Short Chinese mark for grids and screens: 班 for a make-up workday, 休, or the holiday's name."""
        if self.makeup:
            return "班"
        if self.kind == DayKind.holiday:
            return self.holiday_name or "节假日"
        if self.kind == DayKind.restday:
            return "休"
        return ""


class WorkCalendar:
    """Day kinds from the statutory calendar, with overrides winning; unknown years fall back to weekdays."""

    def __init__(self, overrides: Iterable[Override] = ()):
        self._overrides = {o.day: o for o in overrides}
        self._override_years = frozenset(d.year for d in self._overrides)
        self._cache: dict[date, DayInfo] = {}
        self._running: dict[int, list[int]] = {}  # year -> working days from 1 January up to each day

    def year_known(self, year: int) -> bool:
        """Whether the statutory arrangement of `year` is known (published in the package, or overridden)."""
        return year in _KNOWN_YEARS or year in self._override_years

    def day(self, day: date) -> DayInfo:
        info = self._cache.get(day)
        if info is None:
            info = self._cache[day] = self._compute(day)
        return info

    def _compute(self, day: date) -> DayInfo:
        weekend = day.weekday() >= 5
        override = self._overrides.get(day)
        known = self.year_known(day.year)
        if override is not None:
            return DayInfo(
                day=day,
                kind=override.kind,
                holiday_name=(override.name or "节假日") if override.kind == DayKind.holiday else None,
                makeup=override.kind == DayKind.workday and weekend,
                known=True,
                overridden=True,
            )
        if day.year in _KNOWN_YEARS:
            if day in _HOLIDAYS:
                return DayInfo(day=day, kind=DayKind.holiday, holiday_name=_HOLIDAYS[day])
            if day in _MAKEUP:
                return DayInfo(day=day, kind=DayKind.workday, holiday_name=None, makeup=True)
        # Unknown years: weekdays work, weekends rest, until the State Council's notice is entered.
        return DayInfo(day=day, kind=DayKind.restday if weekend else DayKind.workday, known=known)

    def is_workday(self, day: date) -> bool:
        return self.day(day).is_workday

    def add_workdays(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (start itself not counted); 0 gives `start` back."""
        if days < 0 or days > MAX_WORKDAYS:
            raise CalendarError(f"工作日数须在 0 到 {MAX_WORKDAYS} 之间")
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_workday(current):
                remaining -= 1
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: 0 when end <= start. Constant time (running counts per year)."""
        if end <= start:
            return 0
        if start.year == end.year:
            return self._through(end) - self._through(start)
        count = self._through(date(start.year, 12, 31)) - self._through(start) + self._through(end)
        for year in range(start.year + 1, end.year):
            count += self._through(date(year, 12, 31))
        return count

    def _through(self, day: date) -> int:
        """Working days from 1 January of day's year up to and including day."""
        running = self._running.get(day.year)
        if running is None:
            running, count, current = [], 0, date(day.year, 1, 1)
            while current.year == day.year:
                count += self.is_workday(current)
                running.append(count)
                current += timedelta(days=1)
            self._running[day.year] = running
        return running[day.timetuple().tm_yday - 1]

    def holidays_in(self, start: date, end: date) -> list[tuple[str, date, date]]:
        """Holiday periods overlapping [start, end] as (name, first day, last day), in order."""
        periods: list[tuple[str, date, date]] = []
        current = start
        while current <= end:
            info = self.day(current)
            if info.kind == DayKind.holiday:
                name = info.holiday_name or "节假日"
                if periods and periods[-1][0] == name and periods[-1][2] == current - timedelta(days=1):
                    periods[-1] = (name, periods[-1][1], current)
                else:
                    periods.append((name, current, current))
            current += timedelta(days=1)
        return periods

    def makeup_days_in(self, start: date, end: date) -> list[date]:
        days = []
        current = start
        while current <= end:
            if self.day(current).makeup:
                days.append(current)
            current += timedelta(days=1)
        return days


def next_year_warning(today: date, calendar: WorkCalendar) -> str | None:
    """From October on, warn when next year's holidays are unknown (the State Council notice comes ~November)."""
    if today.month >= 10 and not calendar.year_known(today.year + 1):
        return (
            f"{today.year + 1} 年法定节假日安排尚未录入：期限计算暂按周一至周五为工作日。"
            "国务院办公厅通知发布后，请在“工作日历”中录入节假日和调休上班日。"
        )
    return None
