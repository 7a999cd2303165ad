"""Figures of the hall queue (取号叫号): how long residents wait and are served, per queue, window, worker and hour.

Waiting time runs from taking the ticket to its first call (taken_at → called_at), for every called ticket, a 过号
included: the resident waited that long either way. Serving time runs from the call to 办结 (called_at →
finished_at), for done tickets only. Both are told as p50 (the median: half the residents waited less) and p90
(nine in ten waited less), in minutes, by `percentile` (a spreadsheet's PERCENTILE), so the workbook can be checked
by hand. The no-show rate is 过号 ÷ called tickets; the priority share is priority tickets ÷ all tickets taken.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Sequence

from center.domain.queue import TicketState, percentile

# The hours of the day the hall's figures are told by (the hour a ticket was taken, local time): 8:00–20:59, the
# regular day and the evenings of extended service.
HOURS = tuple(range(8, 21))


@dataclass(frozen=True)
class TicketTimes:
    """What the figures need of a ticket; moments in local time (Asia/Shanghai), as the hall reads its clock."""

    queue: str  # "A 社保医保"
    state: str
    taken_at: datetime
    priority: bool = False
    window: str = ""  # the window that called it ("" if never called)
    worker: str = ""  # who called it (display name)
    called_at: datetime | None = None
    finished_at: datetime | None = None


def minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def _p(values: Sequence[float], share: float) -> float | None:
    value = percentile(values, share)
    return None if value is None else round(value, 1)


def no_show_rate(no_show: int, called: int) -> float | None:
    """过号率 in percent, one decimal: 过号 ÷ tickets called; None while nothing was called (no rate to tell)."""
    return round(100 * no_show / called, 1) if called else None


def share(part: int, whole: int) -> float | None:
    """A part of a whole in percent, one decimal; None of nothing."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Group:
    """The figures of one queue, window, worker, hour or of the whole period."""

    tickets: int = 0
    called: int = 0
    done: int = 0
    no_show: int = 0
    priority: int = 0
    waits: list[float] = field(default_factory=list)
    serves: list[float] = field(default_factory=list)

    def add(self, t: TicketTimes) -> None:
        self.tickets += 1
        self.priority += t.priority
        if t.called_at is not None:
            self.called += 1
            self.waits.append(minutes(t.taken_at, t.called_at))
        if t.state == TicketState.no_show:
            self.no_show += 1
        if t.state == TicketState.done and t.called_at is not None and t.finished_at is not None:
            self.done += 1
            self.serves.append(minutes(t.called_at, t.finished_at))

    def figures(self) -> dict:
        return {
            "tickets": self.tickets, "called": self.called, "done": self.done, "no_show": self.no_show,
            "priority": self.priority,
            "wait_p50": _p(self.waits, 0.5), "wait_p90": _p(self.waits, 0.9),
            "serve_p50": _p(self.serves, 0.5), "serve_p90": _p(self.serves, 0.9),
            "no_show_rate": no_show_rate(self.no_show, self.called),
            "priority_share": share(self.priority, self.tickets),
        }


def hall_figures(tickets: Iterable[TicketTimes], days: Sequence[date] = ()) -> dict:
    """The period's figures: totals; rows per queue, per window, per worker (those who called; a ticket never
    called has neither), per hour of the day it was taken (HOURS, every hour listed even when empty; a ticket taken
    outside them counts in the totals only); tickets per day (every day of `days` listed, and any other day a
    ticket was taken on)."""
    totals = Group()
    by: dict[str, dict[str, Group]] = {"queue": defaultdict(Group), "window": defaultdict(Group),
                                       "worker": defaultdict(Group)}
    hours = {h: Group() for h in HOURS}
    per_day: Counter[date] = Counter({d: 0 for d in days})
    for t in tickets:
        totals.add(t)
        by["queue"][t.queue].add(t)
        if t.window:
            by["window"][t.window].add(t)
        if t.worker:
            by["worker"][t.worker].add(t)
        if t.taken_at.hour in hours:
            hours[t.taken_at.hour].add(t)
        per_day[t.taken_at.date()] += 1

    def rows(groups: dict[str, Group], key=None) -> list[tuple[str, dict]]:
        return [(name, groups[name].figures()) for name in sorted(groups, key=key)]

    return {
        "totals": totals.figures(),
        "by_queue": rows(by["queue"]),
        # Windows by their number as the hall counts them: 2 before 10.
        "by_window": rows(by["window"], key=lambda n: (len(n), n)),
        "by_worker": sorted(rows(by["worker"]), key=lambda kv: -kv[1]["called"]),
        "by_hour": [(h, hours[h].figures()) for h in HOURS],
        "per_day": sorted(per_day.items()),
    }
