"""Tickets at the door: today's taking hours, taking a ticket (a number never handed out twice), where a ticket
stands, and what the hall's queues look like now. Nothing personal is kept on a ticket."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from center import db
from center.domain import NotFound
from center.domain.hours import PeriodKind, merged_spans, public_hours
from center.domain.periods import monday_of
from center.domain.queue import (
    ADDRESS_LIMIT,
    ADDRESS_WINDOW,
    QueueClosed,
    TicketState,
    TooManyTickets,
    estimate_wait_min,
    may_take,
    serving_minutes,
    taking_until,
    ticket_no,
)
from center.services import cache
from center.services.hall import events
from center.services.hours import center_by_slug, duty_on, hours_book
from center.services.rosters.publishing import published_weeks
from center.tables import HallQueue, HallWindow, Ticket, TicketCall, TicketCounter
from center.timeutil import to_local, utcnow

LAST_CALLS = 10
SERVING_SAMPLE_DAYS = 14


def _hm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


@dataclass(frozen=True)
class HallDay:
    """A center's hall on one local day as the door sees it: the spans of published hours, whether a regular
    period covers the moment, and the last moment to take a ticket."""

    spans: tuple[tuple[time, time], ...]
    regular_now: bool
    open_now: bool  # tickets are handed out now
    until: time | None  # 今日取号截至 (None: no more tickets today)
    next_open: str  # "明日 08:30" when closed, else ""
    on_duty_now: int  # people of the published roster on duty now (extended and duty hours)


async def hall_day(center_id: int, moment: datetime) -> HallDay:
    """What the hours service and the published roster say of today at `moment` (local time), once a minute."""
    minute = moment.replace(second=0, microsecond=0)
    return await cache.hall_days.get((center_id, minute), lambda: _hall_day(center_id, minute))


async def _hall_day(center_id: int, moment: datetime) -> HallDay:
    today = moment.date()
    book = await hours_book(center_id, today, today + timedelta(days=14))
    published = await published_weeks(center_id, monday_of(today), today + timedelta(days=14))

    def shown(day: date):
        return public_hours(book.day(day), monday_of(day) in published)

    hours = shown(today)
    spans = tuple(merged_spans(hours.periods)) if not hours.closed else ()
    now = moment.time()
    regular_now = any(p.kind == PeriodKind.regular and p.covers(now) for p in hours.periods) and not hours.closed
    open_now = may_take(spans, now)
    until = taking_until(spans, now)
    next_open = ""
    if not open_now:
        later_today = [start for start, _ in spans if start > now]
        if later_today:
            next_open = f"今日 {_hm(later_today[0])}"
        else:
            for i in range(1, 15):
                day = today + timedelta(days=i)
                later = shown(day)
                day_spans = merged_spans(later.periods) if not later.closed else []
                if day_spans:
                    when = "明日" if i == 1 else f"{day.month}月{day.day}日"
                    next_open = f"{when} {_hm(day_spans[0][0])}"
                    break
    duty = [d for d in await duty_on(center_id, today, today) if d["start"] <= now < d["end"]]
    return HallDay(spans, regular_now, open_now, until if open_now else None, next_open, len(duty))


def closed_message(day: HallDay) -> str:
    if day.next_open:
        return f"现在不在取号时间，{day.next_open} 起可以取号"
    return "现在不在取号时间，请留意中心公告"


async def queues_of(center_id: int) -> list[dict]:
    rows = await HallQueue.select(HallQueue.id, HallQueue.code, HallQueue.name, HallQueue.daily_max,
                                  HallQueue.priority_run, HallQueue.categories).where(
        (HallQueue.center == center_id) & (HallQueue.active == True)  # noqa: E712
    ).order_by(HallQueue.sort_order).order_by(HallQueue.code)
    for row in rows:
        row["categories"] = json.loads(row["categories"] or "[]")
    return rows


async def _queue(center_id: int, code: str) -> dict:
    code = (code or "").strip().upper()
    for queue in await queues_of(center_id):
        if queue["code"] == code:
            return queue
    raise NotFound(f"没有“{code[:4]}”这个队列", field="queue")


async def windows_of(center_id: int) -> list[dict]:
    rows = await HallWindow.select(HallWindow.id, HallWindow.number, HallWindow.queues, HallWindow.extended,
                                   HallWindow.paused, HallWindow.staff, HallWindow.opened_at,
                                   HallWindow.staff.display_name.as_alias("staff_name")).where(
        HallWindow.center == center_id).order_by(HallWindow.number)
    for row in rows:
        row["queues"] = json.loads(row["queues"] or "[]")
    return sorted(rows, key=lambda r: (len(r["number"]), r["number"]))


def _window_open(window: dict, today: date) -> bool:
    return (not window["paused"] and window["staff"] is not None and window["opened_at"] is not None
            and to_local(window["opened_at"]).date() == today)


def staffed_windows(windows: list[dict], code: str, day: HallDay, today: date) -> int:
    """The windows staffed now for a queue: open ones serving it; out of regular hours the extended-hours
    windows, and no more of them than the published roster has people on duty."""
    open_ = [w for w in windows if _window_open(w, today) and code in w["queues"]]
    if not day.regular_now:  # the evening or a rest day: whoever the published roster has on duty, at most
        extended = [w for w in open_ if w["extended"]] or open_
        return min(len(extended), day.on_duty_now)
    return len(open_)


async def minutes_each(queue_id: int, now: datetime) -> float:
    """The queue's serving time measured over the last two weeks (called → finished), once a minute."""
    return await cache.serving_times.get(queue_id, lambda: _minutes_each(queue_id, now))


