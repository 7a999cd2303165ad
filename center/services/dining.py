"""The senior dining subsidy: registry, meals posted to the ledger in one write transaction, voids, grants,
year end, month close, reconciliation and the ledger's invariants."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from piccolo.engine.postgres import PostgresEngine

from piccolo.query.functions.aggregate import Sum

from center import db
from center.config import Settings
from center.domain import AccessDenied, NotFound
from center.domain.ledger import (
    BirthdayRule,
    LedgerError,
    MealDecision,
    Policy,
    Posting,
    Txn,
    TxnKind,
    YearEnd,
    age_on,
    allowance,
    check_invariants,
    decide_meal,
    eligible_on,
    grant_amount,
    grant_date,
    grant_postings,
    meal_postings,
    receivable,
    reversal_postings,
    year_end_postings,
)
from center.domain.meals import (
    KIND_LABELS,
    TERMINAL_VOID_REASON,
    Menu,
    canteens_to_close,
    check_closable,
    check_repeat,
)
from center.domain.privacy import ResidentDataError, id_number_birth_date, normalize_id_number, normalize_phone
from center.services import audit, chain
from center.services.identity import CurrentUser
from center.tables import (
    Canteen,
    Center,
    ClosedCanteenMonth,
    ClosedMonth,
    Device,
    LedgerPosting,
    LedgerTxn,
    Meal,
    Senior,
    Staff,
    SubsidyPolicy,
)
from center.timeutil import LOCAL_TZ, local_today, to_local, utcnow

MEAL_KINDS = KIND_LABELS
DEMO_TERMINAL_TOKEN = "demo-terminal-1"
FUTURE_SLACK = timedelta(minutes=10)
MAX_AGE_OF_A_MEAL = timedelta(days=31)


class UnknownCard(NotFound):
    pass


# ---------------------------------------------------------------- policy and balances


# The meal path's reads and writes, compiled once (center.db.Prepared): a meal is posted in about a millisecond.
_POLICY = db.Prepared(lambda year: SubsidyPolicy.select().where(SubsidyPolicy.year == year).limit(1), year=-7_000_001)
_BALANCE = db.Prepared(lambda account: LedgerPosting.select(Sum(LedgerPosting.amount_fen).as_alias("total")).where(
    LedgerPosting.account == account), account="\x00sample-account")
_SENIOR_BY_CARD = db.Prepared(lambda card: Senior.select().where(Senior.card_no == card).limit(1),
                              card="\x00sample-card")
_MONTH_CLOSED = db.Prepared(lambda month: ClosedMonth.select(ClosedMonth.id).where(ClosedMonth.month == month).limit(1),
                            month=date(1901, 1, 1))
_CANTEEN_MONTH_CLOSED = db.Prepared(lambda canteen, month: ClosedCanteenMonth.select(ClosedCanteenMonth.id).where(
    (ClosedCanteenMonth.canteen == canteen) & (ClosedCanteenMonth.month == month)).limit(1),
    canteen=-7_000_001, month=date(1901, 1, 1))
_MEAL_BY_KEY = db.Prepared(lambda canteen, key: Meal.select().where(
    (Meal.canteen == canteen) & (Meal.idempotency_key == key)).limit(1), canteen=-7_000_001, key="\x00sample-key")


async def policy_for(year: int) -> Policy:
    row = await _POLICY.first(year=year)
    if row is None:
        return Policy(year)
    return Policy(year, row["annual_fen"], row["per_meal_cap_fen"], YearEnd(row["year_end"]),
                  BirthdayRule(row["birthday_rule"]))


async def set_policy(actor: CurrentUser, year: int, annual_fen: int | None, cap_fen: int | None, year_end: str,
                     birthday_rule: str) -> None:
    if not 2000 <= year <= 2100:
        raise LedgerError("年份超出范围")
    if annual_fen is None or not 0 <= annual_fen <= 10_000_000:
        raise LedgerError("年度补贴额须为 0 到 10 万元（以分计）")
    if cap_fen is not None and not 0 < cap_fen <= 100_000:
        raise LedgerError("每餐补贴上限须为 1 分到 1000 元，或留空表示不设上限")
    try:
        year_end, birthday_rule = YearEnd(year_end).value, BirthdayRule(birthday_rule).value
    except ValueError:
        raise LedgerError("请选择年末规则和生日当年规则") from None
    await SubsidyPolicy.insert(SubsidyPolicy(year=year, annual_fen=annual_fen, per_meal_cap_fen=cap_fen,
                                             year_end=year_end, birthday_rule=birthday_rule, updated_at=utcnow())
                               ).on_conflict(target=SubsidyPolicy.year, action="DO UPDATE",
                                             values=[SubsidyPolicy.annual_fen, SubsidyPolicy.per_meal_cap_fen,
                                                     SubsidyPolicy.year_end, SubsidyPolicy.birthday_rule,
                                                     SubsidyPolicy.updated_at])
    await audit.record("dining.policy", actor=actor, object_type="policy", object_id=year,
                       detail={"annual_fen": annual_fen, "cap_fen": cap_fen, "year_end": year_end,
                               "birthday_rule": birthday_rule})


async def account_balance(account: str) -> int:
    return int((await _BALANCE.first(account=account) or {}).get("total") or 0)


async def allowance_figures(senior_id: int, year: int) -> dict:
    """granted (grants and carry-in), used (meals net of voids), balance of one senior's year."""
    rows = await LedgerPosting.select(
        LedgerPosting.amount_fen, LedgerPosting.txn.kind.as_alias("kind"),
    ).where(LedgerPosting.account == allowance(senior_id, year))
    granted = used = balance = 0
    for row in rows:
        amount = row["amount_fen"]
        balance += amount
        if row["kind"] in (TxnKind.grant, TxnKind.carry) and amount > 0:
            granted += amount
        elif row["kind"] in (TxnKind.meal, TxnKind.reversal):
            used -= amount
    return {"year": year, "granted_fen": granted, "used_fen": used, "balance_fen": balance}


