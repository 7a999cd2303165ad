"""Whole numbers typed into forms (承诺时限, 份数, 每班人数): each bound refused with its own Chinese message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from center.domain import DomainError

_INTEGER = re.compile(r"[+-]?\d+")


class NumberError(DomainError):
    pass


@dataclass(frozen=True)
class Bounds:
    """What a field counts and its allowed range, e.g. Bounds("承诺时限", "个工作日", 1, 60)."""

    label: str
    unit: str
    minimum: int
    maximum: int
    # Why the minimum is what it is, when it is more than 0 (e.g. "当场办结的请选即办件").
    minimum_hint: str = ""


def check_count(value: int | str | None, bounds: Bounds, *, field: str | None = None) -> int:
    """A whole number within its bounds; empty, not a whole number, negative, too small and too large each get their
    own message ("承诺时限不能为负数", "承诺时限最多 60 个工作日"), so the person knows what to change."""
    label, unit = bounds.label, bounds.unit
    if isinstance(value, bool):  # bool is an int in Python; a checkbox is never a count
        raise NumberError(f"{label}须为整数", field=field)
    if isinstance(value, int):
        number = value
    else:
        text = (value or "").strip().replace(" ", "")
        if not text:
            raise NumberError(f"请填写{label}", field=field)
        if not _INTEGER.fullmatch(text):
            raise NumberError(f"{label}须为整数（如 {max(bounds.minimum, 1)}），不能带小数或文字", field=field)
        number = int(text)
    if number < 0:
        raise NumberError(f"{label}不能为负数", field=field)
    if number < bounds.minimum:
        hint = f"（{bounds.minimum_hint}）" if bounds.minimum_hint else ""
        raise NumberError(f"{label}至少 {bounds.minimum} {unit}{hint}", field=field)
    if number > bounds.maximum:
        raise NumberError(f"{label}最多 {bounds.maximum} {unit}", field=field)
    return number
