"""Months, weeks and the Chinese weekday names, and the years, months and days asked for in an address (?month=2026-12, ?year=2026, ?week=2026-12-07): issue #11,
finding 10. Empty means the page's default (a plain form's 全部 or an address without it); anything else must be
a real date within the years the center keeps, or the person is told in Chinese what to type (422), never a
traceback from a date that Python cannot build (year 10000 after ?month=9999-12)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from center.domain import DomainError

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the statutory calendar's rules and the API's documented range
RANGE_TEXT = f"{FIRST_YEAR}—{LAST_YEAR} 年"

_YEAR = re.compile(r"[0-9]{4}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


WEEKDAYS = "一二三四五六日"  # date.weekday() 0..6 -> 一..日, as in 周一 and 星期一


def weekday_name(day: date) -> str:
    """The weekday as written after 周 or 星期: 2026-12-07 -> 一."""
    return WEEKDAYS[day.weekday()]


def month_day(day: date) -> str:
    """A date within its year as people write it: 12月7日."""
    return f"{day.month}月{day.day}日"


def month_day_weekday(day: date) -> str:
    """A date with its weekday, as on notices and warning lists: 12月7日（周一）."""
    return f"{month_day(day)}（周{weekday_name(day)}）"


def monday_of(day: date) -> date:
    """A week runs Monday to Sunday (China's working week): the Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def week_days(day: date) -> list[date]:
    """The seven days, Monday first, of the week holding `day`."""
    monday = monday_of(day)
    return [monday + timedelta(days=i) for i in range(7)]


def month_start(day: date) -> date:
    """The first day of the month holding `day`."""
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after the one holding `day`."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def month_end(day: date) -> date:
    """The last day of the month holding `day`."""
    return next_month(day) - timedelta(days=1)


def year_month(day: date) -> str:
    """A month as an address and a file name write it: 2026-12."""
    return f"{day.year:04d}-{day.month:02d}"


class PeriodError(DomainError):
    """A year, month or day in the address that is not one; the message says what to type instead."""


def _clean(raw: str | None) -> str:
    return (raw or "").strip()


def _in_range(year: int, label: str, shown: str) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"{label}“{shown}”超出范围：只能查看 {RANGE_TEXT}")
    return year


def check_year(year: int, label: str) -> int:
    """A date that parsed (the API's typed parameters) but lies outside the years the center keeps: 422."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"{label} 的年份 {year} 超出范围：只能查看 {RANGE_TEXT}")
    return year


def _shown(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "…"


def year_param(raw: str | None, label: str = "年份") -> int | None:
    """?year=2026 -> 2026; empty -> None."""
    text = _clean(raw)
    if not text:
        return None
    if not _YEAR.fullmatch(text):
        raise PeriodError(f"{label}“{_shown(text)}”无法识别：请写四位年份，例如 2026")
    return _in_range(int(text), label, text)


def month_number_param(raw: str | None, label: str = "月份") -> int | None:
    """?month=3 within a year's page -> 3; empty -> None."""
    text = _clean(raw)
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,2}", text) or not 1 <= int(text) <= 12:
        raise PeriodError(f"{label}“{_shown(text)}”无法识别：请写 1 到 12 之间的月份")
    return int(text)


def month_param(raw: str | None, label: str = "月份") -> date | None:
    """?month=2026-12 -> 2026-12-01; empty -> None."""
    text = _clean(raw)
    if not text:
        return None
    match = _MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"{label}“{_shown(text)}”无法识别：请按“年-月”写，例如 2026-12")
    return date(_in_range(int(match.group(1)), label, text), int(match.group(2)), 1)


def month_or_year_param(raw: str | None) -> tuple[date, bool] | None:
    """?month=2026-12 -> (2026-12-01, False); ?month=2026 (the whole year) -> (2026-01-01, True); empty -> None."""
    text = _clean(raw)
    if not text:
        return None
    if _YEAR.fullmatch(text):
        return date(_in_range(int(text), "年份", text), 1, 1), True
    match = _MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"期间“{_shown(text)}”无法识别：请写“年-月”（例如 2026-12）或整年（例如 2026）")
    return month_param(text), False  # type: ignore[return-value]


def day_param(raw: str | None, label: str = "日期") -> date | None:
    """?week=2026-12-07 or ?day=2026-12-07 -> that date; empty -> None."""
    text = _clean(raw)
    if not text:
        return None
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"{label}“{_shown(text)}”无法识别：请按“年-月-日”写，例如 2026-12-07") from None
    _in_range(day.year, label, text)
    return day


def moment_param(raw: str | None, label: str = "时间") -> datetime | None:
    """?at=2026-11-28T10:00 -> that moment (naive: the caller reads it in Asia/Shanghai); empty -> None."""
    text = _clean(raw)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"{label}“{_shown(text)}”无法识别：请写例如 2026-12-07T10:00") from None
    _in_range(moment.year, label, text)
    return moment
