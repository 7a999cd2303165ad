"""Honest figures: an open case past its deadline counts as late, and the on-time rate says so."""

from datetime import date

import pytest

from center.domain.cases import CaseStatus
from center.domain.stats import Timeliness, on_time_rate, timeliness

ON_TIME, LATE, PENDING, NOT_COUNTED = Timeliness.on_time, Timeliness.late, Timeliness.pending, Timeliness.not_counted
TODAY = date(2026, 12, 9)  # Wednesday
DUE = date(2026, 12, 7)  # Monday: a 3-working-day item accepted Wed 2 Dec


def judge(status, *, due=DUE, closed_on=None, paused_on=None, today=TODAY):
    return timeliness(status, due, closed_on, paused_on, today)


@pytest.mark.parametrize(
    ("status", "closed_on", "paused_on", "today", "expected"),
    [
        # Completed: on time up to and including the deadline day, late after it.
        (CaseStatus.completed, date(2026, 12, 4), None, TODAY, ON_TIME),
        (CaseStatus.completed, DUE, None, TODAY, ON_TIME),
        (CaseStatus.completed, date(2026, 12, 8), None, TODAY, LATE),
        # Open and past the deadline: late already, whatever the state that keeps it open.
        (CaseStatus.accepted, None, None, TODAY, LATE),
        (CaseStatus.forwarded, None, None, TODAY, LATE),
        # Open on the deadline day itself, or before it: not decided yet.
        (CaseStatus.accepted, None, None, DUE, PENDING),
        (CaseStatus.forwarded, None, None, date(2026, 12, 3), PENDING),
        # Awaiting materials: the clock is paused, so the deadline moves on resumption ...
        (CaseStatus.awaiting, None, date(2026, 12, 4), TODAY, PENDING),
        (CaseStatus.awaiting, None, DUE, TODAY, PENDING),
        # ... unless the case was already overdue when it was paused.
        (CaseStatus.awaiting, None, date(2026, 12, 8), TODAY, LATE),
        # Consultations and refusals promise no completion.
        (CaseStatus.consult, date(2026, 12, 2), None, TODAY, NOT_COUNTED),
        (CaseStatus.refused, date(2026, 12, 2), None, TODAY, NOT_COUNTED),
    ],
)
def test_a_case_is_on_time_late_or_not_yet_decided(status, closed_on, paused_on, today, expected):
    assert judge(status, closed_on=closed_on, paused_on=paused_on, today=today) == expected
    # The figures pass the database's ISO day text straight in: the same answers.
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    assert timeliness(status.value, iso(DUE), iso(closed_on), iso(paused_on), iso(today)) == expected


def test_a_case_without_a_deadline_is_never_late():
    assert judge(CaseStatus.completed, due=None, closed_on=TODAY) == ON_TIME
    assert judge(CaseStatus.accepted, due=None) == PENDING


@pytest.mark.parametrize(
    ("on_time", "late", "rate"),
    [
        (10, 0, 100.0),
        (7, 3, 70.0),  # 3 overdue cases: the rate cannot stay at 100 %
        (2, 1, 66.7),
        (0, 4, 0.0),
        (0, 0, None),  # nothing decided yet: no rate rather than a flattering 100 %
    ],
)
def test_the_on_time_rate_counts_every_late_case_open_or_closed(on_time, late, rate):
    assert on_time_rate(on_time, late) == rate
