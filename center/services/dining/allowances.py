"""Allowances: the year's subsidy policy, the grants on 1 January or the 65th birthday, year end (expire or carry
over), and a senior's figures and balances."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime


from center import db
from center.db import statements
from center.domain.ledger import (
    BirthdayRule,
    LedgerError,
    Policy,
    TxnKind,
    YearEnd,
    allowance,
    grant_amount,
    grant_date,
    grant_postings,
    parse_account,
    year_end_postings,
)
from center.services import audit
from center.services.dining.posting import district_month_closed, post_txn
from center.services.identity import CurrentUser
from center.tables import LedgerPosting, LedgerTxn, Senior, SubsidyPolicy
from center.timeutil import utcnow



async def policy_for(year: int) -> Policy:
    row = await statements.POLICY_BY_YEAR.first(year=year)
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
    return int((await statements.ACCOUNT_BALANCE.first(account=account) or {}).get("total") or 0)


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
                await post_txn(TxnKind.grant, grant_postings(senior["id"], year, amount), at=now,
                               book_date=max(today, date(year, 1, 1)), year=year, senior_id=senior["id"], key=key)
                granted += 1
    return f"{granted} grants for {year}"


async def year_end(year: int, today: date | None = None) -> str:
    """Expire or carry over what is left of `year`'s allowances, once per senior (idempotency keys)."""
    policy = await policy_for(year)
    book_date = min(today or date(year, 12, 31), date(year, 12, 31))
    if await district_month_closed(book_date):
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
            senior_id = parse_account(account).senior_id
            key = f"yearend:{senior_id}:{year}"
            if await LedgerTxn.exists().where(LedgerTxn.idempotency_key == key):
                continue
            await post_txn(kind, year_end_postings(senior_id, year, balance, policy.year_end), at=utcnow(),
                           book_date=book_date, year=year, senior_id=senior_id, key=key)
            count += 1
    return f"{count} allowances {'carried over' if kind == TxnKind.carry else 'expired'} for {year}"
