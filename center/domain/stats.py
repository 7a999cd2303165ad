"""Honest figures of the one window (限时办结): which cases count as on time, which as late, and the on-time rate.

Seed 003 asks for promised items to be finished within their working-day limit. A case still open past its
deadline can no longer be finished on time, so it counts as late the day after its deadline, as a completed-late
case does; a rate that waited for it to be closed would flatter the window exactly while cases are overdue.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TypeVar

from center.domain.cases import OPEN_STATUSES, CaseStatus

Day = TypeVar("Day", date, str)
_COMPLETED, _AWAITING = CaseStatus.completed, CaseStatus.awaiting


class Timeliness(StrEnum):
    on_time = "on_time"  # completed by its deadline
    late = "late"  # completed after its deadline, or still open past it
    pending = "pending"  # open and not yet past its deadline: not decided either way
    not_counted = "not_counted"  # consultations and refusals promise no completion


def timeliness(status: CaseStatus | str, due: Day | None, closed_on: Day | None, paused_on: Day | None,
               today: Day) -> Timeliness:
    """限时办结: a completed case is on time when closed on or before its deadline; an open case is late once today
    is past its deadline; a case awaiting materials (clock paused) is late only if it was paused after its
    deadline had already passed, otherwise its deadline moves when the clock resumes.

    Days are all `date`s or all ISO "YYYY-MM-DD" strings (they order alike): the figures judge a district's year,
    50,000 cases, straight from the database's text without parsing a date."""
    if status == _COMPLETED:
        return Timeliness.on_time if due is None or closed_on is None or closed_on <= due else Timeliness.late
    if status not in OPEN_STATUSES:
        return Timeliness.not_counted
    if due is None:
        return Timeliness.pending
    if status == _AWAITING:
        return Timeliness.late if paused_on is not None and paused_on > due else Timeliness.pending
    return Timeliness.late if today > due else Timeliness.pending


def on_time_rate(on_time: int, late: int) -> float | None:
    """按时办结率 in percent, one decimal: on time ÷ (on time + late), late including open cases past their
    deadline; None while no case is decided either way."""
    decided = on_time + late
    return round(100 * on_time / decided, 1) if decided else None


def pct(part: int, whole: int) -> float | None:
    """A share in percent to one decimal (None when there is nothing to share: no rate, rather than 0 %)."""
    return round(100.0 * part / whole, 1) if whole else None
