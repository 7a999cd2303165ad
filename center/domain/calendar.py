"""The working-day calendar: day kinds, holiday names, the N-th working day after a date.

Where each year's arrangement comes from (its `source`):
- "statutory-data": `chinese-calendar` ships the State Council's notices (holidays and 调休 make-up days);
- "notice": a district admin entered the year's State Council notice (it wins over the package);
- "provisional": nobody knows the year yet. The statutory holidays still follow their rules (全国年节及纪念日放假办法,
  2025 revision: 元旦 1 day, 春节 4 days with 除夕, 清明, 劳动节 2 days, 端午, 中秋, 国庆 3 days, a holiday falling on
  a weekend made up on the next working day), computed on the solar and lunar calendars by the `holidays` package's
  China calendar; only the 调休 make-up working days are unknown, so dates counted in such a year are provisional.
Single-date overrides win over all three. One calendar serves case deadlines, roster day kinds and the public
screen, so all three agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Iterable, Mapping

import chinese_calendar
import holidays as holiday_rules


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


def statutory_data_knows(year: int) -> bool:
    """Whether `chinese-calendar` ships `year`'s State Council notice."""
    return year in _KNOWN_YEARS


class Source(StrEnum):
    statutory_data = "statutory-data"
    notice = "notice"
    provisional = "provisional"


SOURCE_LABELS = {Source.statutory_data: "内置法定数据", Source.notice: "已录入国务院通知",
                 Source.provisional: "预计（放假安排未公布）"}
MAKEUP_NAME = "调休上班"
RESTDAY_NAME = "休息日"


def _rule_name(raw: str) -> str | None:
    """The festival a rule day belongs to: 除夕 is part of 春节; a 补假 day keeps its festival's name."""
    names = []
    for part in raw.split(";"):
        part = part.strip()
        if part.startswith("休息日"):  # a known year's 调休 swap: not a rule, and never asked for unknown years
            continue
        part = re.sub(r"（[^）]*）$", "", part)  # （补假）, （推定）, （补假，推定）
        part = "春节" if part == "农历除夕" else part
        if part and part not in names:
            names.append(part)
    return "、".join(names) or None


@lru_cache(maxsize=64)
def rule_holidays(year: int) -> Mapping[date, str]:
    """The statutory holidays of `year` by their rules alone (no State Council 调休): the days off a notice must contain.

    元旦 1 January; 春节 除夕 and the first three lunar days; 清明; 劳动节 1–2 May; 端午; 中秋; 国庆 1–3 October;
    a holiday on a Saturday or Sunday is made up on the next working day (放假办法第六条). From `holidays.China`.
    """
    try:
        found = holiday_rules.China(years=year, language="zh_CN")
    except (NotImplementedError, ValueError, KeyError):  # beyond the lunar tables: weekdays only
        return {}
    days = {}
    for day, raw in sorted(found.items()):
        name = _rule_name(str(raw))
        if name:
            days[day] = name
    return days


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class Override:
    """A district admin's ruling for one date: it is a workday, a restday, or a holiday with a name."""

    day: date
    kind: DayKind
    name: str = ""


MAX_PERIOD_DAYS = 31
MAX_NAME = 40
MAX_TITLE = 100


@dataclass(frozen=True)
class HolidayPeriod:
    """One line of a notice: a festival's days off, first to last inclusive (e.g. 春节 2月5日至13日)."""

    name: str
    first: date
    last: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Notice:
    """A year's State Council notice (国务院办公厅关于部分节假日安排的通知): its holidays and 调休 make-up working days.

    Once entered it is the whole arrangement of its year: the days it lists, and weekdays/weekends otherwise.
    """

    year: int
    periods: tuple[HolidayPeriod, ...]
    makeup_days: tuple[date, ...] = ()
    title: str = ""

    def day_kinds(self) -> dict[date, tuple[DayKind, str]]:
        kinds: dict[date, tuple[DayKind, str]] = {}
        for period in self.periods:
            for day in period.days():
                kinds[day] = (DayKind.holiday, period.name)
        for day in self.makeup_days:
            kinds[day] = (DayKind.workday, "")
        return kinds


def _notice_window(year: int) -> tuple[date, date]:
    """A notice's dates lie in its year, or in the December before (元旦 may start on 30 December)."""
    return date(year - 1, 12, 1), date(year, 12, 31)


