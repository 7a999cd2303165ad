"""A person's own duty: their next shifts (draft or published, on leave or not), what they could swap, their
requests, and the personal iCal feed (published weeks only, never a day of leave)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from center.domain import NotFound
from center.domain.periods import month_day, monday_of
from center.services.identity import CurrentUser
from center.services.rosters.common import assignments_between, shift_specs, staff_of
from center.services.rosters.leave import leave_days_of
from center.services.rosters.publishing import published_weeks
from center.services.rosters.swaps import swap_requests
from center.tables import Assignment, Staff
from center.timeutil import LOCAL_TZ, utcnow


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
    leave = await leave_days_of(staff_id, first, last)
    for row in rows:
        row["published"] = monday_of(row["day"]) in published
        row["on_leave"] = row["day"] in leave
    return rows


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
                               "label": f"{month_day(a['day'])} {shifts.get(a['shift_type'], '')} "
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
