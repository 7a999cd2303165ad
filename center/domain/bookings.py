"""Booking meals ahead (issue #16, point 3: 订餐与送餐上门), as the canteen buys and cooks to the bookings.

- Bookings for a day close at the canteen's cut-off time on the day before (17:00 by default); a cancellation
  follows the same cut-off.
- A canteen takes no bookings for a day it does not serve (its open weekdays), nor for a dish not on that day's
  menu of that meal kind.
- A senior books a meal kind once a day; a booking that would go over a count cap of the senior's schemes (meals a
  day or a week) is refused, since the canteen would cook a meal the policy does not pay for.
- The canteen sees the counts per dish for a day, and prints the delivery list by route: masked names, building and
  room, dishes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Iterable, Sequence

from center.domain import DomainError
from center.domain.meals import KIND_LABELS
from center.domain.periods import monday_of, month_day_weekday
from center.domain.policy import Scheme
from center.timeutil import LOCAL_TZ

MAX_DAYS_AHEAD = 14
DEFAULT_CUTOFF = time(17, 0)


class BookingError(DomainError):
    pass


class BookingState(StrEnum):
    booked = "booked"
    cancelled = "cancelled"
    delivered = "delivered"
    served = "served"


STATE_LABELS = {BookingState.booked: "已预订", BookingState.cancelled: "已取消", BookingState.delivered: "已送达",
                BookingState.served: "已就餐"}
BOOKED_BY_LABELS = {"self": "本人", "family": "家属", "phone": "电话预订"}


def cutoff(day: date, at: time = DEFAULT_CUTOFF) -> datetime:
    """When bookings for `day` close: the day before at the canteen's cut-off time (local)."""
    return datetime.combine(day - timedelta(days=1), at, tzinfo=LOCAL_TZ)


def bookable_days(now_local: datetime, open_days: str, at: time = DEFAULT_CUTOFF) -> list[date]:
    """The days still open for booking: from tomorrow (or today's next day past the cut-off) for two weeks, the
    canteen's open weekdays only."""
    today = now_local.date()
    days = [today + timedelta(days=n) for n in range(1, MAX_DAYS_AHEAD + 1)]
    return [d for d in days if str(d.isoweekday()) in open_days and now_local < cutoff(d, at)]


def check_booking(*, now_local: datetime, day: date, kind: str, open_days: str, cutoff_at: time,
                  dish_day: date, dish_kind: str, same_kind_booked: bool, booked_that_day: int,
                  booked_that_week: int, schemes: Sequence[Scheme]) -> None:
    """A booking is taken, or refused in Chinese naming the rule."""
    if kind not in KIND_LABELS:
        raise BookingError("请选择餐别", field="kind")
    if dish_day != day or dish_kind != kind:
        raise BookingError("所选菜品不在当天该餐别的菜单上", field="dish")
    if day <= now_local.date():
        raise BookingError("只能预订明天及以后的餐", field="day")
    if day > now_local.date() + timedelta(days=MAX_DAYS_AHEAD):
        raise BookingError(f"最多预订 {MAX_DAYS_AHEAD} 天以内的餐", field="day")
    if str(day.isoweekday()) not in open_days:
        raise BookingError(f"{month_day_weekday(day)}助餐点不营业，不能预订", field="day")
    closes = cutoff(day, cutoff_at)
    if now_local >= closes:
        raise BookingError(f"{month_day_weekday(day)}的预订已于 {closes:%m月%d日 %H:%M} 截止", field="day")
    if same_kind_booked:
        raise BookingError(f"{month_day_weekday(day)}的{KIND_LABELS[kind]}已经订过了", field="kind")
    over = over_cap(schemes, booked_that_day, booked_that_week)
    if over:
        raise BookingError(over, field="day")


def over_cap(schemes: Sequence[Scheme], booked_that_day: int, booked_that_week: int) -> str:
    """The refusal when one more booking would pass every scheme's count cap ('' when some scheme still pays)."""
    if not schemes:
        return ""
    for scheme in schemes:
        day_ok = scheme.max_meals_per_day is None or booked_that_day < scheme.max_meals_per_day
        week_ok = scheme.max_meals_per_week is None or booked_that_week < scheme.max_meals_per_week
        if day_ok and week_ok:
            return ""
    best = schemes[0]
    if best.max_meals_per_day is not None and booked_that_day >= best.max_meals_per_day:
        return f"补贴方案「{best.name}」每天最多 {best.max_meals_per_day} 餐，当天已订满"
    return f"补贴方案「{best.name}」每周最多 {best.max_meals_per_week} 餐，本周已订满"


def check_cancel(*, now_local: datetime, day: date, cutoff_at: time, state: str) -> None:
    """A booking is cancelled until the day's cut-off, and only while still booked."""
    if state != BookingState.booked:
        raise BookingError(f"这份预订{STATE_LABELS.get(BookingState(state), state)}，不能取消")
    closes = cutoff(day, cutoff_at)
    if now_local >= closes:
        raise BookingError(f"{month_day_weekday(day)}的预订已于 {closes:%m月%d日 %H:%M} 截止，不能再取消；"
                           "请直接联系助餐点")


def week_of(day: date) -> tuple[date, date]:
    monday = monday_of(day)
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class Count:
    kind: str
    dish: str
    marks: str
    eat_in: int
    delivered: int

    @property
    def total(self) -> int:
        return self.eat_in + self.delivered


def counts(bookings: Iterable[dict]) -> list[Count]:
    """A day's live bookings per meal kind and dish: how many to cook, eaten in and delivered."""
    table: dict[tuple[str, str, str], list[int]] = {}
    for b in bookings:
        if b["state"] == BookingState.cancelled:
            continue
        key = (b["kind"], b["dish_name"], b.get("marks", ""))
        table.setdefault(key, [0, 0])[1 if b["delivery"] else 0] += 1
    order = list(KIND_LABELS)
    return [Count(k, d, m, v[0], v[1]) for (k, d, m), v in
            sorted(table.items(), key=lambda i: (order.index(i[0][0]), i[0][1]))]


def delivery_rounds(bookings: Iterable[dict]) -> list[tuple[str, list[dict]]]:
    """A day's deliveries by route, each in building and room order (how the van goes)."""
    rounds: dict[str, list[dict]] = {}
    for b in bookings:
        if b["delivery"] and b["state"] != BookingState.cancelled:
            rounds.setdefault(b["route"] or "未分路线", []).append(b)
    return [(route, sorted(rows, key=lambda b: (_natural(b["building"]), _natural(b["room"]),
                                                list(KIND_LABELS).index(b["kind"]))))
            for route, rows in sorted(rounds.items())]


def _natural(text: str) -> tuple:
    """2号楼 before 10号楼: the numbers in an address compared as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or ""))
