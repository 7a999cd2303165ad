"""The one working-day calendar of the deployment: the package's years, entered notices and admins' overrides.

Calendar changes are district-wide, so only the district admin makes them; every open case's deadline follows
(services.cases.move_deadlines) and the move is written on its timeline.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from center import db
from center.domain import AccessDenied, DomainError
from center.domain.access import Role
from center.domain.calendar import (
    DayKind,
    HolidayPeriod,
    Notice,
    Override,
    WorkCalendar,
    rule_holidays,
    rule_periods,
    statutory_data_knows,
)
from center.services import audit, cache
from center.services.identity import CurrentUser
from center.tables import CalendarNotice, CalendarOverride
from center.timeutil import utcnow


NOTICE_ROWS = 9  # the seven statutory festivals and two spare lines (e.g. 国庆节、中秋节 split or merged)
MAKEUP_INPUTS = 8  # notices list 3–6 调休 days


class CalendarOverrideError(DomainError):
    pass


def _cache_key() -> str:
    return str(id(db.engine()))


def _notice_of(row: dict) -> Notice:
    periods = tuple(HolidayPeriod(p["name"], date.fromisoformat(p["first"]), date.fromisoformat(p["last"]))
                    for p in json.loads(row["periods"] or "[]"))
    makeup = tuple(date.fromisoformat(d) for d in json.loads(row["makeup_days"] or "[]"))
    return Notice(year=row["year"], periods=periods, makeup_days=makeup, title=row["title"] or "")


async def load_calendar() -> WorkCalendar:
    """The calendar as the database holds it now (uncached: for read-then-write work)."""
    overrides = await CalendarOverride.select(CalendarOverride.day, CalendarOverride.kind, CalendarOverride.name)
    notices = await CalendarNotice.select(CalendarNotice.year, CalendarNotice.periods, CalendarNotice.makeup_days,
                                          CalendarNotice.title)
    return WorkCalendar((Override(r["day"], DayKind(r["kind"]), r["name"]) for r in overrides),
                        (_notice_of(r) for r in notices))


async def get_calendar() -> WorkCalendar:
    """The calendar with the database's notices and overrides (cached per process: services/cache.py)."""
    return await cache.calendar.get(_cache_key(), load_calendar)


def peek_calendar() -> WorkCalendar:
    """The last calendar loaded by this process (sync, for the layout); without overrides before the first load."""
    return cache.calendar.latest(_cache_key(), WorkCalendar())


def invalidate() -> None:
    cache.calendar.changed()


def _require_admin(actor: CurrentUser) -> None:
    if actor.role != Role.admin:
        raise AccessDenied("工作日历全区通用，只有区级管理员可以修改")


def _check_notice_year(year: int) -> None:
    if statutory_data_knows(year):
        raise CalendarOverrideError(f"{year} 年放假安排已内置（chinese-calendar），无需录入；个别日期请用“日历调整”")


async def list_overrides(year: int | None = None) -> list[dict]:
    query = CalendarOverride.select(
        CalendarOverride.id, CalendarOverride.day, CalendarOverride.kind, CalendarOverride.name,
        CalendarOverride.created_by.display_name.as_alias("created_by_name"), CalendarOverride.created_at,
    ).order_by(CalendarOverride.day)
    if year is not None:
        query = query.where((CalendarOverride.day >= date(year, 1, 1)) & (CalendarOverride.day <= date(year, 12, 31)))
    return await query


async def _apply_change(actor: CurrentUser, change, why: str, now: datetime) -> int:
    """Run `change` (the database edit) and move every open deadline it concerns, in one write transaction."""
    from center.services.cases import move_deadlines

    async with db.write_transaction():
        old = await load_calendar()
        await change()
        new = await load_calendar()
        moved = await move_deadlines(actor, old, new, why, now)
    invalidate()
    return moved


async def set_override(actor: CurrentUser, day: date, kind: str, name: str, now: datetime | None = None) -> int:
    """Add or replace the ruling for one date (admin); open deadlines follow; audit-logged. Returns cases moved."""
    _require_admin(actor)
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
    now = now or utcnow()

    async def change():
        await CalendarOverride.insert(
            CalendarOverride(day=day, kind=kind, name=name, created_by=actor.id, created_at=now)
        ).on_conflict(
            target=CalendarOverride.day, action="DO UPDATE",
            values=[CalendarOverride.kind, CalendarOverride.name, CalendarOverride.created_by,
                    CalendarOverride.created_at],
        )

    moved = await _apply_change(actor, change, f"日历调整（{day.isoformat()}）", now)
    await audit.record("calendar.override", actor=actor, object_type="calendar", object_id=day.isoformat(),
                       detail={"kind": kind, "name": name, "moved": moved})
    return moved


async def override_for(actor: CurrentUser, override_id: int) -> dict:
    """One single-date override (for the question before 删除)."""
    _require_admin(actor)
    row = await CalendarOverride.select(CalendarOverride.id, CalendarOverride.day, CalendarOverride.kind,
                                        CalendarOverride.name).where(CalendarOverride.id == override_id).first()
    if row is None:
        raise CalendarOverrideError("没有这条日历调整")
    return row


async def remove_override(actor: CurrentUser, override_id: int, now: datetime | None = None) -> int:
    _require_admin(actor)
    row = await CalendarOverride.select(CalendarOverride.day).where(CalendarOverride.id == override_id).first()
    if row is None:
        raise CalendarOverrideError("没有这条日历调整")

    async def change():
        await CalendarOverride.delete().where(CalendarOverride.id == override_id)

    now = now or utcnow()
    moved = await _apply_change(actor, change, f"日历调整（{row['day'].isoformat()} 恢复）", now)
    await audit.record("calendar.override_removed", actor=actor, object_type="calendar",
                       object_id=row["day"].isoformat(), detail={"moved": moved})
    return moved


