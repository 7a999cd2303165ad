"""Service hours of a center, who is on duty, and what the public screen and the hours API show."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from center.domain import DomainError, NotFound
from center.domain.access import ROLE_LABELS
from center.domain.calendar import DayKind
from center.domain.periods import monday_of, month_day_weekday, weekday_name
from center.domain.roster import busiest_day, shown_on_duty
from center.domain.hours import (
    PERIOD_LABELS,
    DayHours,
    Period,
    PeriodKind,
    Season,
    hours_for_day,
    merged_spans,
    open_status,
    public_hours,
)
from center.services import audit, cache
from center.services.calendar import get_calendar
from center.services.identity import CurrentUser
from center.services.rosters.leave import leave_between
from center.services.rosters.publishing import published_weeks
from center.tables import Announcement, Assignment, Center, HoursException, HoursPeriod, HoursSeason
from center.timeutil import utcnow


class HoursError(DomainError):
    pass


# The hall screen pages through the day's announcements, one at a time; more than this would take too long to
# come round for someone waiting in the hall.
MAX_ANNOUNCEMENTS = 6
ANNOUNCEMENT_MAX_CHARS = 200


async def center_by_slug(slug: str) -> dict:
    center = await Center.select(Center.id, Center.slug, Center.name, Center.phone, Center.address).where(
        Center.slug == slug).first()
    if center is None:
        raise NotFound("没有这个中心")
    return center


class HoursBook:
    """A center's periods, seasons and exceptions, loaded once and asked about many dates."""

    def __init__(self, periods: list[dict], seasons: list[dict], exceptions: list[dict], calendar):
        self.periods = [(p["season"], p["day_kind"], Period(p["start"], p["end"], p["kind"], p["label"]))
                        for p in periods]
        self.seasons = [Season(s["name"], s["start_md"], s["end_md"]) for s in seasons]
        self.exceptions = {e["day"]: e for e in exceptions}
        self.calendar = calendar

    def day(self, day: date) -> DayHours:
        info = self.calendar.day(day)
        exception = self.exceptions.get(day)
        special = None
        if exception is not None:
            spans = [Period(time.fromisoformat(p["start"]), time.fromisoformat(p["end"]), p.get("kind", "regular"))
                     for p in json.loads(exception["periods"] or "[]")]
            special = (exception["closed"], spans, exception["reason"])
        return hours_for_day(day, info.kind, info.holiday_name, self.periods, self.seasons, special)


async def hours_book(center_id: int, first: date, last: date) -> HoursBook:
    periods = await HoursPeriod.select().where(HoursPeriod.center == center_id)
    seasons = await HoursSeason.select().where(HoursSeason.center == center_id)
    exceptions = await HoursException.select().where(
        (HoursException.center == center_id) & (HoursException.day >= first) & (HoursException.day <= last))
    return HoursBook(periods, seasons, exceptions, await get_calendar())


async def duty_on(center_id: int, first: date, last: date) -> list[dict]:
    """Who residents see on duty (the screen, the API): published weeks only, nobody on a day of their leave;
    name, role and shift times only."""
    rows = await Assignment.select(
        Assignment.day, Assignment.staff, Assignment.staff.display_name.as_alias("name"),
        Assignment.staff.role.as_alias("role"),
        Assignment.shift_type.name.as_alias("shift"), Assignment.shift_type.start.as_alias("start"),
        Assignment.shift_type.end.as_alias("end"), Assignment.shift_type.period_kind.as_alias("period_kind"),
    ).where((Assignment.center == center_id) & (Assignment.day >= first) & (Assignment.day <= last))
    if not rows:
        return []
    published = await published_weeks(center_id, first, last)
    leave = await leave_between(center_id, first, last)
    shown = []
    for row in rows:
        if shown_on_duty(row["day"], row.pop("staff"), published, leave):
            row["role_label"] = ROLE_LABELS.get(row["role"], "")
            shown.append(row)
    return sorted(shown, key=lambda r: (r["day"], r["start"], r["name"]))


async def api_hours(slug: str, day: date) -> dict:
    """GET /api/v1/centers/{slug}/hours: the day kind, the periods and who is on duty (cached for the minute,
    dropped at any write in this process; see services/cache.py)."""
    return await cache.api_hours.get((slug, day), lambda: _api_hours(slug, day))


async def _api_hours(slug: str, day: date) -> dict:
    center = await center_by_slug(slug)
    book = await hours_book(center["id"], day, day)
    hours = book.day(day)
    return {
        "date": day.isoformat(),
        "day_kind": hours.day_kind,
        "holiday_name": hours.holiday_name,
        "closed": hours.closed,
        "reason": hours.reason,
        "periods": [p.as_dict() for p in hours.periods],
        "on_duty": [{"name": r["name"], "shift": r["shift"], "start": r["start"].strftime("%H:%M"),
                     "end": r["end"].strftime("%H:%M")} for r in await duty_on(center["id"], day, day)],
    }


def _hm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


