"""Who actually ate (issue #16, point 4): how the diner of a meal was verified, the dynamic QR a senior's phone page
shows, and the unusual patterns a manager is asked to look at at month close.

- A meal records one method: the card (刷卡), a dynamic QR from the senior's or family's phone page (动态码), the
  operator's check of the senior against the photo on file (核对照片), or collection by a named proxy (代领).
- A dynamic QR is signed by the server, lives QR_LIFETIME, and pays for one meal only (its nonce is kept on it).
- Flags, each with the facts behind it: one card at two canteens within TWO_CANTEENS_WITHIN; a meal on a day the
  canteen does not serve; a canteen whose proxy share is far above the district's (at least PROXY_FLAG_POINTS
  points above and twice the district's, over at least PROXY_FLAG_MIN_MEALS meals).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Iterable, Sequence

from center.domain.ledger import LedgerError


class Method(StrEnum):
    card = "card"
    qr = "qr"
    photo = "photo"
    proxy = "proxy"
    delivered = "delivered"  # 送餐上门: the deliverer hands it over at home (a booked meal)


METHOD_LABELS = {Method.card: "刷卡", Method.qr: "动态码", Method.photo: "核对照片", Method.proxy: "代领",
                 Method.delivered: "送餐上门"}

QR_PREFIX = "M1"
QR_LIFETIME = timedelta(seconds=90)
TWO_CANTEENS_WITHIN = timedelta(minutes=30)
PROXY_FLAG_POINTS = 20
PROXY_FLAG_MIN_MEALS = 20


class VerificationError(LedgerError):
    pass


def parse_method(value: str | None, proxy_name: str | None) -> tuple[Method, str]:
    """The method sent (default the card) and the proxy's name, required for 代领 and only for it."""
    try:
        method = Method(value or Method.card)
    except ValueError:
        raise VerificationError("核验方式须为 card（刷卡）、qr（动态码）、photo（核对照片）、proxy（代领）或 delivered（送餐上门）",
                                field="verified_by") from None
    name = " ".join((proxy_name or "").split())
    if method == Method.proxy:
        if not name:
            raise VerificationError("代领时请填写代领人姓名", field="proxy_name")
        if len(name) > 40:
            raise VerificationError("代领人姓名不超过 40 个字", field="proxy_name")
        return method, name
    return method, ""


# ---------------------------------------------------------------- the dynamic QR


def _signature(secret: str, link_id: int, expires: int, nonce: str) -> str:
    message = f"{QR_PREFIX}.{link_id}.{expires}.{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:20]


def make_code(secret: str, link_id: int, now: datetime, nonce: str) -> tuple[str, datetime]:
    """The code the phone page shows as a QR, and when it expires: M1.<link>.<expiry, unix>.<nonce>.<signature>."""
    expires = now + QR_LIFETIME
    stamp = int(expires.timestamp())
    return f"{QR_PREFIX}.{link_id}.{stamp}.{nonce}.{_signature(secret, link_id, stamp, nonce)}", expires


def looks_like_code(text: str) -> bool:
    """What the desk's card box received is a scanned dynamic QR, not a card number."""
    return (text or "").strip().upper().startswith(QR_PREFIX + ".")


@dataclass(frozen=True)
class ScannedCode:
    link_id: int
    nonce: str


def read_code(secret: str, text: str, now: datetime) -> ScannedCode:
    """A scanned code checked: signed by this server, not expired; the caller keeps it to one use by its nonce."""
    parts = (text or "").strip().split(".")
    if len(parts) != 5 or parts[0].upper() != QR_PREFIX or not parts[1].isdigit() or not parts[2].isdigit():
        raise VerificationError("无法识别这个动态码，请老人在手机上刷新后重扫，或改为刷卡")
    link_id, stamp, nonce, signature = int(parts[1]), int(parts[2]), parts[3], parts[4].lower()
    if not hmac.compare_digest(signature, _signature(secret, link_id, stamp, nonce)):
        raise VerificationError("动态码校验失败（不是本系统生成的码），请改为刷卡")
    if now.timestamp() > stamp:
        raise VerificationError("动态码已过期，请老人在手机页面上刷新后重扫")
    if not nonce or len(nonce) > 40:
        raise VerificationError("无法识别这个动态码，请老人在手机上刷新后重扫，或改为刷卡")
    return ScannedCode(link_id, nonce)