# ---------------------------------------------------------------- registry


async def senior_by_card(card_no: str) -> dict:
    card_no = (card_no or "").strip().upper()
    row = await _SENIOR_BY_CARD.first(card=card_no) if card_no else None
    if row is None or not row["active"]:
        raise UnknownCard("没有这张就餐卡")
    return row


async def add_senior(actor: CurrentUser, *, name: str, id_number: str, birth_date: date, center_id: int,
                     community: str, phone: str, card_no: str) -> int:
    """Register a senior: the ID number must pass its checksum and agree with the birth date."""
    name = " ".join((name or "").split())
    if not name or len(name) > 40:
        raise LedgerError("请填写姓名（不超过 40 个字）")
    try:
        id_number = normalize_id_number(id_number, today=local_today())
        phone = normalize_phone(phone)
    except ResidentDataError as exc:
        raise LedgerError(str(exc)) from None
    if not id_number:
        raise LedgerError("请填写身份证号")
    if id_number_birth_date(id_number) != birth_date:
        raise LedgerError("身份证号中的出生日期与填写的出生日期不一致")
    card_no = (card_no or "").strip().upper()
    if not card_no or len(card_no) > 20 or not card_no.isalnum():
        raise LedgerError("就餐卡号须为 1–20 位字母或数字")
    if not actor.may_see_center(center_id):
        raise AccessDenied("只能登记本中心的老年人")
    if await Senior.exists().where(Senior.card_no == card_no):
        raise LedgerError(f"就餐卡号 {card_no} 已被使用")
    if await Senior.exists().where(Senior.id_number == id_number):
        raise LedgerError("该身份证号已登记")
    senior_id = (await Senior.insert(Senior(name=name, id_number=id_number, birth_date=birth_date, center=center_id,
                                            community=(community or "").strip()[:80], phone=phone, card_no=card_no,
                                            active=True, created_at=utcnow())).returning(Senior.id))[0]["id"]
    await audit.record("dining.senior_add", actor=actor, center_id=center_id, object_type="senior", object_id=senior_id)
    return senior_id


# ---------------------------------------------------------------- terminals


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_device(actor: CurrentUser | None, canteen_id: int, name: str) -> str:
    """A new terminal token for a canteen, returned once (only its hash is kept)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 60:
        raise LedgerError("请填写终端名称（不超过 60 个字）", field="name")
    canteen = await Canteen.select(Canteen.center, Canteen.name).where(Canteen.id == canteen_id).first()
    if canteen is None:
        raise NotFound("没有这个助餐点", field="canteen")
    if actor is not None and not actor.may_see_center(canteen["center"]):
        raise AccessDenied("只能管理本中心的助餐点", field="canteen")
    # Two live terminals of one canteen with one name could not be told apart when one must be revoked.
    if await Device.exists().where((Device.canteen == canteen_id) & (Device.name == name)
                                   & Device.revoked_at.is_null()):
        raise LedgerError(f"{canteen['name']}已有名为“{name}”的终端，请换一个名称（或先吊销原终端）", field="name")
    token = secrets.token_urlsafe(32)
    await Device.insert(Device(canteen=canteen_id, name=name, token_hash=hash_token(token), created_at=utcnow()))
    await audit.record("dining.device_create", actor=actor, center_id=canteen["center"], object_type="canteen",
                       object_id=canteen_id, detail={"name": name})
    return token


async def device_for(actor: CurrentUser, device_id: int) -> dict:
    """One terminal of the actor's centers: its name and canteen (for the question before 吊销)."""
    row = await Device.select(Device.id, Device.name, Device.revoked_at, Device.canteen.name.as_alias("canteen_name"),
                              Device.canteen.center.as_alias("center")).where(Device.id == device_id).first()
    if row is None:
        raise NotFound("没有这个终端")
    if not actor.may_see_center(row["center"]):
        raise AccessDenied("只能管理本中心的助餐点")
    return row


async def revoke_device(actor: CurrentUser, device_id: int) -> None:
    row = await Device.select(Device.id, Device.canteen.center.as_alias("center")).where(Device.id == device_id).first()
    if row is None:
        raise NotFound("没有这个终端")
    if not actor.may_see_center(row["center"]):
        raise AccessDenied("只能管理本中心的助餐点")
    await Device.update({Device.revoked_at: utcnow()}).where(Device.id == device_id)
    await audit.record("dining.device_revoke", actor=actor, center_id=row["center"], object_type="device",
                       object_id=device_id)


