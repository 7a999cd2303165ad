"""The hall queue's rules (取号叫号): ticket numbers, what a window may do to a ticket, who is called next, waits.

A ticket goes waiting → called → serving → done. A called ticket whose resident does not come is 过号 (no_show) and
may come back once (returned, waiting again in its old place). A transfer (转队) puts a waiting or called ticket
into another queue or at one window, keeping its place in time (order_at). Priority tickets (老年人、残疾人优先) go
first, but at most `priority_run` of them in a row while an ordinary ticket waits, so no one starves.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Sequence

from center.domain import DomainError

# A recall (重呼) is refused for this long after the last call of the same ticket: the hall has just heard it.
RECALL_COOLDOWN = timedelta(seconds=30)
# Tickets stop this long before the hall closes (今日取号截至): a resident who takes one must still be served.
STOP_TAKING_BEFORE_CLOSE = timedelta(minutes=15)
# The serving time assumed for a queue until enough tickets have been served to measure it.
DEFAULT_SERVING_MINUTES = 8.0
MIN_SAMPLES = 5
# Per client address (the take page's kiosk, a script): tickets within the window below. A registered ticket
# printer with its token is exempt.
ADDRESS_LIMIT = 20
ADDRESS_WINDOW = timedelta(minutes=10)

CODE_RE = re.compile(r"^[A-Z]$")


class TicketState(StrEnum):
    waiting = "waiting"
    called = "called"
    serving = "serving"
    done = "done"
    no_show = "no_show"


STATE_LABELS = {TicketState.waiting: "等候中", TicketState.called: "已叫号", TicketState.serving: "办理中",
                TicketState.done: "已办结", TicketState.no_show: "已过号"}


class WindowAction(StrEnum):
    call = "call"  # 叫号 (the ticket is chosen by pick_next)
    recall = "recall"  # 重呼
    no_show = "no_show"  # 过号
    come_back = "come_back"  # 过号后回来
    transfer = "transfer"  # 转队
    start = "start"  # 开始办理
    finish = "finish"  # 办结


ACTION_LABELS = {WindowAction.call: "叫号", WindowAction.recall: "重呼", WindowAction.no_show: "过号",
                 WindowAction.come_back: "回来了", WindowAction.transfer: "转队", WindowAction.start: "开始办理",
                 WindowAction.finish: "办结"}

# Which state each action starts from, and where it leads.
TRANSITIONS: dict[WindowAction, tuple[frozenset[TicketState], TicketState]] = {
    WindowAction.call: (frozenset({TicketState.waiting}), TicketState.called),
    WindowAction.recall: (frozenset({TicketState.called}), TicketState.called),
    WindowAction.no_show: (frozenset({TicketState.called}), TicketState.no_show),
    WindowAction.come_back: (frozenset({TicketState.no_show}), TicketState.waiting),
    WindowAction.transfer: (frozenset({TicketState.waiting, TicketState.called}), TicketState.waiting),
    WindowAction.start: (frozenset({TicketState.called}), TicketState.serving),
    WindowAction.finish: (frozenset({TicketState.called, TicketState.serving}), TicketState.done),
}


class QueueError(DomainError):
    """A queue rule refused what was asked (a Chinese message for the resident or the worker)."""


class QueueClosed(QueueError):
    """No tickets now: outside service hours, after today's last ticket, or the queue's daily maximum reached."""


class TicketTaken(QueueError):
    """Another window acted on this ticket first (409 with the fresh state)."""


class TooManyTickets(QueueError):
    """Too many tickets from one client address within ADDRESS_WINDOW (429)."""


@dataclass(frozen=True)
class TicketView:
    """What a rule needs to know of a ticket."""

    state: str
    window: str = ""  # the window that called it
    last_called_at: datetime | None = None
    returned: bool = False


def ticket_no(code: str, number: int) -> str:
    """A012: the queue's letter and the day's number, three digits (a thousand or more: all the digits)."""
    return f"{code}{number:03d}"


def check_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise QueueError("队列代码须为一个大写字母（A–Z）", field="code")
    return code


def check_action(ticket: TicketView, action: WindowAction | str, *, window: str, now: datetime) -> TicketState:
    """The state the ticket goes to when `window` does `action` now; raises when the rules refuse it."""
    action = WindowAction(action)
    sources, target = TRANSITIONS[action]
    state = TicketState(ticket.state)
    label = ACTION_LABELS[action]
    if state not in sources:
        raise TicketTaken(f"此号{STATE_LABELS[state]}，不能{label}", field="ticket")
    if state != TicketState.waiting and action != WindowAction.come_back and ticket.window and ticket.window != window:
        raise TicketTaken(f"此号已由 {ticket.window} 号窗口叫号，不能{label}", field="ticket")
    if action == WindowAction.recall and ticket.last_called_at is not None:
        wait = ticket.last_called_at + RECALL_COOLDOWN - now
        if wait > timedelta(0):
            raise QueueError(f"刚刚叫过，请 {math.ceil(wait.total_seconds())} 秒后再重呼", field="ticket")
    if action == WindowAction.come_back and ticket.returned:
        raise QueueError("此号已过号回来过一次，请重新取号", field="ticket")
    return target


def recall_ready_at(last_called_at: datetime | None) -> datetime | None:
    return None if last_called_at is None else last_called_at + RECALL_COOLDOWN


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket as the call chooses among them."""

    id: int
    priority: bool
    order_at: datetime
    target_window: str = ""