# ---------------------------------------------------------------- month close: by method, and flags


def by_method(methods: Iterable[str]) -> dict[str, int]:
    counts = {m.value: 0 for m in Method}
    for method in methods:
        counts[method] = counts.get(method, 0) + 1
    return counts


@dataclass(frozen=True)
class MealSeen:
    """A served meal (voided ones left out) as the flags read it."""

    meal_id: int
    canteen_id: int
    senior_id: int
    card_no: str
    eaten_at: datetime  # local
    method: str


@dataclass(frozen=True)
class Flag:
    canteen_id: int
    kind: str  # two_canteens | closed_day | proxy_share
    title: str
    facts: tuple[str, ...]


def flags(meals: Sequence[MealSeen], *, open_days: dict[int, str], names: dict[int, str],
          district_share: float | None = None) -> list[Flag]:
    """The unusual patterns of a month, per canteen, each with the facts behind it. `meals` are the served meals
    (voided ones left out); `district_share` the district's proxy share in percent (default: that of `meals`)."""
    found: list[Flag] = []
    by_senior: dict[int, list[MealSeen]] = {}
    for meal in sorted(meals, key=lambda m: m.eaten_at):
        by_senior.setdefault(meal.senior_id, []).append(meal)
    twice: dict[int, list[str]] = {}
    for seen in by_senior.values():
        for earlier, later in zip(seen, seen[1:]):
            if earlier.canteen_id != later.canteen_id and later.eaten_at - earlier.eaten_at <= TWO_CANTEENS_WITHIN:
                minutes = int((later.eaten_at - earlier.eaten_at).total_seconds() // 60)
                fact = (f"卡号 {later.card_no}：{earlier.eaten_at:%m-%d %H:%M} 在{names.get(earlier.canteen_id, '')}，"
                        f"{minutes} 分钟后 {later.eaten_at:%H:%M} 在{names.get(later.canteen_id, '')}")
                for canteen in {earlier.canteen_id, later.canteen_id}:
                    twice.setdefault(canteen, []).append(fact)
    for canteen, facts in sorted(twice.items()):
        found.append(Flag(canteen, "two_canteens", f"同一张卡 {int(TWO_CANTEENS_WITHIN.total_seconds() // 60)} "
                                                   "分钟内在两个助餐点就餐", tuple(facts)))
    closed: dict[int, dict[str, int]] = {}
    for meal in meals:
        days = open_days.get(meal.canteen_id, "1234567")
        if str(meal.eaten_at.isoweekday()) not in days:
            key = f"{meal.eaten_at:%Y-%m-%d}（周{'一二三四五六日'[meal.eaten_at.weekday()]}）"
            closed.setdefault(meal.canteen_id, {}).setdefault(key, 0)
            closed[meal.canteen_id][key] += 1
    for canteen, days in sorted(closed.items()):
        found.append(Flag(canteen, "closed_day", "在不营业的日子记了就餐",
                          tuple(f"{day}：{count} 餐" for day, count in sorted(days.items()))))
    if district_share is None and meals:
        district_share = 100 * sum(m.method == Method.proxy for m in meals) / len(meals)
    if district_share is not None:
        per_canteen: dict[int, list[MealSeen]] = {}
        for meal in meals:
            per_canteen.setdefault(meal.canteen_id, []).append(meal)
        for canteen, served in sorted(per_canteen.items()):
            if len(served) < PROXY_FLAG_MIN_MEALS:
                continue
            share = 100 * sum(m.method == Method.proxy for m in served) / len(served)
            if share >= district_share + PROXY_FLAG_POINTS and share >= 2 * district_share:
                found.append(Flag(canteen, "proxy_share", "代领比例远高于全区",
                                  (f"本点代领 {sum(m.method == Method.proxy for m in served)} / {len(served)} 餐，"
                                   f"占 {share:.0f}%；全区 {district_share:.0f}%",)))
    return found
