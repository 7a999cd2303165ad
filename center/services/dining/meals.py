"""Meals: record one (from a terminal or the desk) in one write transaction, void one, and the meals of a day.

The path of a card number, top to bottom: record_meal checks what was sent, then in one write transaction replays
a key seen before or looks the card up, checks the month is open and the senior eligible, lets the domain decide
the subsidy (center.domain.ledger.decide), and posts it (posting.post_txn) with the meal row."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import partial

from piccolo.engine.postgres import PostgresEngine

from center import db
from center.db import statements
from center.domain import NotFound
from center.domain.ledger import (
    LedgerError,
    MealDecision,
    Posting,
    TxnKind,
    age_on,
    allowance,
    check_price,
    replay,
    reversal_postings,
)
from center.domain.policy import Choice, NotEligible, Pays, choose, most_favourable, postings_for
from center.domain.verification import Method, VerificationError, looks_like_code, parse_method
from center.domain.meals import KIND_LABELS, check_repeat
from center.services.dining import links, policies
from center.services.dining.allowances import account_balance
from center.services.dining.posting import canteen_month_closed, post_txn
from center.services.dining.registry import senior_by_card
from center.tables import LedgerPosting, LedgerTxn, Meal, Senior
from center.timeutil import LOCAL_TZ, to_local, utcnow

FUTURE_SLACK = timedelta(minutes=10)
MAX_AGE_OF_A_MEAL = timedelta(days=31)

@dataclass(frozen=True)
class MealResult:
    meal_id: int
    subsidy_fen: int
    paid_fen: int
    balance_fen: int
    replay: bool = False


def request_hash(card_no: str, kind: str, price_fen: int, eaten_at: datetime | None,
                 verification: tuple[str, str, str] = (Method.card, "", "")) -> str:
    """The fingerprint of what the terminal sent (a missing eaten_at stays missing: a retry sent later matches).
    How the diner was verified counts when it is not the card (so a card meal's fingerprint is as before)."""
    when = "" if eaten_at is None else (eaten_at if eaten_at.tzinfo else eaten_at.replace(tzinfo=LOCAL_TZ)) \
        .astimezone(timezone.utc).isoformat(timespec="seconds")
    fields = [card_no.strip().upper(), kind, price_fen, when]
    if verification[0] != Method.card:
        fields.append(list(verification))
    canonical = json.dumps(fields)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def record_meal(canteen_id: int, *, card_no: str, kind: str, price_fen: int, eaten_at: datetime | None,
                      idempotency_key: str, terminal_id: int | None = None, operator_id: int | None = None,
                      now: datetime | None = None, repeat_confirmed: bool = True, verified_by: str | None = None,
                      proxy_name: str | None = None, qr_secret: str = "") -> MealResult:
    """Post one meal: check the key, the kind and the time sent; then, in one write transaction, the card,
    eligibility and the month, and subsidy = min(price, cap, balance). A replay of the key answers as before;
    another body with it is refused.

    `repeat_confirmed=False` (the desk, until the operator presses 再记一餐) refuses a second meal of the same kind
    for the senior at this canteen today (RepeatMeal); terminals keep their contract and are not asked."""
    now = now or utcnow()
    method, proxy = parse_method(verified_by, proxy_name)
    ref = ""
    if looks_like_code(card_no or ""):  # a dynamic QR scanned into the card box (or sent as card_no)
        if not qr_secret:
            raise VerificationError("这里不能使用动态码，请刷卡")
        linked, scanned = await links.senior_of_code(qr_secret, card_no, now)
        card_no, method, proxy, ref = linked["card_no"], Method.qr, "", scanned.nonce
    elif method == Method.qr:
        raise VerificationError("动态码核验须扫描老人手机页面上的二维码", field="verified_by")
    fingerprint = request_hash(card_no or "", kind, price_fen, eaten_at, (method, proxy, ref))
    key = (idempotency_key or "").strip()
    if not key or len(key) > 120:
        raise LedgerError("缺少幂等键（Idempotency-Key），或长度超过 120")
    if kind not in KIND_LABELS:
        raise LedgerError("餐别须为 breakfast、lunch 或 dinner")
    eaten_at = eaten_at or now
    if eaten_at.tzinfo is None:
        eaten_at = eaten_at.replace(tzinfo=LOCAL_TZ)
    if eaten_at > now + FUTURE_SLACK:
        raise LedgerError("就餐时间不能晚于当前时间")
    if eaten_at < now - MAX_AGE_OF_A_MEAL:
        raise LedgerError("就餐时间超过 31 天，请由中心负责人人工处理")
    post = partial(_post_meal, canteen_id, card_no=card_no, kind=kind, price_fen=price_fen, eaten_at=eaten_at,
                   key=key, fingerprint=fingerprint, terminal_id=terminal_id, operator_id=operator_id, now=now,
                   repeat_confirmed=repeat_confirmed, verification=(method, proxy, ref))
    try:
        return await post()
    except Exception as exc:
        # Two processes racing with one key: the loser's insert hits the unique key and, once more, is a replay.
        if not _is_unique_violation(exc):
            raise
        return await post()


async def _post_meal(canteen_id: int, *, card_no: str, kind: str, price_fen: int, eaten_at: datetime, key: str,
                     fingerprint: str, terminal_id: int | None, operator_id: int | None, now: datetime,
                     repeat_confirmed: bool, verification: tuple[str, str, str]) -> MealResult:
    """The write transaction of record_meal."""
    day = to_local(eaten_at).date()
    async with db.point_write():
        previous = await statements.MEAL_BY_KEY.first(canteen=canteen_id, key=key)
        if previous is not None:
            answered = MealDecision(previous["subsidy_fen"], previous["paid_fen"], previous["balance_after_fen"])
            decision = replay(previous["request_hash"], answered, fingerprint)
            return MealResult(previous["id"], decision.subsidy_fen, decision.paid_fen, decision.balance_after_fen, True)
        senior = await senior_by_card(card_no)
        method, proxy, ref = verification
        if method == Method.qr and await Meal.exists().where(
                (Meal.verified_by == Method.qr.value) & (Meal.verification_ref == ref)):
            raise VerificationError("这个动态码已经用过一次，请老人在手机页面上刷新后重扫")
        if await canteen_month_closed(canteen_id, day):
            raise LedgerError(f"{day.year} 年 {day.month} 月已结账，不能再记入该月")
        if not repeat_confirmed:
            check_repeat(kind, await kinds_eaten(canteen_id, senior["id"], day), confirmed=False)
        await _lock_senior(senior["id"])
        choice, balance = await _subsidy(senior, day, kind, price_fen)
        decision = MealDecision(choice.subsidy_fen, price_fen - choice.subsidy_fen, balance - (
            choice.subsidy_fen if choice.scheme is not None and choice.scheme.pays == Pays.yearly_allowance else 0))
        # The meal as the hash chain covers it (center.services.chain.MEAL_FIELDS: the column is still "device").
        meal = dict(canteen=canteen_id, senior=senior["id"], kind=kind, price_fen=price_fen,
                    subsidy_fen=decision.subsidy_fen, paid_fen=decision.paid_fen,
                    balance_after_fen=decision.balance_after_fen, eaten_at=eaten_at, book_date=day,
                    idempotency_key=key, request_hash=fingerprint, device=terminal_id, operator=operator_id,
                    created_at=now, verified_by=method, proxy_name=proxy, verification_ref=ref)
        txn_id = await post_txn(TxnKind.meal, postings_for(choice, senior["id"], day.year, canteen_id), at=now,
                                book_date=day, year=day.year, senior_id=senior["id"], canteen_id=canteen_id,
                                key=f"meal:{canteen_id}:{key}", actor_id=operator_id, meal=meal,
                                memo=choice.scheme.name if choice.scheme and choice.subsidy_fen else "")
        meal_id = (await statements.INSERT_MEAL.rows(
            canteen=canteen_id, senior=senior["id"], kind=kind, price=price_fen, subsidy=decision.subsidy_fen,
            paid=decision.paid_fen, after=decision.balance_after_fen, eaten_at=eaten_at, book_date=day, key=key,
            fingerprint=fingerprint, txn=txn_id, device=terminal_id, operator=operator_id, created_at=now,
            verified_by=method, proxy_name=proxy, verification_ref=ref,
        ))[0]["id"]
    return MealResult(meal_id, decision.subsidy_fen, decision.paid_fen, decision.balance_after_fen)


async def _subsidy(senior: dict, day: date, kind: str, price_fen: int) -> tuple[Choice, int]:
    """The scheme that pays most for this meal under the policy in force that day (center.domain.policy), and the
    senior's allowance balance of the year before it."""
    check_price(price_fen)
    policy = await policies.policy_on(day)
    if policy is None:
        raise NotEligible("尚未设置就餐补贴政策，请联系区级管理员")
    held = await policies.categories_held(senior["id"], day)
    schemes = policy.schemes_for(age_on(senior["birth_date"], day), held)
    if not schemes:
        choose(policy, birth=senior["birth_date"], day=day, held=held, kind=kind, price_fen=price_fen, balance_fen=0,
               usage={})  # raises NotEligible with the senior's age and categories
    balance = await account_balance(allowance(senior["id"], day.year)) \
        if any(s.pays == Pays.yearly_allowance for s in schemes) else 0
    capped = [s.name for s in schemes if s.max_meals_per_day or s.max_meals_per_week or s.max_meals_per_month]
    usage = await policies.usage_of(senior["id"], day, capped)
    return most_favourable(schemes, kind=kind, price_fen=price_fen, balance_fen=balance, usage=usage), balance


def _is_unique_violation(exc: Exception) -> bool:
    name = type(exc).__name__
    return name in ("UniqueViolationError", "IntegrityError") and ("unique" in str(exc).lower() or "UNIQUE" in str(exc))


async def _lock_senior(senior_id: int) -> None:
    """PostgreSQL: serialise deductions for one senior with a row lock (SQLite: BEGIN IMMEDIATE already does)."""
    if isinstance(db.engine(), PostgresEngine):
        await Senior.select(Senior.id).where(Senior.id == senior_id).lock_rows()


async def kinds_eaten(canteen_id: int, senior_id: int, day: date) -> list[str]:
    """The kinds of the senior's meals at this canteen on that local day, voided ones left out."""
    rows = await Meal.select(Meal.kind, Meal.txn).where(
        (Meal.canteen == canteen_id) & (Meal.senior == senior_id) & (Meal.book_date == day))
    if not rows:
        return []
    voided = {r["reverses"] for r in await LedgerTxn.select(LedgerTxn.reverses).where(
        LedgerTxn.reverses.is_in([r["txn"] for r in rows]))}
    return [r["kind"] for r in rows if r["txn"] not in voided]


async def meal_at_desk(canteen_id: int, meal_id: int) -> dict:
    """One meal of this canteen with its senior's card and name (for the desk's result and the void question)."""
    meal = await Meal.select(
        Meal.id, Meal.canteen, Meal.kind, Meal.price_fen, Meal.subsidy_fen, Meal.paid_fen, Meal.balance_after_fen,
        Meal.eaten_at, Meal.book_date, Meal.txn, Meal.senior.card_no.as_alias("card_no"),
        Meal.senior.name.as_alias("name"),
    ).where((Meal.id == meal_id) & (Meal.canteen == canteen_id)).first()
    if meal is None:
        raise NotFound("没有这笔就餐记录")
    reversal = await LedgerTxn.select(LedgerTxn.reason).where(LedgerTxn.reverses == meal["txn"]).first()
    txn = await LedgerTxn.select(LedgerTxn.memo).where(LedgerTxn.id == meal["txn"]).first()
    meal["scheme"] = txn["memo"] if txn else ""
    meal["from_allowance"] = await LedgerPosting.exists().where(
        (LedgerPosting.txn == meal["txn"]) & LedgerPosting.account.like("allowance:%"))
    meal["voided"] = reversal is not None
    meal["void_reason"] = reversal["reason"] if reversal else ""
    meal["kind_label"] = KIND_LABELS[meal["kind"]]
    return meal


async def meals_of_day(canteen_id: int, day: date) -> list[dict]:
    rows = await Meal.select(
        Meal.id, Meal.kind, Meal.price_fen, Meal.subsidy_fen, Meal.paid_fen, Meal.eaten_at, Meal.txn,
        Meal.senior.card_no.as_alias("card_no"), Meal.senior.name.as_alias("name"),
    ).where((Meal.canteen == canteen_id) & (Meal.book_date == day)).order_by(Meal.eaten_at, ascending=False)
    voided = {r["reverses"]: r["reason"] for r in await LedgerTxn.select(LedgerTxn.reverses, LedgerTxn.reason).where(
        LedgerTxn.reverses.is_in([r["txn"] for r in rows] or [0]))}
    for row in rows:
        row["voided"] = row["txn"] in voided
        row["void_reason"] = voided.get(row["txn"], "")
        row["kind_label"] = KIND_LABELS[row["kind"]]
    return rows


async def voidable_meal(canteen_id: int, meal_id: int, today: date) -> dict:
    """The meal a void would reverse, refused at once when it could not be (another day, already voided, closed)."""
    meal = await meal_at_desk(canteen_id, meal_id)
    if meal["book_date"] != today:
        raise LedgerError("只能撤销当天的就餐记录；更早的请联系中心负责人冲正")
    if meal["voided"]:
        raise LedgerError("这笔就餐已撤销")
    if await canteen_month_closed(canteen_id, today):
        raise LedgerError("本月已结账，不能再记账")
    return meal


async def void_meal(canteen_id: int, meal_id: int, *, today: date, reason: str, actor_id: int | None = None,
                    correction: bool = False, now: datetime | None = None) -> int:
    """Reverse a meal: canteens the same day; a manager's correction later (booked today, in an open month). The
    reason is kept on the reversal."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("请选择撤销原因")
    now = now or utcnow()
    async with db.point_write():
        meal = await Meal.select().where(Meal.id == meal_id).first()
        if meal is None or (not correction and meal["canteen"] != canteen_id):
            raise NotFound("没有这笔就餐记录")
        if not correction and meal["book_date"] != today:
            raise LedgerError("只能撤销当天的就餐记录；更早的请联系中心负责人冲正")
        if await LedgerTxn.exists().where(LedgerTxn.reverses == meal["txn"]):
            raise LedgerError("这笔就餐已撤销")
        if await canteen_month_closed(meal["canteen"], today):
            raise LedgerError("本月已结账，不能再记账")
        original = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
            LedgerPosting.txn == meal["txn"])
        postings = reversal_postings([Posting(p["account"], p["amount_fen"]) for p in original])
        await post_txn(TxnKind.reversal, postings, at=now, book_date=today, year=meal["book_date"].year,
                       senior_id=meal["senior"], canteen_id=meal["canteen"], reverses=meal["txn"], actor_id=actor_id,
                       memo="更正冲正" if correction else "当日撤销", reason=reason)
        return await account_balance(allowance(meal["senior"], meal["book_date"].year))