@dataclass(frozen=True)
class Terminal:
    device_id: int
    canteen_id: int


_DEVICE = db.Prepared(lambda token_hash: Device.select(Device.id, Device.canteen, Device.revoked_at).where(
    Device.token_hash == token_hash).limit(1), token_hash="\x00sample-token-hash")


async def terminal_for(token: str, settings: Settings) -> Terminal | None:
    """The terminal behind a bearer token; the demo token only works in demo mode."""
    if not token or len(token) > 200 or (token == DEMO_TERMINAL_TOKEN and not settings.demo):
        return None
    row = await _DEVICE.first(token_hash=hash_token(token))
    if row is None or row["revoked_at"] is not None:
        return None
    return Terminal(row["id"], row["canteen"])


# ---------------------------------------------------------------- meals


def request_hash(card_no: str, kind: str, price_fen: int, eaten_at: datetime | None) -> str:
    """The fingerprint of what the terminal sent (a missing eaten_at stays missing: a retry sent later matches)."""
    when = "" if eaten_at is None else (eaten_at if eaten_at.tzinfo else eaten_at.replace(tzinfo=LOCAL_TZ)) \
        .astimezone(timezone.utc).isoformat(timespec="seconds")
    canonical = json.dumps([card_no.strip().upper(), kind, price_fen, when])
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _month_closed(day: date) -> bool:
    """The district closed the month (an admin's close of every canteen; year-end postings look here)."""
    return await _MONTH_CLOSED.first(month=day.replace(day=1)) is not None


async def _canteen_month_closed(canteen_id: int, day: date) -> bool:
    """The month is closed for this canteen: nothing more is posted dated in it (a district close wrote a row for
    every canteen)."""
    return await _CANTEEN_MONTH_CLOSED.first(canteen=canteen_id, month=day.replace(day=1)) is not None


async def _lock_senior(senior_id: int) -> None:
    """PostgreSQL: serialise deductions for one senior with a row lock (SQLite: BEGIN IMMEDIATE already does)."""
    if isinstance(db.engine(), PostgresEngine):
        await Senior.select(Senior.id).where(Senior.id == senior_id).lock_rows()


_SAMPLE_AT = datetime(1901, 1, 1, 1, 1, tzinfo=timezone.utc)
_INSERT_TXN = db.Prepared(
    lambda kind, at, book_date, year, senior, canteen, reverses, key, actor, memo, reason, row_hash: LedgerTxn.insert(
        LedgerTxn(kind=kind, at=at, book_date=book_date, year=year, senior=senior, canteen=canteen, reverses=reverses,
                  idempotency_key=key, actor=actor, memo=memo, reason=reason, row_hash=row_hash)
    ).returning(LedgerTxn.id),
    kind="\x00kind", at=_SAMPLE_AT, book_date=date(1901, 1, 2), year=-7_000_001, senior=-7_000_002,
    canteen=-7_000_003, reverses=-7_000_004, key="\x00key", actor=-7_000_005, memo="\x00memo", reason="\x00reason",
    row_hash="\x00row-hash")
_INSERT_POSTING = db.Prepared(
    lambda txn, account, amount: LedgerPosting.insert(LedgerPosting(txn=txn, account=account, amount_fen=amount)),
    txn=-7_000_001, account="\x00account", amount=-7_000_002)
_INSERT_MEAL = db.Prepared(
    lambda canteen, senior, kind, price, subsidy, paid, after, eaten_at, book_date, key, fingerprint, txn, device,
    operator, created_at: Meal.insert(Meal(
        canteen=canteen, senior=senior, kind=kind, price_fen=price, subsidy_fen=subsidy, paid_fen=paid,
        balance_after_fen=after, eaten_at=eaten_at, book_date=book_date, idempotency_key=key,
        request_hash=fingerprint, txn=txn, device=device, operator=operator, created_at=created_at,
    )).returning(Meal.id),
    canteen=-7_000_001, senior=-7_000_002, kind="\x00kind", price=-7_000_003, subsidy=-7_000_004, paid=-7_000_005,
    after=-7_000_006, eaten_at=_SAMPLE_AT, book_date=date(1901, 1, 2), key="\x00key", fingerprint="\x00hash",
    txn=-7_000_007, device=-7_000_008, operator=-7_000_009, created_at=datetime(1901, 1, 3, tzinfo=timezone.utc))


async def _post(kind: TxnKind, postings: tuple[Posting, ...], *, at: datetime, book_date: date, year: int,
                senior_id: int | None, canteen_id: int | None = None, reverses: int | None = None,
                key: str | None = None, actor_id: int | None = None, memo: str = "", reason: str = "",
                meal: dict | None = None) -> int:
    """One transaction, its (non-zero) postings and the meal it pays for (inserted by the caller), linked into the
    ledger's hash chain (center.services.chain); statements compiled once (db.Prepared)."""
    row = dict(kind=kind.value, at=at, book_date=book_date, year=year, senior=senior_id, canteen=canteen_id,
               reverses=reverses, idempotency_key=key, actor=actor_id, memo=memo[:200], reason=reason[:200])
    lines = [(p.account, p.amount_fen) for p in postings if p.amount_fen]
    row_hash = await chain.next_ledger_hash(chain.txn_content(row, lines, [meal] if meal else []))
    txn_id = (await _INSERT_TXN.rows(
        kind=row["kind"], at=at, book_date=book_date, year=year, senior=senior_id, canteen=canteen_id,
        reverses=reverses, key=key, actor=actor_id, memo=row["memo"], reason=row["reason"], row_hash=row_hash,
    ))[0]["id"]
    for account, amount in lines:
        await _INSERT_POSTING.rows(txn=txn_id, account=account, amount=amount)
    return txn_id


