"""Writing the ledger: one transaction with its (non-zero) postings, linked into the hash chain
(center.services.chain), and whether a month is still open for postings. Meals, voids, grants and year end all
post through here; it calls none of them (so meals and allowances can both use it)."""

from __future__ import annotations

from datetime import date, datetime

from center.db import statements
from center.domain.ledger import Posting, TxnKind
from center.services import chain


async def district_month_closed(day: date) -> bool:
    """The district closed the month (an admin's close of every canteen; year-end postings look here)."""
    return await statements.DISTRICT_MONTH_CLOSED.first(month=day.replace(day=1)) is not None


async def canteen_month_closed(canteen_id: int, day: date) -> bool:
    """The month is closed for this canteen: nothing more is posted dated in it (a district close wrote a row for
    every canteen)."""
    return await statements.CANTEEN_MONTH_CLOSED.first(canteen=canteen_id, month=day.replace(day=1)) is not None


async def post_txn(kind: TxnKind, postings: tuple[Posting, ...], *, at: datetime, book_date: date, year: int,
                   senior_id: int | None, canteen_id: int | None = None, reverses: int | None = None,
                   key: str | None = None, actor_id: int | None = None, memo: str = "", reason: str = "",
                   meal: dict | None = None) -> int:
    """One transaction, its (non-zero) postings and the meal it pays for (inserted by the caller), linked into the
    ledger's hash chain (center.services.chain); statements compiled once (center.db.statements)."""
    row = dict(kind=kind.value, at=at, book_date=book_date, year=year, senior=senior_id, canteen=canteen_id,
               reverses=reverses, idempotency_key=key, actor=actor_id, memo=memo[:200], reason=reason[:200])
    lines = [(p.account, p.amount_fen) for p in postings if p.amount_fen]
    row_hash = await chain.next_ledger_hash(chain.txn_content(row, lines, [meal] if meal else []))
    txn_id = (await statements.INSERT_TXN.rows(
        kind=row["kind"], at=at, book_date=book_date, year=year, senior=senior_id, canteen=canteen_id,
        reverses=reverses, key=key, actor=actor_id, memo=row["memo"], reason=row["reason"], row_hash=row_hash,
    ))[0]["id"]
    for account, amount in lines:
        await statements.INSERT_POSTING.rows(txn=txn_id, account=account, amount=amount)
    return txn_id
