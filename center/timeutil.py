"""Time: stored in UTC, shown in Asia/Shanghai; the one clock of the application.

Every reading of "now" goes through utcnow() / local_now() / local_today() (which CENTER_CLOCK moves in demo mode);
rules take it as a parameter. The zone is fixed, not a setting: every center and every statutory calendar is
China's."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# CENTER_CLOCK (demo mode only): the process's clock starts at a chosen moment and runs on from there.
_offset = timedelta(0)


def set_clock(start: datetime | None) -> None:
    """Make utcnow() start at `start` (aware) from this moment on; None restores the real clock."""
    global _offset
    _offset = timedelta(0) if start is None else start - datetime.now(timezone.utc)


def clock_offset() -> timedelta:
    """How far this process's clock runs ahead of real time (zero unless CENTER_CLOCK set it)."""
    return _offset


def utcnow() -> datetime:
    return datetime.now(timezone.utc) + _offset


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LOCAL_TZ)


def local_now() -> datetime:
    return utcnow().astimezone(LOCAL_TZ)


def local_today() -> date:
    return local_now().date()


def fmt_local(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return "" if value is None else to_local(value).strftime(pattern)