async def screen_model(slug: str, moment: datetime) -> dict:
    """Everything the hall screen shows at `moment` (local time): no phone numbers, no ID numbers."""
    center = await center_by_slug(slug)
    today = moment.date()
    monday = today - timedelta(days=today.weekday())
    horizon_end = today + timedelta(days=60)
    book = await hours_book(center["id"], min(monday, today), horizon_end)
    calendar = book.calendar
    published = await published_weeks(center["id"], min(monday, today), horizon_end)

    def shown(day: date) -> DayHours:
        # Extended and duty service is claimed only from a published week (a draft names nobody to staff it).
        return public_hours(book.day(day), monday_of(day) in published)

    hours = shown(today)
    is_open, until = open_status(hours, moment.time())
    next_open = None
    if not is_open and until is None:
        for i in range(1, 15):
            later = shown(today + timedelta(days=i))
            spans = merged_spans(later.periods)
            if spans:
                next_open = (later.day, spans[0][0])
                break
    evening = [p for p in hours.periods if p.kind == PeriodKind.extended and p.end > time(17, 30)]
    if is_open:
        headline = "服务中"
        detail = f"今日{'延时服务' if evening and until and until >= evening[-1].end else '服务'}至 {_hm(until)}"
    elif hours.closed:
        headline, detail = "今日暂停服务", hours.reason
    elif until is not None:
        headline, detail = "休息中", f"今日 {_hm(until)} 开始服务"
    elif next_open is not None:
        day, start = next_open
        when = "明日" if day == today + timedelta(days=1) else f"{day.month}月{day.day}日"
        headline, detail = "休息中", f"{when} {_hm(start)} 开始服务"
    else:
        headline, detail = "休息中", ""

    duty = await duty_on(center["id"], today, today + timedelta(days=1))
    now_t = moment.time()
    on_now = [d for d in duty if d["day"] == today and d["start"] <= now_t < d["end"]]
    upcoming = [d for d in duty if (d["day"], d["start"]) > (today, now_t) and d not in on_now]
    next_start = (upcoming[0]["day"], upcoming[0]["start"]) if upcoming else None
    on_next = [d for d in upcoming if (d["day"], d["start"]) == next_start]

    week = []
    for i in range(7):
        day = monday + timedelta(days=i)
        day_hours = shown(day)
        extended = [p for p in day_hours.periods if p.kind in (PeriodKind.extended, PeriodKind.duty)]
        planned = [p for p in book.day(day).periods if p.kind in (PeriodKind.extended, PeriodKind.duty)]
        week.append({"day": day, "weekday": weekday_name(day), "label": calendar.day(day).label,
                     "is_today": day == today, "closed": day_hours.closed,
                     # Hours set but the week not yet published: 待公布, never the hours themselves.
                     "pending": bool(planned) and not extended,
                     "periods": [(p.kind, _hm(p.start), _hm(p.end), PERIOD_LABELS.get(PeriodKind(p.kind), ""))
                                 for p in extended]})

    holiday = None
    holidays = calendar.holidays_in(today, horizon_end)
    if holidays:
        name, first, last = holidays[0]
        holiday_duty = await duty_on(center["id"], first, last)
        holiday = {"name": name, "first": first, "last": last,
                   "makeup": [d for d in calendar.makeup_days_in(first - timedelta(days=14), last + timedelta(days=14))],
                   "duty": holiday_duty}
    today_info = calendar.day(today)
    notices = []
    if today_info.makeup:
        notices.append("今天补班，正常上班")
    for day in calendar.makeup_days_in(today + timedelta(days=1), today + timedelta(days=14)):
        notices.append(f"{month_day_weekday(day)}调休补班，正常上班")
    announcements = await Announcement.select(Announcement.text).where(
        (Announcement.center == center["id"]) & (Announcement.starts_on <= today) & (Announcement.ends_on >= today)
    ).order_by(Announcement.created_at, ascending=False)
    return {
        "center": {"slug": center["slug"], "name": center["name"]},
        "moment": moment,
        "today": {"day": today, "kind": hours.day_kind, "holiday_name": hours.holiday_name, "label": today_info.label},
        "headline": headline, "detail": detail, "is_open": is_open,
        "closed_reason": bool(hours.closed and detail),
        "periods": [(p.kind, _hm(p.start), _hm(p.end), PERIOD_LABELS.get(PeriodKind(p.kind), "")) for p in hours.periods],
        "on_now": [{"name": d["name"], "role": d["role_label"], "shift": d["shift"], "until": _hm(d["end"])}
                   for d in on_now],
        "on_next": [{"name": d["name"], "role": d["role_label"], "shift": d["shift"], "day": d["day"],
                     "start": _hm(d["start"]), "tomorrow": d["day"] != today} for d in on_next],
        "week": week, "holiday": holiday, "notices": notices,
        "announcements": [a["text"] for a in announcements],
    }


# ---------------------------------------------------------------- managers' settings


def _parse_time(value: str, label: str) -> time:
    try:
        return time.fromisoformat((value or "").strip())
    except ValueError:
        raise HoursError(f"{label}须为 HH:MM 格式的时间") from None


