"""The demo hall is alive on first start: queues and windows at the community centers, served tickets with their
calls (so the screen has a current call and the figures have numbers), and a ticket printer token that works."""

from __future__ import annotations

from center.services.hall import setup, tickets
from center.services.hall.tickets import TakeRequest
from center.tables import HallQueue, HallWindow, Ticket, TicketCall
from tests.factories import JOURNEY_NOW


async def test_the_demo_hall_has_queues_windows_and_a_morning_of_served_tickets(demo_db, frozen_clock):
    codes = [q["code"] for q in await HallQueue.select(HallQueue.code).where(HallQueue.center.slug == "daxi")]
    assert codes == ["A", "B", "C", "D"]
    windows = await HallWindow.select(HallWindow.number, HallWindow.extended).where(HallWindow.center.slug == "daxi")
    assert len(windows) == 6 and sum(w["extended"] for w in windows) == 1
    served = await Ticket.count().where((Ticket.center.slug == "daxi") & (Ticket.state == "done"))
    assert served >= 50
    # Each served ticket was called (the screen's last calls, the figures' waits); this morning's only when the
    # demo was loaded after opening, so the count is of all the demo's days.
    assert await TicketCall.count().where(TicketCall.center.slug == "daxi") >= served
    printer = await setup.printer_for(setup.DEMO_PRINTER_TOKEN)
    assert printer is not None
    frozen_clock(JOURNEY_NOW)
    ticket = await tickets.take_ticket("daxi", TakeRequest("A", printer_id=printer["id"]))
    assert ticket["ticket_no"].startswith("A")
