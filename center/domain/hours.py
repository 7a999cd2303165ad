"""Service hours: when a moment counts as extended service (延时/错时/节假日值班) for the figures."""

from __future__ import annotations

from datetime import datetime, time

from center.domain.calendar import DayKind

# Regular hours of the reference district on working days; centers may differ (see the hours settings).
DEFAULT_REGULAR_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))


def in_extended_hours(local_moment: datetime, day_kind: DayKind | str,
                      regular_periods: tuple[tuple[time, time], ...] = DEFAULT_REGULAR_PERIODS) -> bool:
    """A visit outside the regular working-day periods (evenings, lunch, rest days, holidays) is extended service."""
    if DayKind(day_kind) != DayKind.workday:
        return True
    moment = local_moment.time()
    return not any(start <= moment < end for start, end in regular_periods)