@dataclass(frozen=True)
class MealResult:
    meal_id: int
    subsidy_fen: int
    paid_fen: int
    balance_fen: int
    replay: bool = False


def _is_unique_violation(exc: Exception) -> bool:
    name = type(exc).__name__
    return name in ("UniqueViolationError", "IntegrityError") and ("unique" in str(exc).lower() or "UNIQUE" in str(exc))


async def record_meal(canteen_id: int, **kwargs) -> MealResult:
    """Post one meal. Two processes racing with one key: the loser's insert hits the unique key and, retried,
    answers as a replay."""
    try:
        return await _record_meal_once(canteen_id, **kwargs)
    except Exception as exc:
        if not _is_unique_violation(exc):
            raise
        return await _record_meal_once(canteen_id, **kwargs)


async def _record_meal_once(canteen_id: int, *, card_no: str, kind: str, price_fen: int, eaten_at: datetime | None,
                            key: str, device_id: int | None = None, operator_id: int | None = None,
                            now: datetime | None = None, repeat_confirmed: bool = True) -> MealResult:
    """Post one meal in one write transaction: check the key, the card, eligibility and the month, then
    subsidy = min(price, cap, balance). A replay of the key answers as before; another body with it is refused.

    `repeat_confirmed=False` (the desk, until the operator presses 再记一餐) refuses a second meal of the same kind
    for the senior at this canteen today (RepeatMeal); terminals keep their contract and are not asked."""
    now = now or utcnow()
    fingerprint = request_hash(card_no or "", kind, price_fen, eaten_at)
    key = (key or "").strip()
    if not key or len(key) > 120:
        raise LedgerError("缺少幂等键（Idempotency-Key），或长度超过 120")
    if kind not in MEAL_KINDS:
        raise LedgerError("餐别须为 breakfast、lunch 或 dinner")
    eaten_at = eaten_at or now
    if eaten_at.tzinfo is None:
        eaten_at = eaten_at.replace(tzinfo=LOCAL_TZ)
    if eaten_at > now + FUTURE_SLACK:
        raise LedgerError("就餐时间不能晚于当前时间")
    if eaten_at < now - MAX_AGE_OF_A_MEAL:
        raise LedgerError("就餐时间超过 31 天，请由中心负责人人工处理")
    day = to_local(eaten_at).date()
    async with db.write_transaction(inline=True):
        previous = await _MEAL_BY_KEY.first(canteen=canteen_id, key=key)
        if previous is not None:
            decision = decide_meal(price_fen=price_fen, cap_fen=None, balance_fen=0, eligible=True, request_hash=fingerprint,
                                   previous=(previous["request_hash"], MealDecision(
                                       previous["subsidy_fen"], previous["paid_fen"], previous["balance_after_fen"])))
            return MealResult(previous["id"], decision.subsidy_fen, decision.paid_fen, decision.balance_after_fen, True)
        senior = await senior_by_card(card_no)
        if await _canteen_month_closed(canteen_id, day):
            raise LedgerError(f"{day.year} 年 {day.month} 月已结账，不能再记入该月")
        if not repeat_confirmed:
            check_repeat(kind, await kinds_eaten(canteen_id, senior["id"], day), confirmed=False)
        await _lock_senior(senior["id"])
        policy = await policy_for(day.year)
        balance = await account_balance(allowance(senior["id"], day.year))
        if not eligible_on(senior["birth_date"], day):
            raise LedgerError(f"该老人就餐当日 {age_on(senior['birth_date'], day)} 周岁，未满 65 周岁，不能享受就餐补贴")
        decision = decide_meal(price_fen=price_fen, cap_fen=policy.per_meal_cap_fen, balance_fen=balance, eligible=True)
        meal = dict(canteen=canteen_id, senior=senior["id"], kind=kind, price_fen=price_fen,
                    subsidy_fen=decision.subsidy_fen, paid_fen=decision.paid_fen,
                    balance_after_fen=decision.balance_after_fen, eaten_at=eaten_at, book_date=day,
                    idempotency_key=key, request_hash=fingerprint, device=device_id, operator=operator_id,
                    created_at=now)
        txn_id = await _post(TxnKind.meal, meal_postings(senior["id"], day.year, canteen_id, decision.subsidy_fen),
                             at=now, book_date=day, year=day.year, senior_id=senior["id"], canteen_id=canteen_id,
                             key=f"meal:{canteen_id}:{key}", actor_id=operator_id, meal=meal)
        meal_id = (await _INSERT_MEAL.rows(
            canteen=canteen_id, senior=senior["id"], kind=kind, price=price_fen, subsidy=decision.subsidy_fen,
            paid=decision.paid_fen, after=decision.balance_after_fen, eaten_at=eaten_at, book_date=day, key=key,
            fingerprint=fingerprint, txn=txn_id, device=device_id, operator=operator_id, created_at=now,
        ))[0]["id"]
    return MealResult(meal_id, decision.subsidy_fen, decision.paid_fen, decision.balance_after_fen)


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
    meal["voided"] = reversal is not None
    meal["void_reason"] = reversal["reason"] if reversal else ""
    meal["kind_label"] = MEAL_KINDS[meal["kind"]]
    return meal