async def _minutes_each(queue_id: int, now: datetime) -> float:
    rows = await Ticket.select(Ticket.called_at, Ticket.finished_at).where(
        (Ticket.queue == queue_id) & (Ticket.state == TicketState.done.value)
        & (Ticket.finished_at >= now - timedelta(days=SERVING_SAMPLE_DAYS))
        & Ticket.called_at.is_not_null()).limit(500)
    return serving_minutes([(r["finished_at"] - r["called_at"]).total_seconds() / 60 for r in rows
                            if r["finished_at"] >= r["called_at"]])


async def _waiting_before(center_id: int, queue_id: int, day: date, order_at: datetime, ticket_id: int,
                          priority: bool) -> int:
    """Tickets of the queue that will be called before this one: those waiting since earlier (in time, then in
    number), and for a priority ticket only the priority ones among them."""
    condition = ((Ticket.center == center_id) & (Ticket.queue == queue_id) & (Ticket.day == day)
                 & (Ticket.state == TicketState.waiting.value)
                 & ((Ticket.order_at < order_at) | ((Ticket.order_at == order_at) & (Ticket.id < ticket_id))))
    if priority:
        condition &= Ticket.priority == True  # noqa: E712
    return await Ticket.count().where(condition)


@dataclass(frozen=True)
class TakeRequest:
    queue: str
    priority: bool = False
    client: str = ""  # the address that asks (the per-address limit)
    printer_id: int | None = None  # a registered ticket printer: exempt from the per-address limit


async def take_ticket(slug: str, request: TakeRequest, now: datetime | None = None) -> dict:
    """Hand out the next number of a queue. Refused outside the taking hours, beyond the queue's daily maximum
    and beyond the per-address limit. The number comes from one atomic upsert of the day's counter inside the
    ticket's own transaction, so two processes never hand out one number, and a rollback gives it back."""
    now = now or utcnow()
    local = to_local(now)
    today = local.date()
    center = await center_by_slug(slug)
    queue = await _queue(center["id"], request.queue)
    day = await hall_day(center["id"], local)
    if not day.open_now:
        raise QueueClosed(closed_message(day), field="queue")
    if request.printer_id is None and request.client:
        recent = await Ticket.count().where((Ticket.client == request.client[:64])
                                            & (Ticket.taken_at >= now - ADDRESS_WINDOW))
        if recent >= ADDRESS_LIMIT:
            raise TooManyTickets("取号过于频繁，请稍后再试，或到服务台咨询", field="queue")
    windows = await windows_of(center["id"])
    if not any(queue["code"] in w["queues"] for w in windows):  # a number nobody would call
        raise QueueClosed(f"{queue['name']}暂无窗口服务，请选择其他业务或到服务台咨询", field="queue")
    target = ""
    if not day.regular_now:  # after regular hours tickets go to the extended-hours window
        extended = [w["number"] for w in windows if w["extended"] and queue["code"] in w["queues"]] or \
                   [w["number"] for w in windows if w["extended"]]
        target = extended[0] if extended else ""
    token = secrets.token_urlsafe(18)
    async with db.point_write():
        number = (await TicketCounter.raw(
            "INSERT INTO ticket_counter (center, queue_code, day, last_no) VALUES ({}, {}, {}, 1) "
            "ON CONFLICT (center, queue_code, day) DO UPDATE SET last_no = ticket_counter.last_no + 1 "
            "RETURNING last_no", center["id"], queue["code"], today))[0]["last_no"]
        if number > queue["daily_max"]:
            raise QueueClosed(f"今日{queue['name']}的号已取完（每日 {queue['daily_max']} 个），请明日再来或到服务台咨询",
                              field="queue")
        no = ticket_no(queue["code"], number)
        ticket_id = (await Ticket.insert(Ticket(
            center=center["id"], queue=queue["id"], day=today, number=number, ticket_no=no, token=token,
            priority=request.priority, state=TicketState.waiting.value, target_window=target, taken_at=now,
            order_at=now, client=(request.client or "")[:64], printer=request.printer_id, version=1,
        )).returning(Ticket.id))[0]["id"]
    before = await _waiting_before(center["id"], queue["id"], today, now, ticket_id, request.priority)
    staffed = staffed_windows(windows, queue["code"], day, today)
    await events.publish(slug, "queue")
    return {
        "ticket_no": no, "token": token, "queue": queue["code"], "queue_name": queue["name"],
        "priority": request.priority, "waiting_before": before,
        "estimated_wait_min": estimate_wait_min(before, await minutes_each(queue["id"], now), staffed),
        "taken_at": local, "taking_until": _hm(day.until), "target_window": target,
        "center_name": center["name"], "slug": slug,
    }


