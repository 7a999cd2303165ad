"""A month of the hall with known times (October 2026 at a center of its own), for the figures' page and workbook.

    ticket  queue  taken             wait  served  window  called by  note
    1       A      10-12 09:00       4     6       1       张敏
    2       A      10-12 09:10       8     10      1       张敏
    3       A      10-12 09:20       12    —       2       李华       过号
    4       B      10-12 14:00       20    5       2       李华       优先
    5       B      10-13 10:00       2     3       1       张敏       优先

Worked figures (percentile as a spreadsheet's PERCENTILE, linear between ranks):
- all: waits 2, 4, 8, 12, 20 → p50 8.0; p90 rank 3.6 → 12 + 0.6 × 8 = 16.8.
  serving (done only) 3, 5, 6, 10 → p50 rank 1.5 → 5.5; p90 rank 2.7 → 6 + 0.7 × 4 = 8.8.
  过号率 1 ÷ 5 called = 20.0 %; 优先号 2 ÷ 5 = 40.0 %.
- queue A (and the 9 o'clock hour): waits 4, 8, 12 → p50 8.0, p90 rank 1.8 → 8 + 0.8 × 4 = 11.2; 过号率 33.3 %.
- window 1 = 张敏: waits 2, 4, 8 → p50 4.0, p90 7.2; window 2 = 李华: waits 12, 20 → p50 16.0, p90 19.2.
- per day: 10-12 four, 10-13 one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from center.timeutil import LOCAL_TZ
from tests.factories import make_center, make_queue, make_staff, make_ticket

MONTH = "2026-10"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=LOCAL_TZ)


async def known_hall_month(settings) -> dict:
    """The center, its manager (to log in with) and the five tickets above."""
    center = await make_center()
    manager = await make_staff(settings, "manager", center, display_name="测试主任")
    zhang = await make_staff(settings, "worker", center, display_name="张敏")
    li = await make_staff(settings, "worker", center, display_name="李华")
    a = await make_queue(center, code="A", name="社保医保")
    b = await make_queue(center, code="B", name="民政老龄")
    await make_ticket(a, at(12, 9), 4, 6, called_by=zhang["id"])
    await make_ticket(a, at(12, 9, 10), 8, 10, called_by=zhang["id"])
    await make_ticket(a, at(12, 9, 20), 12, state="no_show", window="2", called_by=li["id"],
                      no_show_at=at(12, 9, 34))
    await make_ticket(b, at(12, 14), 20, 5, window="2", called_by=li["id"], priority=True)
    await make_ticket(b, at(13, 10), 2, 3, called_by=zhang["id"], priority=True)
    return {"center": center, "manager": manager, "at": at, "day": timedelta(days=1)}