async def voidable_meal(canteen_id: int, meal_id: int, today: date) -> dict:
    """The meal a void would reverse, refused at once when it could not be (another day, already voided, closed)."""
    meal = await meal_at_desk(canteen_id, meal_id)
    if meal["book_date"] != today:
        raise LedgerError("只能撤销当天的就餐记录；更早的请联系中心负责人冲正")
    if meal["voided"]:
        raise LedgerError("这笔就餐已撤销")
    if await _canteen_month_closed(canteen_id, today):
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
    async with db.write_transaction(inline=True):
        meal = await Meal.select().where(Meal.id == meal_id).first()
        if meal is None or (not correction and meal["canteen"] != canteen_id):
            raise NotFound("没有这笔就餐记录")
        if not correction and meal["book_date"] != today:
            raise LedgerError("只能撤销当天的就餐记录；更早的请联系中心负责人冲正")
        if await LedgerTxn.exists().where(LedgerTxn.reverses == meal["txn"]):
            raise LedgerError("这笔就餐已撤销")
        if await _canteen_month_closed(meal["canteen"], today):
            raise LedgerError("本月已结账，不能再记账")
        original = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
            LedgerPosting.txn == meal["txn"])
        postings = reversal_postings([Posting(p["account"], p["amount_fen"]) for p in original])
        await _post(TxnKind.reversal, postings, at=now, book_date=today, year=meal["book_date"].year,
                    senior_id=meal["senior"], canteen_id=meal["canteen"], reverses=meal["txn"], actor_id=actor_id,
                    memo="更正冲正" if correction else "当日撤销", reason=reason)
        return await account_balance(allowance(meal["senior"], meal["book_date"].year))


# ---------------------------------------------------------------- grants and year end


async def grant_due(today: date, now: datetime | None = None) -> str:
    """Grant this year's allowance to every senior whose grant day (1 January or the 65th birthday) has come.
    `now` is when the grants are recorded (default: the clock; the demo data dates its history before its meals)."""
    year = today.year
    policy = await policy_for(year)
    seniors = await Senior.select(Senior.id, Senior.birth_date).where(Senior.active == True)  # noqa: E712
    done = {r["senior"] for r in await LedgerTxn.select(LedgerTxn.senior).where(
        (LedgerTxn.kind == TxnKind.grant.value) & (LedgerTxn.year == year))}
    due = [s for s in seniors if s["id"] not in done and (on := grant_date(s["birth_date"], year)) is not None
           and on <= today]
    now = now or utcnow()
    granted = 0
    for start in range(0, len(due), 200):
        async with db.write_transaction():
            for senior in due[start:start + 200]:
                amount = grant_amount(policy, senior["birth_date"])
                if amount <= 0:
                    continue
                key = f"grant:{senior['id']}:{year}"
                if await LedgerTxn.exists().where(LedgerTxn.idempotency_key == key):
                    continue
                await _post(TxnKind.grant, grant_postings(senior["id"], year, amount), at=now,
                            book_date=max(today, date(year, 1, 1)), year=year, senior_id=senior["id"], key=key)
                granted += 1
    return f"{granted} grants for {year}"


async def year_end(year: int, today: date | None = None) -> str:
    """Expire or carry over what is left of `year`'s allowances, once per senior (idempotency keys)."""
    policy = await policy_for(year)
    book_date = min(today or date(year, 12, 31), date(year, 12, 31))
    if await _month_closed(book_date):
        book_date = today or date(year + 1, 1, 1)
    rows = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
        LedgerPosting.account.like(f"allowance:%:{year}"))
    left: dict[str, int] = defaultdict(int)
    for row in rows:
        left[row["account"]] += row["amount_fen"]
    kind = TxnKind.carry if policy.year_end == YearEnd.carry else TxnKind.expiry
    count = 0
    async with db.write_transaction():
        for account, balance in sorted(left.items()):
            if balance <= 0:
                continue
            senior_id = int(account.split(":")[1])
            key = f"yearend:{senior_id}:{year}"
            if await LedgerTxn.exists().where(LedgerTxn.idempotency_key == key):
                continue
            await _post(kind, year_end_postings(senior_id, year, balance, policy.year_end), at=utcnow(),
                        book_date=book_date, year=year, senior_id=senior_id, key=key)
            count += 1
    return f"{count} allowances {'carried over' if kind == TxnKind.carry else 'expired'} for {year}"


# ---------------------------------------------------------------- the invariants