def pick_next(waiting: Sequence[Waiting], *, window: str, priority_run_so_far: int, priority_run: int) -> Waiting | None:
    """The ticket `window` calls next: the oldest priority ticket, unless `priority_run` priority tickets were just
    called in a row and an ordinary one waits; then the oldest ordinary one. Tickets sent to another window are not
    this window's to call.

    `priority_run_so_far` is how many of the last calls of these queues were priority tickets, counted back from
    the latest up to the first ordinary one.
    """
    mine = [t for t in waiting if t.target_window in ("", window)]
    priority = sorted((t for t in mine if t.priority), key=lambda t: (t.order_at, t.id))
    ordinary = sorted((t for t in mine if not t.priority), key=lambda t: (t.order_at, t.id))
    if priority and (not ordinary or priority_run_so_far < max(priority_run, 1)):
        return priority[0]
    return ordinary[0] if ordinary else None


def priority_streak(recent_calls_priority: Sequence[bool]) -> int:
    """How many priority tickets were called in a row, latest first."""
    run = 0
    for was_priority in recent_calls_priority:
        if not was_priority:
            break
        run += 1
    return run


def percentile(values: Sequence[float], share: float) -> float | None:
    """The value below which `share` of the values lie (linear interpolation, as a spreadsheet's PERCENTILE)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def serving_minutes(durations_min: Sequence[float]) -> float:
    """The typical serving time of a queue: the median of what was measured, or the default with too few samples."""
    if len(durations_min) < MIN_SAMPLES:
        return DEFAULT_SERVING_MINUTES
    return percentile(durations_min, 0.5) or DEFAULT_SERVING_MINUTES


def estimate_wait_min(waiting_before: int, minutes_each: float, windows_staffed: int) -> int | None:
    """Minutes until this ticket is called: those before it shared among the windows staffed now, plus what is left
    of the service at the window that frees first (half a serving time on average: the first in line also waits).
    None when no window is staffed (the estimate would be a guess)."""
    if windows_staffed <= 0:
        return None
    return math.ceil(waiting_before * minutes_each / windows_staffed + minutes_each / 2)


def taking_until(spans: Sequence[tuple[time, time]], moment: time) -> time | None:
    """Today's last moment to take a ticket: STOP_TAKING_BEFORE_CLOSE before the end of the span open now or of the
    day's last span; None when no span is left today."""
    later = [(start, end) for start, end in spans if end > moment]
    if not later:
        return None
    end = later[-1][1]
    cutoff = (datetime.combine(datetime.min, end) - STOP_TAKING_BEFORE_CLOSE).time()
    return cutoff


def may_take(spans: Sequence[tuple[time, time]], moment: time) -> bool:
    """Tickets are handed out within a span of today's hours, up to STOP_TAKING_BEFORE_CLOSE before it ends."""
    for start, end in spans:
        cutoff = (datetime.combine(datetime.min, end) - STOP_TAKING_BEFORE_CLOSE).time()
        if start <= moment < cutoff:
            return True
    return False


def window_number(label: str) -> str:
    """The number a worker's window label names: "3号窗口" → "3", "3" → "3" (the hall says 请…到 3 号窗口)."""
    label = (label or "").strip()
    for suffix in ("号窗口", "窗口", "号"):
        if label.endswith(suffix):
            return label[: -len(suffix)].strip()
    return label
