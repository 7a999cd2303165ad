"""Tickets at the door: numbers per queue and local day, refused outside the hours and beyond the daily maximum,
limited per address (not for a registered printer), waits from the measured serving time and the windows staffed
now, and after regular hours the extended-hours window."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from center.domain import NotFound
from center.domain.queue import ADDRESS_LIMIT, QueueClosed, TicketState, TooManyTickets
from center.services.hall import tickets
from center.services.hall.tickets import TakeRequest
from center.domain.periods import monday_of
from center.tables import Assignment, HallWindow, HoursPeriod, RosterWeek, ShiftType, Ticket
from center.timeutil import LOCAL_TZ
from tests.factories import JOURNEY_NOW, make_staff
from tests.support.hall import make_hall

pytestmark = pytest.mark.usefixtures("db")


def at(hour: int, minute: int = 0, day: int = 9) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=LOCAL_TZ)


async def take(hall, queue="A", *, now=JOURNEY_NOW, priority=False, client="", printer=None):
    client = client or f"kiosk-{hall['slug']}"  # the limit is per address across the district: one per test
    return await tickets.take_ticket(hall["slug"], TakeRequest(queue, priority, client, printer), now=now)


async def test_numbers_count_up_per_queue_and_start_again_each_local_day():
    hall = await make_hall()
    assert [(await take(hall))["ticket_no"] for _ in range(3)] == ["A001", "A002", "A003"]
    assert (await take(hall, "B"))["ticket_no"] == "B001"
    # Thursday 08:31 in Shanghai is still Wednesday in UTC: the local day decides.
    assert (await take(hall, now=at(8, 31, day=10)))["ticket_no"] == "A001"


async def test_a_ticket_says_how_many_wait_before_it():
    hall = await make_hall()
    await take(hall)
    await take(hall)
    third = await take(hall)
    assert third["waiting_before"] == 2
    # A priority ticket waits only behind the priority tickets taken before it.
    assert (await take(hall, priority=True))["waiting_before"] == 0


async def test_no_ticket_outside_the_hours_and_the_next_opening_is_told():
    hall = await make_hall()
    with pytest.raises(QueueClosed, match="今日 14:00 起可以取号"):
        await take(hall, now=at(12, 30))
    with pytest.raises(QueueClosed, match="明日 08:30"):
        await take(hall, now=at(18, 0))
    with pytest.raises(QueueClosed):  # a quarter of an hour before closing the last ticket is gone
        await take(hall, now=at(17, 20))
    assert await Ticket.count().where(Ticket.center == hall["id"]) == 0


async def test_an_unknown_queue_is_told_in_chinese():
    hall = await make_hall()
    with pytest.raises(NotFound, match="没有“Z”这个队列"):
        await take(hall, "Z")


async def test_the_daily_maximum_is_kept_and_the_refused_number_is_not_used_up():
    hall = await make_hall(daily_max=2)
    await take(hall)
    await take(hall)
    with pytest.raises(QueueClosed, match="号已取完（每日 2 个）"):
        await take(hall)
    view = await tickets.take_view(hall["slug"], now=JOURNEY_NOW)
    assert [q["full"] for q in view["queues"]] == [True, False]


async def test_one_address_is_limited_but_a_registered_printer_is_not():
    hall = await make_hall()
    for _ in range(ADDRESS_LIMIT):
        await take(hall, client=f"script-{hall['slug']}")
    with pytest.raises(TooManyTickets, match="取号过于频繁"):
        await take(hall, client=f"script-{hall['slug']}")
    assert (await take(hall, client=f"script-{hall['slug']}", printer=1))["ticket_no"] == f"A{ADDRESS_LIMIT + 1:03d}"


async def test_the_wait_shares_the_measured_serving_time_among_the_open_windows(db):
    hall = await make_hall()
    worker = await make_staff(db, "worker", hall)
    # Six tickets served at 10 minutes each earlier today: the queue's serving time is measured at 10.
    for n in range(6):
        called = at(8, 40) + timedelta(minutes=10 * n)
        await Ticket.insert(Ticket(
            center=hall["id"], queue=hall["queue_ids"]["A"], day=called.date(), number=100 + n,
            ticket_no=f"A{100 + n}", token=f"served-{n}-{hall['id']}", state=TicketState.done.value, window="1",
            taken_at=called, order_at=called, called_at=called, finished_at=called + timedelta(minutes=10),
        ))
    for _ in range(4):
        await take(hall)
    # No window open yet: no promise.
    assert (await take(hall))["estimated_wait_min"] is None
    # Windows 1 and 2 open: 5 before, 10 minutes each, 2 windows = 25 minutes, + 5 for the service under way.
    await HallWindow.update({HallWindow.staff: worker["id"], HallWindow.opened_at: JOURNEY_NOW}).where(
        HallWindow.center == hall["id"])
    assert (await take(hall))["estimated_wait_min"] == 30
    # Window 2 paused: one window, 6 before = 60 minutes, + 5.
    await HallWindow.update({HallWindow.paused: True}).where(
        (HallWindow.center == hall["id"]) & (HallWindow.number == "2"))
    assert (await take(hall))["estimated_wait_min"] == 65


async def test_after_regular_hours_tickets_go_to_the_extended_hours_window(db):
    hall = await make_hall()
    await HoursPeriod.insert(HoursPeriod(center=hall["id"], day_kind="workday", start=time(17, 30), end=time(20, 0),
                                         kind="extended"))
    await HallWindow.update({HallWindow.extended: True}).where(
        (HallWindow.center == hall["id"]) & (HallWindow.number == "2"))
    # The evening is extended service, promised only by a published roster week: while the week is a draft,
    # the evening gives no tickets and the day's last ticket is before regular closing.
    with pytest.raises(QueueClosed):
        await take(hall, now=at(18, 30))
    assert (await take(hall))["taking_until"] == "17:15"
    await RosterWeek.insert(RosterWeek(center=hall["id"], week=monday_of(JOURNEY_NOW.date()), status="published",
                                       published_at=JOURNEY_NOW))
    evening = await take(hall, now=at(18, 31))  # (the door reads the day once a minute)
    assert evening["target_window"] == "2"
    assert evening["taking_until"] == "19:45"
    morning = await take(hall, now=at(10, 6))
    assert morning["target_window"] == "" and morning["taking_until"] == "19:45"


async def test_the_ticket_page_knows_nothing_personal_and_the_hall_counts_the_waiting():
    hall = await make_hall()
    ticket = await take(hall)
    status = await tickets.ticket_status(ticket["token"], now=JOURNEY_NOW)
    assert status["state"] == "waiting" and status["ticket_no"] == "A001" and status["window"] == ""
    assert set(status) >= {"ticket_no", "state", "waiting_before", "window", "queue"}
    state = await tickets.hall_state(hall["slug"], now=JOURNEY_NOW)
    assert state["waiting"] == {"A": 1, "B": 0}
    with pytest.raises(NotFound):
        await tickets.ticket_status("no-such-token")



def test_a_ticket_row_has_no_place_for_anything_personal():
    names = {c._meta.name for c in Ticket._meta.columns}
    assert not names & {"resident_name", "id_number", "phone", "name"}, sorted(names)


async def test_out_of_regular_hours_the_estimate_counts_only_who_the_published_roster_has_on_duty(db):
    hall = await make_hall()
    worker = await make_staff(db, "worker", hall)
    await HoursPeriod.insert(HoursPeriod(center=hall["id"], day_kind="workday", start=time(17, 30), end=time(20, 0),
                                         kind="extended"))
    await RosterWeek.insert(RosterWeek(center=hall["id"], week=monday_of(JOURNEY_NOW.date()), status="published",
                                       published_at=JOURNEY_NOW))
    # Both windows open (their workers stayed), but the evening is the roster's: nobody on it, no promise.
    await HallWindow.update({HallWindow.staff: worker["id"], HallWindow.opened_at: at(18, 0)}).where(
        HallWindow.center == hall["id"])
    await take(hall, now=at(18, 30))
    assert (await take(hall, now=at(18, 31)))["estimated_wait_min"] is None
    # One person on the evening shift of the published week: one window's worth (2 before × 8 min default = 16,
    # + 4 for the service under way).
    shift = (await ShiftType.insert(ShiftType(center=hall["id"], name="延时班", start=time(17, 30), end=time(20, 0),
                                              period_kind="extended")).returning(ShiftType.id))[0]["id"]
    await Assignment.insert(Assignment(center=hall["id"], shift_type=shift, day=JOURNEY_NOW.date(), staff=worker["id"],
                                       created_at=JOURNEY_NOW))
    assert (await take(hall, now=at(18, 32)))["estimated_wait_min"] == 20


async def test_a_make_up_working_day_gives_tickets_in_working_day_hours():
    # 2026-02-14 is a Saturday worked in exchange for the Spring Festival (调休): working-day hours, tickets at 10:00;
    # 2026-03-07, an ordinary Saturday with no hours set, gives none.
    hall = await make_hall()
    ticket = await take(hall, now=datetime(2026, 2, 14, 10, 0, tzinfo=LOCAL_TZ))
    assert ticket["ticket_no"] == "A001" and ticket["taking_until"] == "17:15"
    with pytest.raises(QueueClosed):
        await take(hall, now=datetime(2026, 3, 7, 10, 0, tzinfo=LOCAL_TZ))


async def test_a_queue_no_window_serves_is_not_offered_at_the_door():
    # Queue B set up but no window serving it yet: the door shows A only, and a printer asking for B is told why.
    hall = await make_hall(windows={"1": "A"})
    view = await tickets.take_view(hall["slug"], now=JOURNEY_NOW)
    assert [q["code"] for q in view["queues"]] == ["A"]
    with pytest.raises(QueueClosed, match="队列B暂无窗口服务"):
        await take(hall, "B")