async def load_txns(senior_id: int | None = None) -> list[Txn]:
    txn_query = LedgerTxn.select(LedgerTxn.id, LedgerTxn.kind, LedgerTxn.senior, LedgerTxn.year,
                                 LedgerTxn.idempotency_key, LedgerTxn.reverses)
    posting_query = LedgerPosting.select(LedgerPosting.txn, LedgerPosting.account, LedgerPosting.amount_fen)
    if senior_id is not None:
        txn_query = txn_query.where(LedgerTxn.senior == senior_id)
        posting_query = posting_query.where(LedgerPosting.txn.senior == senior_id)
    postings: dict[int, list[Posting]] = defaultdict(list)
    for p in await posting_query:
        postings[p["txn"]].append(Posting(p["account"], p["amount_fen"]))
    return [Txn(t["id"], TxnKind(t["kind"]), tuple(postings[t["id"]]), t["senior"], t["year"], t["idempotency_key"],
                t["reverses"]) for t in await txn_query.order_by(LedgerTxn.id)]


async def verify_ledger() -> list[str]:
    """The ledger's hash chain (center.services.chain) and every invariant: what is wrong, or nothing."""
    return (await chain.verify_ledger_chain()).lines() + await ledger_invariant_problems()


async def ledger_invariant_problems() -> list[str]:
    """Every invariant of domain.ledger over the whole ledger, plus meals agreeing with their transactions."""
    txns = await load_txns()
    problems = list(check_invariants(txns).problems)
    by_id = {t.id: t for t in txns}
    for meal in await Meal.select(Meal.id, Meal.txn, Meal.subsidy_fen, Meal.canteen):
        txn = by_id.get(meal["txn"])
        posted = sum(p.amount_fen for p in txn.postings if p.account == receivable(meal["canteen"])) if txn else None
        if posted != meal["subsidy_fen"]:
            problems.append(f"meal {meal['id']} subsidy {meal['subsidy_fen']} != posted {posted}")
    return problems


# ---------------------------------------------------------------- month end


def month_of(value: str | date | None, default: date) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    try:
        year, month = (value or "").split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return default.replace(day=1)


def _month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


async def canteens_for(actor: CurrentUser) -> list[dict]:
    query = Canteen.select(Canteen.all_columns(), Canteen.center.name.as_alias("center_name")).order_by(Canteen.code)
    if not actor.is_admin:
        if actor.role == "canteen":
            query = query.where(Canteen.id == (await operator_canteen(actor)))
        else:
            query = query.where(Canteen.center == (actor.center_id or 0))
    return await query


async def operator_canteen(actor: CurrentUser) -> int:
    row = await Staff.select(Staff.canteen).where(Staff.id == actor.id).first()
    if not row or row["canteen"] is None:
        raise AccessDenied("该账号未绑定助餐点")
    return row["canteen"]


async def month_view(actor: CurrentUser, canteen_id: int | None, month: date) -> dict:
    """A month of one canteen (or all the actor may see): meals, price, subsidy to reimburse, paid by seniors."""
    canteens = {c["id"]: c for c in await canteens_for(actor)}
    if canteen_id is not None and canteen_id not in canteens:
        raise AccessDenied("只能查看本中心的助餐点")
    ids = [canteen_id] if canteen_id is not None else list(canteens)
    first, last = month, _month_end(month)
    meals = await Meal.select(
        Meal.id, Meal.canteen, Meal.kind, Meal.price_fen, Meal.subsidy_fen, Meal.paid_fen, Meal.book_date, Meal.txn,
    ).where(Meal.canteen.is_in(ids or [0]) & (Meal.book_date >= first) & (Meal.book_date <= last))
    reversals = await LedgerTxn.select(LedgerTxn.reverses, LedgerTxn.book_date, LedgerTxn.canteen).where(
        (LedgerTxn.kind == TxnKind.reversal.value) & LedgerTxn.canteen.is_in(ids or [0])
        & (LedgerTxn.book_date >= first) & (LedgerTxn.book_date <= last))
    voided = {r["reverses"] for r in reversals}
    ledger = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
        LedgerPosting.account.is_in([receivable(i) for i in ids] or ["-"]) & (LedgerPosting.txn.book_date >= first)
        & (LedgerPosting.txn.book_date <= last))
    ledger_total = sum(p["amount_fen"] for p in ledger)
    ledger_by_canteen: dict[int, int] = defaultdict(int)
    for p in ledger:
        ledger_by_canteen[int(p["account"].split(":")[1])] += p["amount_fen"]
    totals = {"meals": 0, "price_fen": 0, "subsidy_fen": 0, "paid_fen": 0, "voided": 0}
    by_kind: dict[str, dict] = {k: {"meals": 0, "price_fen": 0, "subsidy_fen": 0, "paid_fen": 0} for k in MEAL_KINDS}
    by_day: dict[date, int] = defaultdict(int)
    by_canteen: dict[int, dict] = {i: {"meals": 0, "price_fen": 0, "subsidy_fen": 0, "paid_fen": 0} for i in ids}
    for meal in meals:
        if meal["txn"] in voided:
            totals["voided"] += 1
            continue
        for bucket in (totals, by_kind[meal["kind"]], by_canteen[meal["canteen"]]):
            bucket["meals"] += 1
            bucket["price_fen"] += meal["price_fen"]
            bucket["subsidy_fen"] += meal["subsidy_fen"]
            bucket["paid_fen"] += meal["paid_fen"]
        by_day[meal["book_date"]] += 1
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    # Corrections of earlier months booked here: reversals whose meal lies before this month.
    earlier = [r for r in reversals if r["reverses"] not in {m["txn"] for m in meals}]
    closed_ids = await closed_canteens(ids, first)
    return {
        "month": first, "canteen_id": canteen_id, "canteens": list(canteens.values()), "totals": totals,
        "by_kind": by_kind, "by_canteen": [(canteens[i], v) for i, v in by_canteen.items()],
        "per_day": [(d, by_day.get(d, 0)) for d in days], "max_per_day": max(by_day.values(), default=0),
        "ledger_total_fen": ledger_total, "ledger_by_canteen": dict(ledger_by_canteen), "corrections": len(earlier),
        "closed": bool(ids) and closed_ids >= set(ids), "closed_ids": closed_ids,
        "scope": _scope_label(actor, canteen_id, canteens),
    }


