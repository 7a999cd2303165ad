"""The ledger checked against itself: its hash chain and every invariant of center.domain.ledger, and the meals
agreeing with the transactions that pay for them."""

from __future__ import annotations

from collections import defaultdict

from center.domain.ledger import Posting, Txn, TxnKind, check_invariants, receivable
from center.services import chain
from center.tables import LedgerPosting, LedgerTxn, Meal


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
