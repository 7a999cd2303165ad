"""What the canteen desk records: the meal kind by time of day, the menu price of the chosen kind, a second meal
of one kind on one day, why a meal is voided, and which canteens a month close covers.

Issue #10 (points 2–5): the operator's choice of kind decides the price; a repeated meal is asked about, never
recorded silently; a void keeps its reason beside the reversal; a close covers exactly the canteens it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Iterable

from center.domain.ledger import LedgerError
from center.domain.money import yuan_plain


class MealKind(StrEnum):
    breakfast = "breakfast"
    lunch = "lunch"
    dinner = "dinner"


KIND_LABELS: dict[str, str] = {MealKind.breakfast: "早餐", MealKind.lunch: "午餐", MealKind.dinner: "晚餐"}

LUNCH_FROM = time(10, 0)
DINNER_FROM = time(15, 0)


def default_kind(at: time) -> MealKind:
    """The kind the desk offers first, by local time of day: breakfast before 10:00, lunch before 15:00, then dinner."""
    if at < LUNCH_FROM:
        return MealKind.breakfast
    return MealKind.lunch if at < DINNER_FROM else MealKind.dinner


def offered_kind(kept: str | None, at: time) -> MealKind:
    """The kind the desk shows chosen: the one the form kept (a form shown again keeps the operator's choice),
    else the one for the local time of day (default_kind)."""
    return MealKind(kept) if kept in KIND_LABELS else default_kind(at)


def filled_for(kept: str | None, kind: MealKind) -> MealKind:
    """The kind whose menu price fills the price field: the one the form says it was filled for, else the kind
    chosen (see price_to_post)."""
    return MealKind(kept) if kept in KIND_LABELS else kind


def parse_kind(value: str | None) -> MealKind:
    try:
        return MealKind(value or "")
    except ValueError:
        raise LedgerError("请选择餐别（早餐、午餐或晚餐）") from None


@dataclass(frozen=True)
class Menu:
    """A canteen's price per meal kind, in fen (the canteen's own setting)."""

    breakfast_fen: int
    lunch_fen: int
    dinner_fen: int

    def price(self, kind: str) -> int:
        return {MealKind.breakfast: self.breakfast_fen, MealKind.lunch: self.lunch_fen,
                MealKind.dinner: self.dinner_fen}[parse_kind(kind)]


def price_to_post(kind: str, typed_fen: int, filled_for: str | None, menu: Menu) -> int:
    """The price follows the chosen kind: a price field still holding the menu price of the kind it was filled for
    (`filled_for`, sent beside it) was not changed by the operator, so the meal costs the menu price of the kind
    posted; a price the operator typed deliberately is kept (a smaller portion, a special dish)."""
    kind = parse_kind(kind)
    if filled_for in KIND_LABELS and typed_fen == menu.price(filled_for):
        return menu.price(kind)
    return typed_fen


class RepeatMeal(LedgerError):
    """The senior already has a meal of this kind at this canteen today: the operator must say it is another."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"今天已记过{KIND_LABELS[kind]}，确定再记一餐？")


def check_repeat(kind: str, kinds_today: Iterable[str], confirmed: bool) -> None:
    """A second meal of the same kind for the same senior at the same canteen on the same local day needs the
    operator's explicit 再记一餐 (a second press or a re-entered card is far likelier than a second lunch);
    voided meals do not count."""
    kind = parse_kind(kind)
    if not confirmed and kind in set(kinds_today):
        raise RepeatMeal(kind)


VOID_REASONS: tuple[str, ...] = ("重复记录", "餐别或餐费录错", "老人未就餐", "其他")
TERMINAL_VOID_REASON = "终端撤销"


def void_reason(choice: str | None, note: str | None) -> str:
    """A void says why: one of the usual reasons, with a note; 其他 needs the note. At most 100 characters."""
    choice = (choice or "").strip()
    note = " ".join((note or "").split())
    if choice not in VOID_REASONS:
        raise LedgerError("请选择撤销原因")
    if choice == "其他" and not note:
        raise LedgerError("选择“其他”时，请写明撤销原因")
    if len(note) > 80:
        raise LedgerError("撤销说明不能超过 80 个字")
    if choice == "其他":
        return note
    return f"{choice}：{note}" if note else choice


def check_closable(month: date, today: date) -> None:
    """Only a month that has ended can be closed."""
    if month.replace(day=1) >= today.replace(day=1):
        raise LedgerError("只能结账已经结束的月份")


def canteens_to_close(shown: Iterable[int], closed: Iterable[int]) -> list[int]:
    """A close covers exactly the canteens the page shows (one canteen, or every canteen of the view); those
    already closed stay as they are; nothing left to close is an error."""
    done = set(closed)
    left = [c for c in dict.fromkeys(shown) if c not in done]
    if not left:
        raise LedgerError("该月已结账")
    return left


# A canteen meal costs a few yuan to a few tens; outside this range a price is far likelier a slip of the finger
# (1500 for 15.00, 0.15 for 15) than a real meal, so the desk asks before recording it.
USUAL_PRICE_FEN = (100, 10_000)


def unusual_price(price_fen: int) -> str | None:
    """The question to ask before recording a meal priced below 1 元 or above 100 元; None for a usual price."""
    low, high = USUAL_PRICE_FEN
    if price_fen < low:
        return f"餐费只有 {yuan_plain(price_fen)} 元，低于 {low // 100} 元，确定按这个价格记录？"
    if price_fen > high:
        return f"餐费 {yuan_plain(price_fen)} 元，超过 {high // 100} 元，确定按这个价格记录？"
    return None
