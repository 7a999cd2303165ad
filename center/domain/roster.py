"""What a roster means to the people who read it: staffing of a slot, what residents may see, what a manager
confirms before publishing.

Rules (issue #10, points 6 and 7): residents (the hall screen, the hours API) and the personal iCal feed see
published weeks only; a person on leave is never shown on duty; a slot holds as many people as its shift type
needs, fewer is 缺人 and more is 超员; a week with conflicts, missing or surplus people is published only after
the manager has seen the list and confirmed it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

from center.domain.periods import monday_of


@dataclass(frozen=True)
class Staffing:
    """How a slot stands against what its shift type needs."""

    needed: int
    count: int

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.count)

    @property
    def over(self) -> int:
        return max(0, self.count - self.needed)


def staffing(needed: int, count: int, applies: bool = True) -> Staffing:
    """A slot needs `needed` people; on a day its shift type does not run it needs none (and holds none)."""
    return Staffing(needed if applies else 0, count if applies else 0)


def shown_on_duty(day: date, staff_id: int, published_weeks: Iterable[date],
                  leave: Mapping[int, Iterable[date]]) -> bool:
    """Residents see a person on duty only in a published week (by its Monday) and never on a day of leave."""
    return monday_of(day) in set(published_weeks) and day not in set(leave.get(staff_id, ()))


@dataclass(frozen=True)
class PublishWarning:
    """One thing the manager is asked to look at before a week is published."""

    day: date
    shift: str
    kind: str  # conflict | short | over
    text: str

    @property
    def sort_key(self) -> tuple:
        return (self.day, self.shift, {"conflict": 0, "over": 1, "short": 2}[self.kind], self.text)


def publish_warnings(cells: Iterable[Mapping]) -> list[PublishWarning]:
    """Everything wrong in a week's cells: each person's problems (leave, overlap, too many evenings), slots
    with people missing, slots with more people than needed. Cells carry day, shift_name, applies, people
    (name, problems), missing and over."""
    found = []
    for cell in cells:
        if not cell["applies"]:
            continue
        day, shift = cell["day"], cell["shift_name"]
        for person in cell["people"]:
            for problem in person["problems"]:
                found.append(PublishWarning(day, shift, "conflict", f"{person['name']}：{problem}"))
        if cell["over"]:
            found.append(PublishWarning(day, shift, "over", f"超员 {cell['over']} 人（需 {cell['needed']} 人，"
                                                            f"已排 {len(cell['people'])} 人）"))
        if cell["missing"]:
            found.append(PublishWarning(day, shift, "short", f"缺 {cell['missing']} 人"))
    return sorted(found, key=lambda w: w.sort_key)


def warnings_fingerprint(warnings: Iterable[PublishWarning]) -> str:
    """The version of a list of warnings: a confirmation counts only for the list the manager saw."""
    text = "\n".join(f"{w.day.isoformat()}|{w.shift}|{w.kind}|{w.text}" for w in warnings)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def busiest_day(ranges: Iterable[tuple[date, date]], start: date, end: date) -> tuple[date | None, int]:
    """The day in [start, end] covered by most of the given inclusive date ranges, and how many cover it
    (None, 0 when none does). Used to keep the hall screen's announcements within what it can page through."""
    spans = [(max(a, start), min(b, end)) for a, b in ranges if a <= end and b >= start]
    best: tuple[date | None, int] = (None, 0)
    # Only a range's first day can raise the count, so those are the days worth checking.
    for day in sorted({a for a, _ in spans}):
        count = sum(1 for a, b in spans if a <= day <= b)
        if count > best[1]:
            best = (day, count)
    return best
