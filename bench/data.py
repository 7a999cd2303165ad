"""Data-heavy work on the N=20 district, timed through the services (run by bench/run.py; prints JSON rows)."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from center import db  # noqa: E402
from center.config import load_settings  # noqa: E402


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def timed(work, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        times.append(_ms(started))
    return statistics.median(times)


async def main() -> list[dict]:
    from center.domain.calendar import DayKind
    from center.domain.rotation import RotationInput, ShiftSpec, rotate
    from center.services.dining.allowances import allowance_figures
    from center.services.dining.months import month_view, month_xlsx
    from center.services.calendar import get_calendar
    from center.services.identity import load_user
    from center.tables import Canteen, Meal, Senior, Staff
    from center.timeutil import local_today

    settings = load_settings()
    db.bind(db.make_engine(settings))
    await db.start(settings)
    rows = []
    today = local_today()
    admin = await load_user((await Staff.select(Staff.id).where(Staff.username == "admin").first())["id"])

    seniors = [r["id"] for r in await Senior.select(Senior.id).where(Senior.card_no.like("S%"))]
    sample = random.Random(7).sample(seniors, 200)
    times = []
    for senior in sample:
        started = time.perf_counter()
        await allowance_figures(senior, today.year)
        times.append(_ms(started))
    rows.append(dict(name="one senior's balance (median of 200)", value=statistics.median(times), unit="ms", target=5,
                     higher_is_better=False, rule="< 5 ms"))
    rows.append(dict(name="one senior's balance (95th percentile of 200)",
                     value=statistics.quantiles(times, n=20)[18], unit="ms"))

    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    busiest = (await Meal.raw(
        "SELECT canteen, COUNT(*) AS n FROM meal WHERE book_date >= {} AND book_date < {} "
        "GROUP BY canteen ORDER BY n DESC LIMIT 1", month, today.replace(day=1)))[0]
    canteen = busiest["canteen"]
    code = (await Canteen.select(Canteen.code).where(Canteen.id == canteen).first())["code"]
    rows.append(dict(name=f"month reconciliation, canteen {code} ({busiest['n']} meals in {month:%Y-%m})",
                     value=await timed(lambda: month_view(admin, canteen, month)), unit="ms", target=1000,
                     higher_is_better=False, rule="< 1 s"))
    rows.append(dict(name=f"its Excel export ({code}, {month:%Y-%m})",
                     value=await timed(lambda: month_xlsx(admin, canteen, month)), unit="ms",
                     target=5000, higher_is_better=False, rule="< 5 s"))
    rows.append(dict(name=f"month reconciliation, all {await Canteen.count()} canteens ({month:%Y-%m})",
                     value=await timed(lambda: month_view(admin, None, month), repeat=1), unit="ms"))

    calendar = await get_calendar()
    staff = list(range(1, 61))
    shifts = [
        ShiftSpec(1, *_times("12:00", "14:00"), frozenset({"workday"}), 1, frozenset(staff), "午间值守"),
        ShiftSpec(2, *_times("17:30", "19:30"), frozenset({"workday"}), 2, frozenset(staff), "延时服务"),
        ShiftSpec(3, *_times("09:00", "17:00"), frozenset({"restday", "holiday"}), 2, frozenset(staff), "节假日值班"),
    ]
    monday = today - timedelta(days=today.weekday())
    days = [(monday + timedelta(days=i), DayKind(calendar.day(monday + timedelta(days=i)).kind)) for i in range(84)]
    data = RotationInput(staff=staff, shifts=shifts, days=days)
    started = time.perf_counter()
    placed = rotate(data)
    rows.append(dict(name=f"rotation of 60 staff over 12 weeks ({len(placed)} assignments)", value=_ms(started),
                     unit="ms", target=1000, higher_is_better=False, rule="< 1 s"))
    await db.stop(settings)
    return rows


def _times(a: str, b: str):
    from datetime import time as dtime

    return dtime.fromisoformat(a), dtime.fromisoformat(b)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), ensure_ascii=False))
