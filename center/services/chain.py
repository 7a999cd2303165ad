"""The ledger's and the audit log's hash chains: linking each new row, and walking the chains to verify them.

Two chains (center.domain.chain): `ledger_txn` rows, each over the transaction's own columns, its postings and
the meal it pays for (a rewritten posting or meal price breaks its transaction's link), and `audit_log` rows.
A new row links to the chain's head, so appending is serialised: on SQLite the write transaction's BEGIN
IMMEDIATE already does it; on PostgreSQL a transaction-scoped advisory lock does (one lock for both chains, so no
two transactions can wait on each other's). Callers append inside `db.write_transaction()`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from piccolo.engine.postgres import PostgresEngine

from center import db
from center.db.statements import AUDIT_HEAD, LEDGER_HEAD
from center.domain.chain import GENESIS, Break, first_break, link
from center.tables import AuditLog, LedgerPosting, LedgerTxn, Meal

TXN_FIELDS = ("kind", "at", "book_date", "year", "senior", "canteen", "reverses", "idempotency_key", "actor", "memo",
              "reason")
# How the diner was verified (issue #16) joined the meal later: a value other than the default is covered, so the
# rows written before keep their hashes and a changed method on any row breaks the chain.
MEAL_OPTIONAL_FIELDS = {"verified_by": "card", "proxy_name": "", "verification_ref": ""}
MEAL_FIELDS = ("canteen", "senior", "kind", "price_fen", "subsidy_fen", "paid_fen", "balance_after_fen", "eaten_at",
               "book_date", "idempotency_key", "request_hash", "device", "operator", "created_at")
AUDIT_FIELDS = ("at", "actor", "actor_name", "center", "action", "object_type", "object_id", "ip", "detail")

CHAIN_LOCK_KEY = 7_310_011  # pg_advisory_xact_lock key shared by both chains


def txn_content(txn: Mapping[str, Any], postings: Sequence[tuple[str, int]],
                meals: Sequence[Mapping[str, Any]] = ()) -> dict:
    """What a transaction's hash covers: its columns, its postings in order, the meals it pays for."""
    content = {name: txn.get(name) for name in TXN_FIELDS}
    content["postings"] = [[account, amount] for account, amount in postings]
    content["meals"] = [_meal_content(meal) for meal in meals]
    return content


def _meal_content(meal: Mapping[str, Any]) -> dict:
    content = {name: meal.get(name) for name in MEAL_FIELDS}
    for name, default in MEAL_OPTIONAL_FIELDS.items():
        if meal.get(name, default) not in (default, None):
            content[name] = meal[name]
    return content


def audit_content(row: Mapping[str, Any]) -> dict:
    return {name: row.get(name) for name in AUDIT_FIELDS}


async def _lock() -> None:
    if isinstance(db.engine(), PostgresEngine):
        await LedgerTxn.raw(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY})")


async def _head(query: db.Prepared) -> str:
    row = await query.first()
    return row["row_hash"] if row else GENESIS


async def next_ledger_hash(content: Mapping[str, Any]) -> str:
    """The hash for a transaction appended now (inside the write transaction that inserts it)."""
    await _lock()
    return link(await _head(LEDGER_HEAD), content)


async def next_audit_hash(content: Mapping[str, Any]) -> str:
    await _lock()
    return link(await _head(AUDIT_HEAD), content)


async def ledger_head() -> str:
    """The head to link a batch of transactions to (the demo loader appends many at once)."""
    await _lock()
    return await _head(LEDGER_HEAD)


# ---------------------------------------------------------------- verification


@dataclass(frozen=True)
class ChainReport:
    table: str
    rows: int
    head_id: int | None
    head_hash: str
    broken: Break | None
    problems: tuple[str, ...] = ()  # rows outside the chain's reach (a posting or meal without its transaction)

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.problems

    def lines(self) -> list[str]:
        out = []
        if self.broken is not None:
            out.append(f"{self.table} 第 {self.broken.row_id} 行起哈希链断开：{self.broken.reason}")
        out.extend(self.problems)
        return out


async def verify_ledger_chain() -> ChainReport:
    txns = await LedgerTxn.select(LedgerTxn.id, LedgerTxn.row_hash, *(getattr(LedgerTxn, f) for f in TXN_FIELDS)
                                  ).order_by(LedgerTxn.id)
    postings: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for p in await LedgerPosting.select(LedgerPosting.id, LedgerPosting.txn, LedgerPosting.account,
                                        LedgerPosting.amount_fen).order_by(LedgerPosting.id):
        postings[p["txn"]].append((p["account"], p["amount_fen"]))
    meals: dict[int | None, list[dict]] = defaultdict(list)
    for m in await Meal.select(Meal.id, Meal.txn, *(getattr(Meal, f) for f in (*MEAL_FIELDS, *MEAL_OPTIONAL_FIELDS))
                               ).order_by(Meal.id):
        meals[m["txn"]].append(m)
    known = {t["id"] for t in txns}
    problems = [f"ledger_posting 指向不存在的交易 {txn}" for txn in sorted(set(postings) - known)]
    problems += [f"meal 第 {m['id']} 行没有对应的账务交易" for txn in sorted(set(meals) - known, key=lambda v: v or 0)
                 for m in meals[txn]]
    broken, head_hash, head_id = first_break(
        (t["id"], t["row_hash"], txn_content(t, postings.get(t["id"], ()), meals.get(t["id"], ()))) for t in txns)
    if broken is not None and meals.get(broken.row_id):
        # Name the meal too: a rewritten price shows as its transaction's link.
        ids = "、".join(f"#{m['id']}" for m in meals[broken.row_id])
        broken = Break(broken.row_id, f"{broken.reason}（该交易的分录或就餐记录 meal {ids} 也可能被改动）")
    return ChainReport("ledger_txn", len(txns), head_id, head_hash, broken, tuple(problems))


async def verify_audit_chain() -> ChainReport:
    rows = await AuditLog.select(AuditLog.id, AuditLog.row_hash, *(getattr(AuditLog, f) for f in AUDIT_FIELDS)
                                 ).order_by(AuditLog.id)
    broken, head_hash, head_id = first_break((r["id"], r["row_hash"], audit_content(r)) for r in rows)
    return ChainReport("audit_log", len(rows), head_id, head_hash, broken)


async def verify_chains() -> list[ChainReport]:
    return [await verify_ledger_chain(), await verify_audit_chain()]


def relink(rows: Iterable[tuple[int, Mapping[str, Any]]]) -> list[tuple[int, str]]:
    """(id, hash) for rows in id order linked from GENESIS: the migration that starts the chains uses it."""
    out, previous = [], GENESIS
    for row_id, content in rows:
        previous = link(previous, content)
        out.append((row_id, previous))
    return out