def _scope_label(actor: CurrentUser, canteen_id: int | None, canteens: dict[int, dict]) -> str:
    """What a month view shows, in words: one canteen, the actor's center, or the whole district."""
    if canteen_id is not None:
        return canteens[canteen_id]["name"]
    if actor.is_admin:
        return "全区"
    return actor.center_name or "本中心"


async def closed_canteens(canteen_ids: list[int], month: date) -> set[int]:
    """Which of these canteens have closed the month."""
    if not canteen_ids:
        return set()
    rows = await ClosedCanteenMonth.select(ClosedCanteenMonth.canteen).where(
        ClosedCanteenMonth.canteen.is_in(canteen_ids) & (ClosedCanteenMonth.month == month.replace(day=1)))
    return {r["canteen"] for r in rows}


@dataclass(frozen=True)
class ClosePlan:
    """What closing a month from one view covers: the canteens still open (by name) and whether it is the
    district's close."""

    month: date
    canteens: list[dict]
    district: bool
    scope: str


async def plan_close(actor: CurrentUser, month: date, today: date, canteen_id: int | None) -> ClosePlan:
    """A close covers exactly what the view shows: one canteen, or every canteen of the view (the actor's center,
    or the whole district for an admin)."""
    month = month.replace(day=1)
    check_closable(month, today)
    canteens = {c["id"]: c for c in await canteens_for(actor)}
    if canteen_id is not None and canteen_id not in canteens:
        raise AccessDenied("只能结账本中心的助餐点")
    shown = [canteen_id] if canteen_id is not None else list(canteens)
    left = canteens_to_close(shown, await closed_canteens(shown, month))
    district = canteen_id is None and actor.is_admin
    return ClosePlan(month, [canteens[i] for i in left], district, _scope_label(actor, canteen_id, canteens))


async def close_month(actor: CurrentUser, month: date, today: date, canteen_id: int | None = None) -> ClosePlan:
    """Close a month for the canteens the view shows: nothing more is posted dated in it there. An admin's
    district view also closes the district's month (year-end postings then book into the next open day)."""
    async with db.write_transaction():
        plan = await plan_close(actor, month, today, canteen_id)
        now = utcnow()
        await ClosedCanteenMonth.insert(*[ClosedCanteenMonth(canteen=c["id"], month=plan.month, closed_by=actor.id,
                                                             closed_at=now) for c in plan.canteens])
        if plan.district and not await _month_closed(plan.month):
            await ClosedMonth.insert(ClosedMonth(month=plan.month, closed_by=actor.id, closed_at=now))
    await audit.record("dining.close_month", actor=actor, object_type="month", object_id=plan.month.strftime("%Y-%m"),
                       detail={"canteens": [c["id"] for c in plan.canteens], "district": plan.district})
    return plan


async def devices_view(actor: CurrentUser) -> dict:
    canteens = await canteens_for(actor)
    devices = await Device.select(
        Device.id, Device.name, Device.created_at, Device.revoked_at, Device.canteen.name.as_alias("canteen_name"),
    ).where(Device.canteen.is_in([c["id"] for c in canteens] or [0])).order_by(Device.id)
    return {"canteens": canteens, "devices": devices}


async def month_meals(actor: CurrentUser, canteen_id: int | None, month: date) -> list[dict]:
    """Every meal of the month with masked identity, and whether it was voided (for the 台账)."""
    canteens = {c["id"]: c for c in await canteens_for(actor)}
    ids = [canteen_id] if canteen_id is not None else list(canteens)
    rows = await Meal.select(
        Meal.id, Meal.canteen, Meal.kind, Meal.price_fen, Meal.subsidy_fen, Meal.paid_fen, Meal.eaten_at, Meal.txn,
        Meal.senior.card_no.as_alias("card_no"), Meal.senior.name.as_alias("name"),
        Meal.senior.id_number.as_alias("id_number"),
    ).where(Meal.canteen.is_in(ids or [0]) & (Meal.book_date >= month) & (Meal.book_date <= _month_end(month))
            ).order_by(Meal.eaten_at)
    reversed_txns = {r["reverses"]: r for r in await LedgerTxn.select(
        LedgerTxn.reverses, LedgerTxn.book_date, LedgerTxn.reason).where(
        LedgerTxn.reverses.is_in([r["txn"] for r in rows] or [0]))}
    for row in rows:
        row["canteen_name"] = canteens[row["canteen"]]["name"]
        reversal = reversed_txns.get(row["txn"])
        row["voided_on"] = reversal["book_date"] if reversal else None
        row["void_reason"] = reversal["reason"] if reversal else ""
    return rows


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
        row["kind_label"] = MEAL_KINDS[row["kind"]]
    return rows


