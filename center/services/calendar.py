"""The one working-day calendar of the deployment: the package's years plus managers' overrides."""

from __future__ import annotations

import time
from datetime import date

from center.domain import DomainError
from center.domain.calendar import DayKind, Override, WorkCalendar
from center.services import audit
from center.services.identity import CurrentUser
from center.tables import CalendarOverride
from center.timeutil import utcnow

# Other processes' overrides are seen within this many seconds; this process's own at once.
CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, WorkCalendar]] = {}


class CalendarOverrideError(DomainError):
    pass


def _cache_key() -> str:
    from center import db

    return str(id(db.engine()))


async def get_calendar() -> WorkCalendar:
    """The calendar with the database's overrides (cached per process for CACHE_SECONDS)."""
    key = _cache_key()
    cached = _cache.get(key)
    now = time.monotonic()
    if cached and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    rows = await CalendarOverride.select(CalendarOverride.day, CalendarOverride.kind, CalendarOverride.name)
    calendar = WorkCalendar(Override(r["day"], DayKind(r["kind"]), r["name"]) for r in rows)
    _cache[key] = (now, calendar)
    return calendar


def peek_calendar() -> WorkCalendar:
    """The last calendar loaded by this process (sync, for the layout); without overrides before the first load."""
    cached = _cache.get(_cache_key()) if _cache else None
    return cached[1] if cached else WorkCalendar()


def invalidate() -> None:
    _cache.clear()


async def list_overrides(year: int | None = None) -> list[dict]:
    query = CalendarOverride.select(
        CalendarOverride.id, CalendarOverride.day, CalendarOverride.kind, CalendarOverride.name,
        CalendarOverride.created_by.display_name.as_alias("created_by_name"), CalendarOverride.created_at,
    ).order_by(CalendarOverride.day)
    if year is not None:
        query = query.where((CalendarOverride.day >= date(year, 1, 1)) & (CalendarOverride.day <= date(year, 12, 31)))
    return await query


async def set_override(actor: CurrentUser, day: date, kind: str, name: str) -> None:
    """Add or replace the ruling for one date (manager/admin); audit-logged."""
    try:
        kind = DayKind(kind).value
    except ValueError:
        raise CalendarOverrideError("请选择日期类型：工作日、休息日或节假日") from None
    name = (name or "").strip()
    if kind == DayKind.holiday and not name:
        raise CalendarOverrideError("节假日请填写名称，如“春节”")
    if len(name) > 40:
        raise CalendarOverrideError("名称不能超过 40 个字")
    if not (2000 <= day.year <= 2100):
        raise CalendarOverrideError("日期超出范围")
    await CalendarOverride.insert(
        CalendarOverride(day=day, kind=kind, name=name, created_by=actor.id, created_at=utcnow())
    ).on_conflict(
        target=CalendarOverride.day, action="DO UPDATE",
        values=[CalendarOverride.kind, CalendarOverride.name, CalendarOverride.created_by, CalendarOverride.created_at],
    )
    invalidate()
    await audit.record("calendar.override", actor=actor, object_type="calendar", object_id=day.isoformat(),
                       detail={"kind": kind, "name": name})


async def remove_override(actor: CurrentUser, override_id: int) -> None:
    row = await CalendarOverride.select(CalendarOverride.day).where(CalendarOverride.id == override_id).first()
    if row is None:
        raise CalendarOverrideError("没有这条日历调整")
    await CalendarOverride.delete().where(CalendarOverride.id == override_id)
    invalidate()
    await audit.record("calendar.override_removed", actor=actor, object_type="calendar",
                       object_id=row["day"].isoformat())
