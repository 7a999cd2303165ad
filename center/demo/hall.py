"""The demo hall: four queues and six windows at each community center, and a morning of served tickets (and the
working days before it), so the screen, the window and the figures are alive on first start."""

from __future__ import annotations

import json
import random
import secrets
from datetime import date, datetime, time, timedelta

from center.domain.queue import TicketState, ticket_no
from center.services.calendar import get_calendar
from center.services.hall.setup import DEMO_PRINTER_TOKEN, hash_token
from center.tables import Category, HallQueue, HallWindow, Staff, Ticket, TicketCall, TicketCounter, TicketPrinter
from center.timeutil import LOCAL_TZ, local_now, utcnow

# code, name, the catalog categories (by code) it serves
DEMO_QUEUES = (
    ("A", "社保医保", ("shbz",)),
    ("B", "民政老龄", ("mzyl",)),
    ("C", "户籍居住", ("gahz", "zfgjj")),
    ("D", "综合咨询", ("shbz", "mzyl", "gahz", "zfgjj")),
)
# window number, queues served, the extended-hours window
DEMO_WINDOWS = (("1", "AD", False), ("2", "ABD", False), ("3", "BC", False), ("4", "CD", False),
                ("5", "ABCD", True), ("6", "D", False))
PAST_DAYS = 5  # working days of served tickets before today


async def load_hall(centers: dict[str, int]) -> int:
    """Queues, windows, a ticket printer and served tickets at daxi and huanghe; returns the tickets created."""
    categories = {c["code"]: c["id"] for c in await Category.select(Category.id, Category.code)}
    now = utcnow()
    created = 0
    for slug in ("daxi", "huanghe"):
        center_id = centers[slug]
        if await HallQueue.exists().where(HallQueue.center == center_id):
            continue  # loaded before (safe to run twice)
        queue_ids = {}
        for order, (code, name, cats) in enumerate(DEMO_QUEUES):
            queue_ids[code] = (await HallQueue.insert(HallQueue(
                center=center_id, code=code, name=name, sort_order=order,
                categories=json.dumps(sorted(categories[c] for c in cats if c in categories)),
                daily_max=300, priority_run=1)).returning(HallQueue.id))[0]["id"]
        staff = await Staff.select(Staff.id, Staff.window).where(
            (Staff.center == center_id) & Staff.role.is_in(["worker", "manager"])).order_by(Staff.id)
        sitting = {(p["window"] or "").replace("号窗口", ""): p["id"] for p in staff if p["window"]}
        for number, codes, extended in DEMO_WINDOWS:
            await HallWindow.insert(HallWindow(center=center_id, number=number, queues=json.dumps(list(codes)),
                                               extended=extended, updated_at=now))
        if slug == "daxi":
            await TicketPrinter.insert(TicketPrinter(center=center_id, name="大厅取号机",
                                                     token_hash=hash_token(DEMO_PRINTER_TOKEN), created_at=now))
        created += await _served(center_id, queue_ids, sitting)
    return created


async def _served(center_id: int, queue_ids: dict[str, int], sitting: dict[str, int]) -> int:
    """Tickets served on the working days before today and this morning up to now (never after now)."""
    rng = random.Random(20261209 + center_id)
    calendar = await get_calendar()
    moment = local_now()
    today = moment.date()
    days: list[date] = []
    day = today
    while len(days) < PAST_DAYS + 1:
        if calendar.is_workday(day):
            days.append(day)
        day -= timedelta(days=1)
    rows: list[Ticket] = []
    calls: list[tuple[int, str, str, datetime]] = []
    counters: dict[tuple[str, date], int] = {}
    last_called: dict[tuple[str, date], datetime] = {}
    windows = [w for w, _, _ in DEMO_WINDOWS[:4]]
    for day in sorted(days):
        start = datetime.combine(day, time(8, 35), tzinfo=LOCAL_TZ)
        end = datetime.combine(day, time(11, 45), tzinfo=LOCAL_TZ)
        if day == today:
            end = min(end, moment - timedelta(minutes=20))
        at = start
        while at < end:
            code = rng.choice("AAABBCCDD")
            counters[(code, day)] = counters.get((code, day), 0) + 1
            number = counters[(code, day)]
            wait = timedelta(minutes=rng.randint(2, 25))
            serve = timedelta(minutes=rng.randint(3, 15))
            window = rng.choice([w for w, codes, _ in DEMO_WINDOWS[:4] if code in codes] or windows)
            no_show = rng.random() < 0.05
            # A queue is called in the order its tickets were taken (as 叫号 does): never before the one before it.
            called = max(at + wait, last_called.get((code, day), at) + timedelta(minutes=1))
            last_called[(code, day)] = called
            finished = called + serve
            if finished > end + timedelta(minutes=30):
                break
            rows.append(Ticket(
                center=center_id, queue=queue_ids[code], day=day, number=number, ticket_no=ticket_no(code, number),
                token=secrets.token_urlsafe(18), priority=rng.random() < 0.15,
                state=TicketState.no_show.value if no_show else TicketState.done.value, window=window,
                taken_at=at, order_at=at, called_at=called, last_called_at=called, calls=1,
                called_by=sitting.get(window), started_at=None if no_show else called + timedelta(minutes=1),
                finished_at=None if no_show else finished, no_show_at=called + timedelta(minutes=2) if no_show else None,
                client="demo", version=1,
            ))
            calls.append((len(rows) - 1, ticket_no(code, number), window, called))
            at += timedelta(minutes=rng.randint(2, 6))
    if not rows:
        return 0
    ids = [r["id"] for r in await Ticket.insert(*rows).returning(Ticket.id)]
    await TicketCall.insert(*[TicketCall(center=center_id, ticket=ids[i], ticket_no=no, window=window, kind="call",
                                         at=at) for i, no, window, at in calls])
    await TicketCounter.insert(*[TicketCounter(center=center_id, queue_code=code, day=day, last_no=n)
                                 for (code, day), n in counters.items()])
    return len(rows)
