"""Two windows serving the same queue press 叫号 at the same instant, round after round: every ticket is called
exactly once, never by both (runs on SQLite and, with CENTER_TEST_ENGINE=postgres, on PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from center.domain.queue import QueueError, TicketState
from center.services.hall import tickets, window
from center.services.hall.tickets import TakeRequest
from center.tables import Staff, Ticket, TicketCall
from tests.factories import JOURNEY_NOW, as_user, make_staff
from tests.support.hall import make_hall

pytestmark = pytest.mark.usefixtures("db")

TICKETS = 41  # odd: in the last round one window finds nobody left


async def seat(settings, hall: dict, number: str):
    staff = await make_staff(settings, center=hall)
    await Staff.update({Staff.window: f"{number}号窗口"}).where(Staff.id == staff["id"])
    return await as_user(staff)


async def test_two_windows_calling_at_once_never_call_the_same_ticket(db):
    hall = await make_hall(queues="A", windows={"1": "A", "2": "A"})
    one, two = await seat(db, hall, "1"), await seat(db, hall, "2")
    taken = [await tickets.take_ticket(hall["slug"], TakeRequest("A", n % 7 == 0, f"kiosk-{n}"),
                                       now=JOURNEY_NOW + timedelta(milliseconds=n))
             for n in range(TICKETS)]
    called: list[tuple[str, int]] = []
    nobody_left = 0
    for round_no in range(TICKETS // 2 + 1):
        now = JOURNEY_NOW + timedelta(minutes=1, seconds=round_no)
        answers = await asyncio.gather(window.call_next(one, now=now), window.call_next(two, now=now),
                                       return_exceptions=True)
        for who, answer in zip((one, two), answers):
            if isinstance(answer, QueueError):
                assert str(answer) == "当前没有等候的号"
                nobody_left += 1
                continue
            assert not isinstance(answer, BaseException), answer
            called.append((answer["window"], answer["id"]))
            # 开始办理: the next call finishes it, and this window may call again.
            await window.act(who, answer["id"], "start", now=now)
    ids = [ticket_id for _, ticket_id in called]
    assert len(ids) == len(set(ids)) == TICKETS  # each ticket once, none twice, none left out
    assert nobody_left == 1
    assert {w for w, _ in called} == {"1", "2"}  # both windows got tickets
    rows = await Ticket.select(Ticket.id, Ticket.calls, Ticket.state, Ticket.window).where(
        Ticket.center == hall["id"])
    assert len(rows) == len(taken)
    assert all(r["calls"] == 1 for r in rows)
    assert not [r for r in rows if r["state"] == TicketState.waiting.value]
    by_id = {r["id"]: r["window"] for r in rows}
    assert all(by_id[ticket_id] == w for w, ticket_id in called)  # the window told is the window recorded
    # The hall heard each ticket called once (the screen's log of calls).
    calls = await TicketCall.select(TicketCall.ticket).where(
        (TicketCall.center == hall["id"]) & (TicketCall.kind == "call"))
    assert sorted(c["ticket"] for c in calls) == sorted(ids)
