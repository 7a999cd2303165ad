"""Writing the ledger: one transaction with its (non-zero) postings, linked into the hash chain
(center.services.chain), and whether a month is still open for postings. Meals, voids, grants and year end all
post through here; it calls none of them (so meals and allowances can both use it)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from center import db
from center.domain.ledger import Posting, TxnKind
from center.services import chain
from center.tables import ClosedCanteenMonth, ClosedMonth, LedgerPosting, LedgerTxn

# The meal path's reads and writes, compiled once (center.db.Prepared): a meal is posted in about a millisecond.
_MONTH_CLOSED = db.Prepared(lambda month: ClosedMonth.select(ClosedMonth.id).where(ClosedMonth.month == month).limit(1),
                            month=date(1901, 1, 1))
_CANTEEN_MONTH_CLOSED = db.Prepared(lambda canteen, month: ClosedCanteenMonth.select(ClosedCanteenMonth.id).where(
    (ClosedCanteenMonth.canteen == canteen) & (ClosedCanteenMonth.month == month)).limit(1),
    canteen=-7_000_001, month=date(1901, 1, 1))


async def district_month_closed(day: date) -> bool:
    """The district closed the month (an admin's close of every canteen; year-end postings look here)."""
    return await _MONTH_CLOSED.first(month=day.replace(day=1)) is not None


async def canteen_month_closed(canteen_id: int, day: date) -> bool:
    """The month is closed for this canteen: nothing more is posted dated in it (a district close wrote a row for
    every canteen)."""
    return await _CANTEEN_MONTH_CLOSED.first(canteen=canteen_id, month=day.replace(day=1)) is not None


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


async def post_txn(kind: TxnKind, postings: tuple[Posting, ...], *, at: datetime, book_date: date, year: int,
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
