"""Hall queue rules: what a window may do to a ticket in each state, who is called next (priority first, never
starving the others), the recall cooldown, one return after 过号, waits and today's last ticket."""

from datetime import datetime, time, timedelta

import pytest

from center.domain.queue import (
    RECALL_COOLDOWN,
    TRANSITIONS,
    QueueError,
    TicketState,
    TicketTaken,
    TicketView,
    Waiting,
    WindowAction,
    check_action,
    check_code,
    estimate_wait_min,
    may_take,
    percentile,
    pick_next,
    priority_streak,
    serving_minutes,
    taking_until,
    ticket_no,
    window_number,
)
from center.timeutil import LOCAL_TZ

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=LOCAL_TZ)
MY_WINDOW, OTHER_WINDOW = "3", "5"


def act(action, state, *, window=MY_WINDOW, called_by=MY_WINDOW, last_called_at=None, returned=False, now=NOW):
    ticket = TicketView(state=state, window=called_by if state != TicketState.waiting else "",
                        last_called_at=last_called_at, returned=returned)
    return check_action(ticket, action, window=window, now=now)


ALL = [(a, s) for a in WindowAction for s in TicketState]


@pytest.mark.parametrize(("action", "state"), ALL)
def test_every_action_is_allowed_or_refused_by_the_table(action, state):
    sources, target = TRANSITIONS[action]
    if state in sources:
        assert act(action, state) == target
    else:
        with pytest.raises(TicketTaken):
            act(action, state)


@pytest.mark.parametrize("action", [WindowAction.recall, WindowAction.no_show, WindowAction.start,
                                    WindowAction.finish, WindowAction.transfer])
def test_a_ticket_called_by_another_window_is_that_windows(action):
    with pytest.raises(TicketTaken, match="5 号窗口"):
        act(action, TicketState.called, called_by=OTHER_WINDOW)


def test_a_recall_waits_for_its_cooldown():
    # Called at 10:00:00; the hall has just heard it. 10:00:10 is refused and says how long is left (20 s);
    # 10:00:30 is allowed.
    with pytest.raises(QueueError, match="20 秒"):
        act(WindowAction.recall, TicketState.called, last_called_at=NOW, now=NOW + timedelta(seconds=10))
    assert act(WindowAction.recall, TicketState.called, last_called_at=NOW, now=NOW + RECALL_COOLDOWN) \
        == TicketState.called


def test_a_no_show_comes_back_once():
    assert act(WindowAction.come_back, TicketState.no_show) == TicketState.waiting
    with pytest.raises(QueueError, match="回来过一次"):
        act(WindowAction.come_back, TicketState.no_show, returned=True)


def test_any_window_may_take_back_a_no_show_that_came_back():
    # The resident who missed window 5's call comes to window 3: it puts the ticket back in line.
    assert act(WindowAction.come_back, TicketState.no_show, called_by=OTHER_WINDOW) == TicketState.waiting


def t(id_, minute, priority=False, target=""):
    return Waiting(id_, priority, NOW + timedelta(minutes=minute), target)


def test_the_oldest_ticket_is_called_first():
    assert pick_next([t(2, 5), t(1, 1), t(3, 9)], window=MY_WINDOW, priority_run_so_far=0, priority_run=1).id == 1


def test_a_priority_ticket_goes_before_older_ordinary_ones():
    assert pick_next([t(1, 1), t(2, 8, priority=True)], window=MY_WINDOW, priority_run_so_far=0,
                     priority_run=1).id == 2


def test_priority_at_most_every_other_call_while_an_ordinary_ticket_waits():
    waiting = [t(1, 1), t(2, 2, True), t(3, 3, True), t(4, 4, True)]
    # The last call was a priority ticket (run 1 of at most 1): the ordinary ticket now.
    assert pick_next(waiting, window=MY_WINDOW, priority_run_so_far=1, priority_run=1).id == 1
    # With a run of 2 allowed, one more priority ticket first.
    assert pick_next(waiting, window=MY_WINDOW, priority_run_so_far=1, priority_run=2).id == 2


def test_priority_tickets_go_on_when_no_ordinary_one_waits():
    assert pick_next([t(2, 2, True), t(3, 3, True)], window=MY_WINDOW, priority_run_so_far=5,
                     priority_run=1).id == 2