# ---- The year's State Council notice ---------------------------------------------------------------------------------

def _canonical(notice: Notice | None) -> dict | None:
    if notice is None:
        return None
    return {"year": notice.year, "title": notice.title,
            "periods": [{"name": p.name, "first": p.first.isoformat(), "last": p.last.isoformat()}
                        for p in notice.periods],
            "makeup_days": [d.isoformat() for d in notice.makeup_days]}


def _digest(notice: Notice, current: Notice | None) -> str:
    """Names exactly what a preview showed: the notice typed and the one it replaces."""
    text = json.dumps([_canonical(notice), _canonical(current)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class NoticeForm:
    """The rows a notice form shows: festival, first and last day; make-up days; the notice's title."""

    rows: list[dict]
    makeup: list[str]
    title: str


def notice_form(year: int, calendar: WorkCalendar) -> NoticeForm:
    """The year's entered notice, or else the rules' holidays to start from (the admin adds the 调休 days)."""
    notice = calendar.notice(year)
    periods = list(notice.periods) if notice else rule_periods(year)
    rows = [{"name": p.name, "first": p.first.isoformat(), "last": p.last.isoformat()} for p in periods]
    rows += [{"name": "", "first": "", "last": ""}] * max(0, NOTICE_ROWS - len(rows))
    makeup = [d.isoformat() for d in notice.makeup_days] if notice else []
    makeup += [""] * max(0, MAKEUP_INPUTS - len(makeup))
    return NoticeForm(rows=rows, makeup=makeup, title=notice.title if notice else "")


def typed_notice_form(names: list[str], firsts: list[str], lasts: list[str], makeup: list[str],
                      title: str) -> NoticeForm:
    """The form as the admin typed it (re-shown with a preview or an error), padded to the usual size."""
    rows = [{"name": n, "first": f, "last": l} for n, f, l in zip(names, firsts, lasts)]
    rows += [{"name": "", "first": "", "last": ""}] * max(0, NOTICE_ROWS - len(rows))
    makeup = list(makeup) + [""] * max(0, MAKEUP_INPUTS - len(makeup))
    return NoticeForm(rows=rows, makeup=makeup, title=title)


def _changed_days(old: WorkCalendar, new: WorkCalendar, notice: Notice) -> list[dict]:
    first = min([date(notice.year, 1, 1), *(p.first for p in notice.periods)])
    changes, day = [], first
    while day <= date(notice.year, 12, 31):
        before, after = old.day(day), new.day(day)
        if (before.kind, before.name) != (after.kind, after.name):
            changes.append({"day": day, "before": before, "after": after})
        day += timedelta(days=1)
    return changes


async def preview_notice(actor: CurrentUser, notice: Notice) -> dict:
    """What entering `notice` would change: the days whose kind changes, and the open cases whose deadline moves."""
    from center.services.cases import deadline_moves

    _require_admin(actor)
    _check_notice_year(notice.year)
    old = await load_calendar()
    new = old.with_notice(notice)
    moves = await deadline_moves(old, new)
    rules = rule_holidays(notice.year)
    missing = [(day, name) for day, name in sorted(rules.items()) if new.day(day).kind != DayKind.holiday]
    return {
        "notice": notice,
        "replaces": old.notice(notice.year) is not None,
        "changed_days": _changed_days(old, new, notice),
        "moves": moves,
        "digest": _digest(notice, old.notice(notice.year)),
        "rule_days_missing": missing,
    }


async def enter_notice(actor: CurrentUser, notice: Notice, digest: str | None = None,
                       now: datetime | None = None) -> int:
    """Save the year's notice (replacing an earlier one) and move every open deadline it concerns.

    `digest` is the preview's: when another admin changed the year's notice since, nothing is saved. Entering the
    same notice again changes nothing. Returns the number of cases whose deadline moved.
    """
    _require_admin(actor)
    _check_notice_year(notice.year)
    now = now or utcnow()
    canonical = _canonical(notice)
    changed = False

    async def change():
        nonlocal changed
        current = await CalendarNotice.select(CalendarNotice.year, CalendarNotice.periods,
                                              CalendarNotice.makeup_days, CalendarNotice.title).where(
            CalendarNotice.year == notice.year).first()
        current_notice = _notice_of(current) if current else None
        if digest is not None and digest != _digest(notice, current_notice):
            raise CalendarOverrideError("该年放假安排刚被他人修改，请重新预览后再保存")
        values = {CalendarNotice.periods: json.dumps(canonical["periods"], ensure_ascii=False),
                  CalendarNotice.makeup_days: json.dumps(canonical["makeup_days"]),
                  CalendarNotice.title: notice.title, CalendarNotice.created_by: actor.id,
                  CalendarNotice.created_at: now}
        if current is None:
            await CalendarNotice.insert(CalendarNotice(year=notice.year, **{c._meta.name: v for c, v in values.items()}))
            changed = True
        elif _canonical(current_notice) != canonical:
            await CalendarNotice.update(values).where(CalendarNotice.year == notice.year)
            changed = True

    moved = await _apply_change(actor, change, "放假安排公布", now)
    if changed:
        await audit.record("calendar.notice", actor=actor, object_type="calendar", object_id=str(notice.year),
                           detail={**canonical, "moved": moved})
    return moved


async def notice_entered_by(year: int) -> dict | None:
    return await CalendarNotice.select(
        CalendarNotice.title, CalendarNotice.created_at,
        CalendarNotice.created_by.display_name.as_alias("created_by_name"),
    ).where(CalendarNotice.year == year).first()