def _parse_day(raw: str) -> date | None:
    raw = (raw or "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise CalendarError(f"“{raw[:20]}”不是有效日期（YYYY-MM-DD）") from None


def parse_notice(year: int, names: Iterable[str], firsts: Iterable[str], lasts: Iterable[str],
                 makeup: Iterable[str], title: str = "") -> Notice:
    """Check a notice as typed (rows of festival, first and last day; make-up days) and build it.

    Blank rows are skipped; a row without a last day is one day long. Raises CalendarError listing every problem
    in Chinese: dates outside the year, a last day before the first, overlapping periods, a make-up day that is
    not a Saturday or Sunday or that falls in a holiday.
    """
    if not (2000 <= year <= 2100):
        raise CalendarError("年份须在 2000–2100 之间")
    low, high = _notice_window(year)
    errors: list[str] = []
    periods: list[HolidayPeriod] = []
    for number, (name, raw_first, raw_last) in enumerate(zip(names, firsts, lasts), start=1):
        name, raw_first, raw_last = (name or "").strip(), (raw_first or "").strip(), (raw_last or "").strip()
        if not (raw_first or raw_last):
            continue
        label = f"第 {number} 行（{name or '未命名'}）"
        try:
            first = _parse_day(raw_first)
            last = _parse_day(raw_last) or first
        except CalendarError as exc:
            errors.append(f"{label}：{exc}")
            continue
        if first is None:
            errors.append(f"{label}：请填写放假开始日期")
            continue
        if not name:
            errors.append(f"{label}：请填写节日名称")
        elif len(name) > MAX_NAME:
            errors.append(f"{label}：名称不能超过 {MAX_NAME} 个字")
        if last < first:
            errors.append(f"{label}：结束日期早于开始日期")
        elif not (low <= first and last <= high):
            errors.append(f"{label}：日期须在 {year} 年内（元旦假期可从上年 12 月开始）")
        elif (last - first).days + 1 > MAX_PERIOD_DAYS:
            errors.append(f"{label}：一次放假不能超过 {MAX_PERIOD_DAYS} 天")
        else:
            periods.append(HolidayPeriod(name, first, last))
    periods.sort(key=lambda p: p.first)
    for before, after in zip(periods, periods[1:]):
        if after.first <= before.last:
            errors.append(f"{before.name}与{after.name}的放假日期重叠")
    off = {day for period in periods for day in period.days()}
    makeup_days: set[date] = set()
    for raw in makeup:
        try:
            day = _parse_day(raw)
        except CalendarError as exc:
            errors.append(f"调休上班日：{exc}")
            continue
        if day is None:
            continue
        if not (low <= day <= high):
            errors.append(f"调休上班日 {day.isoformat()}：日期须在 {year} 年内")
        elif day.weekday() < 5:
            errors.append(f"调休上班日 {day.isoformat()}：须为周六或周日（工作日本来就上班）")
        elif day in off:
            errors.append(f"调休上班日 {day.isoformat()}：这一天在放假日期内")
        else:
            makeup_days.add(day)
    title = (title or "").strip()
    if len(title) > MAX_TITLE:
        errors.append(f"通知标题不能超过 {MAX_TITLE} 个字")
    if not periods and not errors:
        errors.append("请至少填写一个节日的放假日期")
    if errors:
        raise CalendarError("；".join(errors))
    return Notice(year=year, periods=tuple(periods), makeup_days=tuple(sorted(makeup_days)), title=title)


def rule_periods(year: int) -> list[HolidayPeriod]:
    """The rules' holidays of `year` grouped into periods: the starting point of a notice form."""
    periods: list[HolidayPeriod] = []
    for day, name in sorted(rule_holidays(year).items()):
        if periods and periods[-1].name == name and periods[-1].last == day - timedelta(days=1):
            periods[-1] = HolidayPeriod(name, periods[-1].first, day)
        else:
            periods.append(HolidayPeriod(name, day, day))
    return periods


@dataclass(frozen=True)
class DayInfo:
    day: date
    kind: DayKind
    holiday_name: str | None = None
    makeup: bool = False  # a weekend day that is a working day (调休补班)
    known: bool = True  # the year's arrangement is known (package or notice); False: provisional
    overridden: bool = False

    @property
    def is_workday(self) -> bool:
        return self.kind == DayKind.workday

    @property
    def provisional(self) -> bool:
        return not self.known

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

    @property
    def name(self) -> str:
        """What the day is called in lists: the holiday's name, 调休上班, 休息日, or "" for an ordinary workday."""
        if self.kind == DayKind.holiday:
            return self.holiday_name or "节假日"
        if self.makeup:
            return MAKEUP_NAME
        if self.kind == DayKind.restday:
            return RESTDAY_NAME
        return ""


class WorkCalendar:
    """Day kinds: overrides, then entered notices, then the package's years, then the rules (provisional)."""

    def __init__(self, overrides: Iterable[Override] = (), notices: Iterable[Notice] = ()):
        self._overrides = {o.day: o for o in overrides}
        self._notices = {n.year: n for n in notices}
        self._notice_days: dict[date, tuple[DayKind, str]] = {}
        for notice in sorted(self._notices.values(), key=lambda n: n.year):
            self._notice_days.update(notice.day_kinds())
        self._cache: dict[date, DayInfo] = {}
        self._running: dict[int, list[int]] = {}  # year -> working days from 1 January up to each day

    def year_known(self, year: int) -> bool:
        """Whether the State Council arrangement of `year` is known: shipped in the package, or entered as a notice."""
        return year in _KNOWN_YEARS or year in self._notices

    def source(self, year: int) -> Source:
        """Where `year`'s arrangement comes from: an entered notice wins over the package; otherwise the rules."""
        if year in self._notices:
            return Source.notice
        if year in _KNOWN_YEARS:
            return Source.statutory_data
        return Source.provisional

    def notice(self, year: int) -> Notice | None:
        return self._notices.get(year)

    def with_notice(self, notice: Notice) -> "WorkCalendar":
        """The same calendar with `notice` entered (replacing any notice of its year): for previews."""
        return WorkCalendar(self._overrides.values(), {**self._notices, notice.year: notice}.values())

    def with_overrides(self, overrides: Iterable[Override]) -> "WorkCalendar":
        return WorkCalendar(overrides, self._notices.values())

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
                known=known,
                overridden=True,
            )
        noticed = self._notice_days.get(day)
        if noticed is not None:
            kind, name = noticed
            return DayInfo(day=day, kind=kind, holiday_name=name if kind == DayKind.holiday else None,
                           makeup=kind == DayKind.workday and weekend, known=known)
        if day.year in self._notices:
            pass  # the notice is the whole arrangement of its year: other days follow the week
        elif day.year in _KNOWN_YEARS:
            if day in _HOLIDAYS:
                return DayInfo(day=day, kind=DayKind.holiday, holiday_name=_HOLIDAYS[day])
            if day in _MAKEUP:
                return DayInfo(day=day, kind=DayKind.workday, holiday_name=None, makeup=True)
        else:
            # Unknown year: the statutory holidays by their rules; 调休 make-up days cannot be known yet.
            name = rule_holidays(day.year).get(day)
            if name is not None:
                return DayInfo(day=day, kind=DayKind.holiday, holiday_name=name, known=False)
        return DayInfo(day=day, kind=DayKind.restday if weekend else DayKind.workday, known=known)

    def unknown_years(self, start: date, end: date) -> list[int]:
        """Years of the days counted in (start, end] whose arrangement is not known yet (provisional)."""
        if end <= start:
            return []
        first = start + timedelta(days=1)
        return [year for year in range(first.year, end.year + 1) if not self.year_known(year)]

    def is_provisional(self, start: date, end: date) -> bool:
        """A date reached by counting working days through a provisional year may move once its notice is out."""
        return bool(self.unknown_years(start, end))

    def special_days(self, year: int) -> list[DayInfo]:
        """Every day of `year` that is not an ordinary workday: holidays, weekends, weekend make-up workdays."""
        days, current = [], date(year, 1, 1)
        while current.year == year:
            info = self.day(current)
            if not info.is_workday or info.makeup:
                days.append(info)
            current += timedelta(days=1)
        return days

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
            f"{today.year + 1} 年放假安排尚未录入：期限暂按法定节假日规则预计，调休上班日未知。"
            "国务院办公厅通知发布后，请区级管理员在“工作日历”中录入放假安排。"
        )
    return None
