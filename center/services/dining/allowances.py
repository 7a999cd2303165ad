"""Allowances: the grants of a yearly-allowance scheme on 1 January or the birthday that brings a senior in, year
end (expire or carry over), and a senior's figures and balances."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime


from center import db
from center.db import statements
from center.domain.ledger import (
    TxnKind,
    YearEnd,
    age_on,
    allowance,
    grant_postings,
    parse_account,
    year_end_postings,
)
from center.domain.policy import Pays, allowance_amount, allowance_grant_date, held_on
from center.services.dining import policies
from center.services.dining.posting import district_month_closed, post_txn
from center.tables import LedgerPosting, LedgerTxn, Senior, SeniorCategory
from center.timeutil import utcnow



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
    """Grant this year's allowance to every senior in a yearly-allowance scheme of the policy in force today whose
    grant day (1 January, or the birthday that brings them into the scheme's age band) has come, from the scheme's
    fund. `now` is when the grants are recorded (default: the clock; the demo data dates its history before its
    meals)."""
    year = today.year
    policy = await policies.policy_on(today)
    schemes = [s for s in (policy.schemes if policy else ()) if s.pays == Pays.yearly_allowance]
    if not schemes:
        return f"0 grants for {year} (no yearly allowance in the policy)"
    seniors = await Senior.select(Senior.id, Senior.birth_date).where(Senior.active == True)  # noqa: E712
    done = {r["senior"] for r in await LedgerTxn.select(LedgerTxn.senior).where(
        (LedgerTxn.kind == TxnKind.grant.value) & (LedgerTxn.year == year))}
    held = await _categories_by_senior()
    due = []
    for senior in seniors:
        if senior["id"] in done:
            continue
        for scheme in schemes:
            on = allowance_grant_date(scheme, senior["birth_date"], year)
            if on is not None and on <= today and scheme.eligible(
                    age_on(senior["birth_date"], on), held_on(held.get(senior["id"], []), on)):
                due.append((senior, scheme))
                break
    now = now or utcnow()
    granted = 0
    for start in range(0, len(due), 200):
        async with db.write_transaction():
            for senior, scheme in due[start:start + 200]:
                amount = allowance_amount(policy, scheme, senior["birth_date"], year)
                if amount <= 0:
                    continue
                key = f"grant:{senior['id']}:{year}"
                if await LedgerTxn.exists().where(LedgerTxn.idempotency_key == key):
                    continue
                await post_txn(TxnKind.grant, grant_postings(senior["id"], year, amount, scheme.source), at=now,
                               book_date=max(today, date(year, 1, 1)), year=year, senior_id=senior["id"], key=key,
                               memo=scheme.name)
                granted += 1
    return f"{granted} grants for {year}"


async def _categories_by_senior() -> dict[int, list[dict]]:
    rows = await SeniorCategory.select(SeniorCategory.senior, SeniorCategory.category, SeniorCategory.since,
                                       SeniorCategory.until)
    by_senior: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_senior[row["senior"]].append(row)
    return by_senior


async def year_end(year: int, today: date | None = None) -> str:
    """Expire (back to the fund it was granted from) or carry over what is left of `year`'s allowances, as the
    policy in force on 31 December says, once per senior (idempotency keys)."""
    policy = await policies.policy_on(date(year, 12, 31))
    rule = policy.year_end if policy else YearEnd.expire
    book_date = min(today or date(year, 12, 31), date(year, 12, 31))
    if await district_month_closed(book_date):
        book_date = today or date(year + 1, 1, 1)
    rows = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
        LedgerPosting.account.like(f"allowance:%:{year}"))
    left: dict[str, int] = defaultdict(int)
    for row in rows:
        left[row["account"]] += row["amount_fen"]
    granted_from = await _granted_from(year)
    kind = TxnKind.carry if rule == YearEnd.carry else TxnKind.expiry
    count = 0
    async with db.write_transaction():
        for account, balance in sorted(left.items()):
            if balance <= 0:
                continue
            senior_id = parse_account(account).senior_id
            key = f"yearend:{senior_id}:{year}"
            if await LedgerTxn.exists().where(LedgerTxn.idempotency_key == key):
                continue
            await post_txn(kind, year_end_postings(senior_id, year, balance, rule, granted_from.get(senior_id)),
                           at=utcnow(), book_date=book_date, year=year, senior_id=senior_id, key=key)
            count += 1
    return f"{count} allowances {'carried over' if kind == TxnKind.carry else 'expired'} for {year}"


async def _granted_from(year: int) -> dict[int, str]:
    """The fund account each senior's allowance of `year` was granted from (where an expiry returns it)."""
    rows = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.txn.senior.as_alias("senior")).where(
        (LedgerPosting.txn.kind == TxnKind.grant.value) & (LedgerPosting.txn.year == year)
        & LedgerPosting.account.like("fund:%"))
    return {r["senior"]: r["account"] for r in rows}