OPERATOR_LOOKUP_ONLY = "助餐点操作员只能查看在助餐台刷卡或输入卡号查到的老人：请回到助餐台查询"


async def senior_view(actor: CurrentUser, senior_id: int, year: int, *,
                      looked_up: Collection[int] = ()) -> dict:
    """A senior's account for the year. Staff of the senior's center (and the admin) see it all. A canteen
    operator (issue #11, finding 4) sees only a senior whose card was looked up at the desk in this session
    (`looked_up`), and only the grants and the meals at the operator's own canteen."""
    if actor.role == "canteen" and senior_id not in looked_up:
        raise AccessDenied(OPERATOR_LOOKUP_ONLY)
    senior = await Senior.select(Senior.all_columns(), Senior.center.name.as_alias("center_name")).where(
        Senior.id == senior_id).first()
    if senior is None:
        raise NotFound("没有这位老人")
    if actor.role != "canteen" and not actor.may_see_center(senior["center"]):
        raise AccessDenied("只能查看本中心登记的老人")
    history = await LedgerTxn.select(
        LedgerTxn.id, LedgerTxn.kind, LedgerTxn.at, LedgerTxn.book_date, LedgerTxn.memo, LedgerTxn.reverses,
        LedgerTxn.reason, LedgerTxn.canteen, LedgerTxn.canteen.name.as_alias("canteen_name"),
    ).where((LedgerTxn.senior == senior_id) & (LedgerTxn.year == year)).order_by(LedgerTxn.id)
    amounts: dict[int, int] = defaultdict(int)
    for p in await LedgerPosting.select(LedgerPosting.txn, LedgerPosting.amount_fen).where(
            (LedgerPosting.account == allowance(senior_id, year)) & LedgerPosting.txn.is_in([h["id"] for h in history] or [0])):
        amounts[p["txn"]] += p["amount_fen"]
    running = 0
    for row in history:
        row["amount_fen"] = amounts.get(row["id"], 0)
        running += row["amount_fen"]
        row["balance_fen"] = running
    meals = {m["txn"]: m for m in await Meal.select(Meal.txn, Meal.kind, Meal.price_fen, Meal.paid_fen).where(
        Meal.senior == senior_id)}
    for row in history:
        meal = meals.get(row["id"])
        row["meal"] = {**meal, "kind_label": MEAL_KINDS[meal["kind"]]} if meal else None
        reversed_meal = meals.get(row["reverses"]) if row["kind"] == TxnKind.reversal else None
        row["reversed_kind_label"] = MEAL_KINDS[reversed_meal["kind"]] if reversed_meal else ""
    elsewhere = 0
    if actor.role == "canteen":
        history, elsewhere = _other_canteens_folded(history, await operator_canteen(actor))
    return {"senior": senior, "year": year, "figures": await allowance_figures(senior_id, year), "history": history,
            "elsewhere": elsewhere, "age": age_on(senior["birth_date"], to_local(utcnow()).date())}


def _other_canteens_folded(history: list[dict], own: int) -> tuple[list[dict], int]:
    """An operator sees the grants and its own canteen's rows; each run of rows at other canteens becomes one row
    (kind "elsewhere": how many, their sum, the balance after them), so that every balance shown follows from the
    row above it. Returns the rows and how many were folded."""
    rows: list[dict] = []
    folded = 0
    for row in history:
        if row["canteen"] is None or row["canteen"] == own:
            rows.append(row)
            continue
        folded += 1
        if rows and rows[-1]["kind"] == "elsewhere":
            last = rows[-1]
            last.update(count=last["count"] + 1, amount_fen=last["amount_fen"] + row["amount_fen"],
                        balance_fen=row["balance_fen"], at=row["at"])
        else:
            rows.append({"kind": "elsewhere", "count": 1, "amount_fen": row["amount_fen"],
                         "balance_fen": row["balance_fen"], "at": row["at"], "canteen_name": "其他助餐点",
                         "meal": None, "reason": "", "reversed_kind_label": ""})
    return rows, folded


async def seniors_list(actor: CurrentUser, query: str = "", limit: int = 100) -> list[dict]:
    q = Senior.select(Senior.id, Senior.name, Senior.card_no, Senior.birth_date, Senior.id_number, Senior.community,
                      Senior.active, Senior.center.name.as_alias("center_name"))
    if not actor.is_admin:
        q = q.where(Senior.center == (actor.center_id or 0))
    text = (query or "").strip()
    if text:
        q = q.where((Senior.card_no == text.upper()) | Senior.name.like(f"%{text[:20]}%"))
    return await q.order_by(Senior.card_no).limit(limit)


async def centers() -> list[dict]:
    return await Center.select(Center.id, Center.name).order_by(Center.sort_order)