async def ticket_status(token: str, now: datetime | None = None) -> dict:
    """Where a ticket stands, for the resident's page and the API: no personal data."""
    now = now or utcnow()
    row = await Ticket.select(
        Ticket.id, Ticket.center, Ticket.queue, Ticket.day, Ticket.ticket_no, Ticket.state, Ticket.priority,
        Ticket.window, Ticket.order_at, Ticket.taken_at, Ticket.last_called_at, Ticket.target_window,
        Ticket.queue.code.as_alias("queue_code"), Ticket.queue.name.as_alias("queue_name"),
        Ticket.center.slug.as_alias("slug"), Ticket.center.name.as_alias("center_name"),
    ).where(Ticket.token == (token or "")[:40]).first()
    if row is None:
        raise NotFound("没有这张号票")
    waiting = row["state"] == TicketState.waiting.value
    before = await _waiting_before(row["center"], row["queue"], row["day"], row["order_at"], row["id"],
                                   row["priority"]) if waiting else 0
    estimate = None
    if waiting:
        day = await hall_day(row["center"], to_local(now))
        staffed = staffed_windows(await windows_of(row["center"]), row["queue_code"], day, to_local(now).date())
        estimate = estimate_wait_min(before, await minutes_each(row["queue"], now), staffed)
    return {
        "ticket_no": row["ticket_no"], "state": row["state"], "waiting_before": before,
        "window": row["window"] if row["state"] in (TicketState.called.value, TicketState.serving.value) else "",
        "queue": row["queue_code"], "queue_name": row["queue_name"], "priority": row["priority"],
        "estimated_wait_min": estimate, "taken_at": to_local(row["taken_at"]),
        "called_at": to_local(row["last_called_at"]) if row["last_called_at"] else None,
        "slug": row["slug"], "center_name": row["center_name"], "today": row["day"] == to_local(now).date(),
    }


async def hall_state(slug: str, now: datetime | None = None) -> dict:
    """The queues now: waiting per queue code and the last calls, latest first (the screen and the API)."""
    now = now or utcnow()
    center = await center_by_slug(slug)
    today = to_local(now).date()
    queues = await queues_of(center["id"])
    rows = await Ticket.raw(
        "SELECT queue, COUNT(*) AS n FROM ticket WHERE center = {} AND day = {} AND state = 'waiting' "
        "GROUP BY queue", center["id"], today)
    counts = {r["queue"]: r["n"] for r in rows}
    start = datetime.combine(today, time(0), tzinfo=to_local(now).tzinfo)
    calls = await TicketCall.select(TicketCall.id, TicketCall.ticket_no, TicketCall.window, TicketCall.at,
                                    TicketCall.kind).where(
        (TicketCall.center == center["id"]) & (TicketCall.at >= start)
    ).order_by(TicketCall.at, ascending=False).order_by(TicketCall.id, ascending=False).limit(LAST_CALLS)
    return {
        "center": {"id": center["id"], "slug": center["slug"], "name": center["name"]},
        "queues": [{"code": q["code"], "name": q["name"], "waiting": counts.get(q["id"], 0)} for q in queues],
        "waiting": {q["code"]: counts.get(q["id"], 0) for q in queues},
        "calls": [{"id": c["id"], "ticket_no": c["ticket_no"], "window": c["window"], "called_at": to_local(c["at"]),
                   "recall": c["kind"] == "recall"} for c in calls],
    }


async def take_view(slug: str, now: datetime | None = None) -> dict:
    """The take page: the queues with how many wait and whether each still gives numbers today."""
    now = now or utcnow()
    local = to_local(now)
    center = await center_by_slug(slug)
    day = await hall_day(center["id"], local)
    state = await hall_state(slug, now)
    issued = {r["queue_code"]: r["last_no"] for r in await TicketCounter.select(
        TicketCounter.queue_code, TicketCounter.last_no).where(
        (TicketCounter.center == center["id"]) & (TicketCounter.day == local.date()))}
    queues = []
    served = {code for w in await windows_of(center["id"]) for code in w["queues"]}
    for queue in await queues_of(center["id"]):
        if queue["code"] not in served:  # set up, but no window calls it yet: not offered at the door
            continue
        left = queue["daily_max"] - issued.get(queue["code"], 0)
        queues.append({"code": queue["code"], "name": queue["name"], "waiting": state["waiting"][queue["code"]],
                       "full": left <= 0, "daily_max": queue["daily_max"]})
    return {"center": state["center"], "queues": queues, "open": day.open_now,
            "taking_until": _hm(day.until), "closed_message": "" if day.open_now else closed_message(day),
            "moment": local}
