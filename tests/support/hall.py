"""A hall for tests: a center with working-day hours, queues A and B, windows 1 and 2, and a ticket printer."""

from __future__ import annotations

import json
from datetime import time

from center.services.hall.setup import create_printer
from center.tables import HallQueue, HallWindow, HoursPeriod
from center.timeutil import utcnow
from tests.factories import make_center


async def make_hall(center: dict | None = None, *, queues: str = "AB", windows: dict[str, str] | None = None,
                    daily_max: int = 300) -> dict:
    center = center or await make_center()
    await HoursPeriod.insert(*[
        HoursPeriod(center=center["id"], day_kind="workday", start=start, end=end, kind="regular")
        for start, end in ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))])
    ids = {}
    for order, code in enumerate(queues):
        ids[code] = (await HallQueue.insert(HallQueue(
            center=center["id"], code=code, name=f"队列{code}", sort_order=order, daily_max=daily_max,
        )).returning(HallQueue.id))[0]["id"]
    for number, codes in (windows or {"1": queues, "2": queues}).items():
        await HallWindow.insert(HallWindow(center=center["id"], number=number, queues=json.dumps(list(codes)),
                                           updated_at=utcnow()))
    printer = await create_printer(None, center["id"], "测试取号机")
    return {**center, "queue_ids": ids, "printer_token": printer}
