"""The hall's figures as rules: waits and serving times by percentile, no-show rate, priority share, the groups."""

from datetime import date, datetime, timedelta

import pytest

from center.domain.hall_figures import HOURS, TicketTimes, hall_figures, no_show_rate, share
from center.timeutil import LOCAL_TZ

DAY = date(2026, 12, 9)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


def ticket(taken: datetime, wait: float | None = None, serve: float | None = None, **overrides) -> TicketTimes:
    """A ticket taken at `taken`, called `wait` minutes later and done `serve` minutes after that."""
    called = taken + timedelta(minutes=wait) if wait is not None else None
    finished = called + timedelta(minutes=serve) if called is not None and serve is not None else None
    state = overrides.pop("state", "done" if finished else "called" if called else "waiting")
    values = {"queue": "A 社保医保", "window": "1" if called else "", "worker": "王芳" if called else ""}
    values.update(overrides)
    return TicketTimes(taken_at=taken, called_at=called, finished_at=finished, state=state, **values)


def test_waits_are_told_by_median_and_ninetieth_percentile():
    # Waits 2, 4, 6, 8, 30 minutes. p50: rank (5-1)*0.5 = 2 → the third, 6.
    # p90: rank (5-1)*0.9 = 3.6 → 8 + 0.6 * (30 - 8) = 21.2.
    tickets = [ticket(at(9), wait=w, serve=5) for w in (8, 2, 30, 4, 6)]
    t = hall_figures(tickets)["totals"]
    assert (t["wait_p50"], t["wait_p90"]) == (6.0, 21.2)


def test_serving_time_counts_done_tickets_only():
    # Served 4 and 10 minutes: p50 rank 0.5 → 4 + 0.5 * 6 = 7; p90 rank 0.9 → 4 + 0.9 * 6 = 9.4.
    # The 过号 and the ticket still at the window have no serving time.
    tickets = [ticket(at(9), wait=3, serve=4), ticket(at(9), wait=5, serve=10),
               ticket(at(9), wait=7, state="no_show"), ticket(at(9), wait=9, state="serving")]
    t = hall_figures(tickets)["totals"]
    assert (t["serve_p50"], t["serve_p90"], t["done"]) == (7.0, 9.4, 2)
    # ...while every called ticket waited: 3, 5, 7, 9 → p50 = 5 + 0.5 * 2 = 6.
    assert (t["called"], t["wait_p50"]) == (4, 6.0)


def test_a_waiting_ticket_counts_as_taken_but_has_no_wait_yet():
    t = hall_figures([ticket(at(9)), ticket(at(9), wait=10, serve=5)])["totals"]
    assert (t["tickets"], t["called"], t["wait_p50"], t["wait_p90"]) == (2, 1, 10.0, 10.0)


def test_an_empty_period_has_no_figures_rather_than_zeros():
    figures = hall_figures([], [DAY, DAY + timedelta(days=1)])
    t = figures["totals"]
    assert t["tickets"] == 0
    assert (t["wait_p50"], t["wait_p90"], t["serve_p50"], t["no_show_rate"], t["priority_share"]) == (None,) * 5
    assert figures["by_queue"] == figures["by_window"] == figures["by_worker"] == []
    assert [h for h, _ in figures["by_hour"]] == list(HOURS)  # every hour listed, empty
    assert figures["per_day"] == [(DAY, 0), (DAY + timedelta(days=1), 0)]


@pytest.mark.parametrize("no_show, called, rate", [
    (1, 4, 25.0),  # 1 ÷ 4
    (1, 3, 33.3),  # 1 ÷ 3 = 33.33… → one decimal
    (0, 5, 0.0),
    (0, 0, None),  # nothing called: no rate, not 0 %
])
def test_no_show_rate_is_no_shows_over_calls(no_show, called, rate):
    assert no_show_rate(no_show, called) == rate


def test_no_show_rate_counts_calls_not_tickets_taken():
    # Four taken, two called, one of them 过号: 1 ÷ 2 = 50 %, not 1 ÷ 4.
    tickets = [ticket(at(9)), ticket(at(9)), ticket(at(9), wait=4, serve=6), ticket(at(9), wait=5, state="no_show")]
    assert hall_figures(tickets)["totals"]["no_show_rate"] == 50.0


def test_priority_share_is_priority_tickets_over_all_taken():
    # 1 of 3 → 33.3 %.
    tickets = [ticket(at(9), priority=True), ticket(at(9)), ticket(at(10), wait=2, serve=3)]
    assert hall_figures(tickets)["totals"]["priority_share"] == 33.3
    assert share(0, 0) is None


def test_groups_per_queue_window_worker_and_hour():
    tickets = [
        ticket(at(9, 5), wait=10, serve=5, queue="A 社保医保", window="2", worker="王芳"),
        ticket(at(9, 40), wait=20, serve=5, queue="A 社保医保", window="10", worker="李强"),
        ticket(at(14), wait=4, serve=8, queue="B 民政老龄", window="2", worker="王芳"),
        ticket(at(14, 30), queue="B 民政老龄"),  # never called: no window, no worker
    ]
    figures = hall_figures(tickets)
    by_queue = dict(figures["by_queue"])
    assert by_queue["A 社保医保"]["wait_p50"] == 15.0  # 10 and 20
    assert by_queue["B 民政老龄"]["tickets"] == 2
    assert [name for name, _ in figures["by_window"]] == ["2", "10"]  # as the hall counts, 2 before 10
    assert dict(figures["by_worker"])["王芳"]["called"] == 2
    assert sum(r["tickets"] for _, r in figures["by_worker"]) == 3
    hours = dict(figures["by_hour"])
    assert (hours[9]["tickets"], hours[9]["wait_p90"]) == (2, 19.0)  # 10 + 0.9 * 10
    assert (hours[14]["tickets"], hours[8]["tickets"]) == (2, 0)


def test_the_hour_is_the_hour_the_ticket_was_taken_and_outside_hours_count_in_the_totals_only():
    tickets = [ticket(at(9, 59), wait=30, serve=5), ticket(at(21, 10), wait=1, serve=1)]
    figures = hall_figures(tickets)
    hours = dict(figures["by_hour"])
    assert hours[9]["tickets"] == 1 and hours[10]["tickets"] == 0  # called at 10:29, counted at 9
    assert figures["totals"]["tickets"] == 2 and 21 not in hours


def test_tickets_per_day_lists_every_day_of_the_period():
    later = DAY + timedelta(days=2)
    tickets = [ticket(at(9)), ticket(at(10)), ticket(at(9, day=later))]
    per_day = dict(hall_figures(tickets, [DAY + timedelta(days=i) for i in range(3)])["per_day"])
    assert per_day == {DAY: 2, DAY + timedelta(days=1): 0, later: 1}