async def add_period(actor: CurrentUser, center_id: int, *, day_kind: str, start: str, end: str, kind: str,
                     season: str = "", label: str = "") -> None:
    try:
        day_kind = DayKind(day_kind).value
        kind = PeriodKind(kind).value
    except ValueError:
        raise HoursError("请选择日期类型和时段类型") from None
    begin, finish = _parse_time(start, "开始时间"), _parse_time(end, "结束时间")
    if finish <= begin:
        raise HoursError("结束时间须晚于开始时间")
    season = (season or "").strip()
    if season and not await HoursSeason.exists().where((HoursSeason.center == center_id) & (HoursSeason.name == season)):
        raise HoursError("没有这个作息季节")
    await HoursPeriod.insert(HoursPeriod(center=center_id, season=season, day_kind=day_kind, start=begin, end=finish,
                                         kind=kind, label=(label or "").strip()[:40]))
    await audit.record("hours.period_add", actor=actor, center_id=center_id, object_type="hours",
                       detail={"day_kind": day_kind, "start": start, "end": end, "kind": kind, "season": season})


async def remove_period(actor: CurrentUser, center_id: int, period_id: int) -> None:
    deleted = await HoursPeriod.delete().where((HoursPeriod.id == period_id) & (HoursPeriod.center == center_id)).returning(HoursPeriod.id)
    if not deleted:
        raise NotFound("没有这个时段")
    await audit.record("hours.period_remove", actor=actor, center_id=center_id, object_type="hours", object_id=period_id)


async def set_exception(actor: CurrentUser, center_id: int, day: date, closed: bool, start: str, end: str,
                        reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise HoursError("请填写原因，居民会在大屏上看到")
    if len(reason) > 120:
        raise HoursError("原因不能超过 120 个字")
    periods = []
    if not closed:
        begin, finish = _parse_time(start, "开始时间"), _parse_time(end, "结束时间")
        if finish <= begin:
            raise HoursError("结束时间须晚于开始时间")
        periods = [{"start": begin.strftime("%H:%M"), "end": finish.strftime("%H:%M"), "kind": "regular"}]
    await HoursException.insert(HoursException(center=center_id, day=day, closed=closed, periods=json.dumps(periods),
                                               reason=reason)).on_conflict(
        target=(HoursException.center, HoursException.day), action="DO UPDATE",
        values=[HoursException.closed, HoursException.periods, HoursException.reason])
    await audit.record("hours.exception", actor=actor, center_id=center_id, object_type="hours",
                       object_id=day.isoformat(), detail={"closed": closed, "reason": reason})


async def add_announcement(actor: CurrentUser, center_id: int, text: str, starts_on: date, ends_on: date) -> None:
    text = " ".join((text or "").split())
    if not text:
        raise HoursError("请填写公告内容")
    if len(text) > ANNOUNCEMENT_MAX_CHARS:
        raise HoursError(f"公告不能超过 {ANNOUNCEMENT_MAX_CHARS} 个字")
    if ends_on < starts_on:
        raise HoursError("结束日期不能早于开始日期")
    existing = await Announcement.select(Announcement.starts_on, Announcement.ends_on).where(
        (Announcement.center == center_id) & (Announcement.starts_on <= ends_on) & (Announcement.ends_on >= starts_on))
    day, count = busiest_day([(a["starts_on"], a["ends_on"]) for a in existing], starts_on, ends_on)
    if day is not None and count >= MAX_ANNOUNCEMENTS:
        raise HoursError(f"{day.month}月{day.day}日已有 {count} 条公告（大屏最多轮播 {MAX_ANNOUNCEMENTS} 条），"
                         "请先删除或缩短其中一条")
    await Announcement.insert(Announcement(center=center_id, text=text, starts_on=starts_on, ends_on=ends_on,
                                           created_by=actor.id, created_at=utcnow()))
    await audit.record("screen.announcement", actor=actor, center_id=center_id, object_type="announcement",
                       detail={"text": text})


async def remove_announcement(actor: CurrentUser, center_id: int, announcement_id: int) -> None:
    deleted = await Announcement.delete().where(
        (Announcement.id == announcement_id) & (Announcement.center == center_id)).returning(Announcement.id)
    if not deleted:
        raise NotFound("没有这条公告")
    await audit.record("screen.announcement_remove", actor=actor, center_id=center_id, object_type="announcement",
                       object_id=announcement_id)


async def settings_view(center_id: int, today: date) -> dict:
    return {
        "max_announcements": MAX_ANNOUNCEMENTS, "announcement_max_chars": ANNOUNCEMENT_MAX_CHARS,
        "periods": await HoursPeriod.select().where(HoursPeriod.center == center_id).order_by(HoursPeriod.season)
        .order_by(HoursPeriod.day_kind).order_by(HoursPeriod.start),
        "seasons": await HoursSeason.select().where(HoursSeason.center == center_id),
        "exceptions": await HoursException.select().where(
            (HoursException.center == center_id) & (HoursException.day >= today)).order_by(HoursException.day),
        "announcements": await Announcement.select().where(
            (Announcement.center == center_id) & (Announcement.ends_on >= today)).order_by(Announcement.starts_on),
    }