def test_a_ticket_sent_to_another_window_is_not_called_here():
    waiting = [t(1, 1, target=OTHER_WINDOW), t(2, 2)]
    assert pick_next(waiting, window=MY_WINDOW, priority_run_so_far=0, priority_run=1).id == 2
    assert pick_next(waiting, window=OTHER_WINDOW, priority_run_so_far=0, priority_run=1).id == 1
    assert pick_next([t(1, 1, target=OTHER_WINDOW)], window=MY_WINDOW, priority_run_so_far=0, priority_run=1) is None


def test_the_priority_streak_counts_back_to_the_first_ordinary_call():
    assert priority_streak([True, True, False, True]) == 2
    assert priority_streak([False, True]) == 0
    assert priority_streak([]) == 0


def test_over_a_morning_ordinary_tickets_never_starve():
    # 10 priority and 10 ordinary tickets waiting from the start: calls alternate until the ordinary ones run out.
    waiting = [t(i, i, priority=i % 2 == 0) for i in range(20)]
    called = []
    while waiting:
        streak = priority_streak([w.priority for w in reversed(called)])
        chosen = pick_next(waiting, window=MY_WINDOW, priority_run_so_far=streak, priority_run=1)
        called.append(chosen)
        waiting.remove(chosen)
    kinds = [c.priority for c in called]
    assert kinds == [True, False] * 10


def test_ticket_numbers_are_the_letter_and_three_digits():
    assert ticket_no("A", 12) == "A012"
    assert ticket_no("D", 1234) == "D1234"


@pytest.mark.parametrize("code", ["a", " B ", "Z"])
def test_a_queue_code_is_one_letter(code):
    assert check_code(code) == code.strip().upper()


@pytest.mark.parametrize("code", ["", "AB", "1", "甲"])
def test_anything_else_is_refused_in_chinese(code):
    with pytest.raises(QueueError, match="一个大写字母"):
        check_code(code)


def test_window_labels_name_their_number():
    assert window_number("3号窗口") == "3"
    assert window_number("12") == "12"
    assert window_number("") == ""


def test_the_serving_time_is_the_median_once_measured():
    assert serving_minutes([5, 6]) == 8.0  # too few: the default
    assert serving_minutes([4, 6, 8, 10, 30]) == 8  # the median; one long case does not move it


def test_percentiles_interpolate_like_a_spreadsheet():
    # [1, 2, 3, 4]: p50 is halfway between 2 and 3; p90 lies at rank 2.7, 0.7 of the way from 3 to 4.
    assert percentile([4, 1, 3, 2], 0.5) == 2.5
    assert percentile([1, 2, 3, 4], 0.9) == pytest.approx(3.7)
    assert percentile([], 0.5) is None


def test_the_wait_shares_those_before_among_the_staffed_windows():
    # 7 before, 8 minutes each, 2 windows: 7 × 8 ÷ 2 = 28, and half a service still under way at the window that
    # frees first (4): 32 minutes.
    assert estimate_wait_min(7, 8, 2) == 32
    # The first in line waits for that half service too: 4 minutes, never "0 分钟" while every window is busy.
    assert estimate_wait_min(0, 8, 2) == 4
    assert estimate_wait_min(3, 8, 0) is None  # no window staffed: no promise


SPANS = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)), (time(18, 0), time(20, 0)))


def test_tickets_stop_a_quarter_before_each_span_closes():
    assert may_take(SPANS, time(8, 30))
    assert may_take(SPANS, time(11, 44))
    assert not may_take(SPANS, time(11, 45))
    assert not may_take(SPANS, time(13, 0))
    assert may_take(SPANS, time(19, 30))
    assert not may_take(SPANS, time(7, 0))


def test_today_ends_taking_a_quarter_before_the_last_span_ends():
    # With the evening's extended hours until 20:00, the last ticket is at 19:45.
    assert taking_until(SPANS, time(10, 0)) == time(19, 45)
    assert taking_until(SPANS[:2], time(10, 0)) == time(17, 15)
    assert taking_until(SPANS, time(21, 0)) is None
