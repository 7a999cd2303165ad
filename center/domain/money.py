"""Money is integer fen (分), never float: parsing what people type in yuan, and showing fen as yuan."""

from __future__ import annotations

import re

from center.domain import DomainError

_AMOUNT = re.compile(r"(\d+)(?:\.(\d+))?")
_MINUS = ("-", "\u2212", "\uff0d")  # ASCII hyphen-minus, the minus sign −, the full-width minus －


class MoneyError(DomainError):
    pass


def parse_yuan(text: str, *, maximum_fen: int = 100_000, label: str = "金额") -> int:
    """'15', '15.5', '15.50', '￥15.50' -> 1550 fen. Each way of being wrong has its own message: empty, not a
    number, negative (−5), more than two decimals, zero, more than the maximum (99999999)."""
    raw = (text or "").strip().replace("￥", "").replace("¥", "").replace("元", "").replace(",", "").strip()
    if not raw:
        raise MoneyError(f"请填写{label}")
    negative = raw.startswith(_MINUS)
    match = _AMOUNT.fullmatch(raw[1:].strip() if negative else raw)
    if match is None:
        raise MoneyError(f"{label}须为数字，如 15 或 15.50")
    whole, decimals = match.group(1), match.group(2) or ""
    if negative and (int(whole) or decimals.strip("0")):
        raise MoneyError(f"{label}不能为负数")
    if len(decimals) > 2:
        raise MoneyError(f"{label}最多两位小数（精确到分）")
    if len(whole) > 12 or int(whole) * 100 + int(decimals.ljust(2, "0")) > maximum_fen:
        raise MoneyError(f"{label}不能超过 {yuan_plain(maximum_fen).removesuffix('.00')} 元")
    fen = int(whole) * 100 + int(decimals.ljust(2, "0"))
    if fen <= 0:
        raise MoneyError(f"{label}须大于 0")
    return fen


def yuan(fen: int | None) -> str:
    """1234550 -> '12,345.50': for reading, thousands separated (the value stays in fen)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def yuan_plain(fen: int | None) -> str:
    """1234550 -> '12345.50': for a field's value, typed over and read back by parse_yuan (no separators)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"
