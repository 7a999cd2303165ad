"""Money is integer fen (分), never float: parsing what people type in yuan, and showing fen as yuan."""

from __future__ import annotations

import re

from center.domain import DomainError

_AMOUNT = re.compile(r"(\d{1,7})(?:\.(\d{1,2}))?")


class MoneyError(DomainError):
    pass


def parse_yuan(text: str, *, maximum_fen: int = 100_000) -> int:
    """'15', '15.5', '15.50', '￥15.50' -> 1550 fen; more than two decimals, negatives or too much are refused."""
    raw = (text or "").strip().replace("￥", "").replace("¥", "").replace("元", "").replace(",", "").strip()
    if not raw:
        raise MoneyError("请填写金额")
    match = _AMOUNT.fullmatch(raw)
    if match is None:
        raise MoneyError("金额须为数字，最多两位小数，如 15 或 15.50")
    fen = int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))
    if fen <= 0:
        raise MoneyError("金额须大于 0")
    if fen > maximum_fen:
        raise MoneyError(f"金额不能超过 {maximum_fen // 100} 元")
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
