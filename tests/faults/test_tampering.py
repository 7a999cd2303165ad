"""Issue #11, finding 1: the append-only ledger and audit log cannot be rewritten without `center verify` saying
where.

A small ledger is made through the services (grants, meals, a void, a closed month, audit rows). Each attack edits
a copy of that database from outside the app, as someone with the database file or a SQL login would: with the
`sqlite3` shell on SQLite, with plain SQL on PostgreSQL (triggers disabled, as an owner can). `center verify` on
the copy must then exit 1 and name the row. Before any of it: REPLACE and upserts are refused on every unique key
of every append-only table, on both engines.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from center.dbsql import APPEND_ONLY_KEYS
from center.jobs import job
from center.domain.chain import link
from center.services import audit, chain, jobruns, verify
from center.services.dining.meals import record_meal, void_meal
from center.services.dining.months import close_month
from center.tables import AuditLog, LedgerPosting, LedgerTxn, Meal, RosterChange
from center.timeutil import local_today, utcnow
from tests.support.databases import ENGINE, PG_URL
from tests.support.dining import canteen_with_terminal
from tests.factories import as_user, make_senior, make_staff
from tests.support.live_server import REPO

_built: dict[str, dict] = {}


async def _ledger(settings) -> dict:
    """Grants, three meals, a void, last month closed for the canteen, a published roster change: once per module."""
    if settings.database_url in _built:
        return _built[settings.database_url]
    canteen_id, _, center = await canteen_with_terminal()
    seniors = [await make_senior(center, granted_on=local_today()) for _ in range(2)]
    today = local_today()
    meals = []
    for senior in seniors + seniors[:1]:
        result = await record_meal(canteen_id, card_no=senior["card_no"], kind="lunch", price_fen=1500,
                                   eaten_at=None, idempotency_key=f"tamper-{uuid.uuid4().hex}")
        meals.append(result.meal_id)
    await void_meal(canteen_id, meals[1], today=today, reason="录错了")
    await record_meal(canteen_id, card_no=seniors[1]["card_no"], kind="dinner", price_fen=1200,
                      eaten_at=None, idempotency_key=f"tamper-{uuid.uuid4().hex}")
    manager = await as_user(await make_staff(settings, role="manager", center=center))
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    await close_month(manager, last_month, today, canteen_id)
    admin = await as_user(await make_staff(settings, role="admin"))
    await close_month(admin, (last_month - timedelta(days=1)).replace(day=1), today)  # district-wide
    await RosterChange.insert(RosterChange(center=center["id"], week=today - timedelta(days=today.weekday()),
                                           at=utcnow(), actor=manager.id, description="调班"))
    await audit.record("test.tamper", actor=manager, object_type="test")
    grant = await LedgerTxn.select(LedgerTxn.id).where(
        (LedgerTxn.kind == "grant") & (LedgerTxn.senior == seniors[0]["id"])).first()
    txn_of = {m["id"]: m["txn"] for m in await Meal.select(Meal.id, Meal.txn).where(Meal.id.is_in(meals))}
    reversal = await LedgerTxn.select(LedgerTxn.id).where(LedgerTxn.reverses == txn_of[meals[1]]).first()
    audit_row = await AuditLog.select(AuditLog.id).where(AuditLog.action == "dining.close_month").first()
    facts = {"grant_txn": grant["id"], "meal": meals[0], "meal_txn": txn_of[meals[0]], "reversal": reversal["id"],
             "audit": audit_row["id"], "month": last_month.strftime("%Y-%m")}
    _built[settings.database_url] = facts
    return facts


# ---------------------------------------------------------------- copies of the database and the outside edit


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def _copy(settings, tmp_path) -> str:
    if ENGINE == "sqlite":
        target = tmp_path / "copy.db"
        source = sqlite3.connect(str(settings.sqlite_path))
        copy = sqlite3.connect(str(target))
        source.backup(copy)
        copy.close()
        source.close()
        return f"sqlite:///{target}"
    source_name = urlsplit(settings.database_url).path.lstrip("/")
    name = f"center_tamper_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(PG_URL)
    try:
        for _ in range(50):  # a template must have no other sessions: the app's closed connections may linger
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = $1 AND pid <> pg_backend_pid()", source_name)
            try:
                await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source_name}"')
                break
            except asyncpg.ObjectInUseError:
                await asyncio.sleep(0.1)
    finally:
        await conn.close()
    return _with_database(PG_URL, name)


async def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')
        finally:
            await conn.close()


async def _edit(url: str, sqlite_sql: str, pg_sql: str) -> None:
    """The attacker's edit, from outside the app."""
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[1]
        result = subprocess.run(["sqlite3", path, sqlite_sql], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(pg_sql)
    finally:
        await conn.close()


def _verify(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "CENTER_DEMO": "1"}
    return subprocess.run([sys.executable, "-m", "center.cli", "verify"], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=300)


# Each attack: the edit on SQLite (the sqlite3 shell), the same on PostgreSQL, and what verify must name.
ATTACKS = {
    "a grant's postings multiplied by six (REPLACE, its guard dropped)": (
        "DROP TRIGGER ledger_posting_no_replace; INSERT OR REPLACE INTO ledger_posting (id, txn, account, amount_fen) "
        "SELECT id, txn, account, amount_fen * 6 FROM ledger_posting WHERE txn = {grant_txn};",
        "ALTER TABLE ledger_posting DISABLE TRIGGER ALL; "
        "UPDATE ledger_posting SET amount_fen = amount_fen * 6 WHERE txn = {grant_txn};",
        r"ledger_txn 第 {grant_txn} 行起哈希链断开",
    ),
    "a meal's price lowered from 1500 to 1 (trigger dropped, then UPDATE)": (
        "DROP TRIGGER meal_no_update; UPDATE meal SET price_fen = 1, paid_fen = 1 - subsidy_fen WHERE id = {meal};",
        "ALTER TABLE meal DISABLE TRIGGER ALL; UPDATE meal SET price_fen = 1, paid_fen = 1 - subsidy_fen "
        "WHERE id = {meal};",
        r"ledger_txn 第 {meal_txn} 行起哈希链断开.*meal #{meal}",
    ),
    "a posting deleted": (
        "DROP TRIGGER ledger_posting_no_delete; DELETE FROM ledger_posting WHERE id = "
        "(SELECT MIN(id) FROM ledger_posting WHERE txn = {meal_txn});",
        "ALTER TABLE ledger_posting DISABLE TRIGGER ALL; DELETE FROM ledger_posting WHERE id = "
        "(SELECT MIN(id) FROM ledger_posting WHERE txn = {meal_txn});",
        r"ledger_txn 第 {meal_txn} 行起哈希链断开",
    ),
    "a void's reversal deleted with its postings": (
        "DROP TRIGGER ledger_posting_no_delete; DROP TRIGGER ledger_txn_no_delete; PRAGMA foreign_keys = OFF; "
        "DELETE FROM ledger_posting WHERE txn = {reversal}; DELETE FROM ledger_txn WHERE id = {reversal};",
        "ALTER TABLE ledger_posting DISABLE TRIGGER ALL; ALTER TABLE ledger_txn DISABLE TRIGGER ALL; "
        "DELETE FROM ledger_posting WHERE txn = {reversal}; DELETE FROM ledger_txn WHERE id = {reversal};",
        r"ledger_txn 第 \d+ 行起哈希链断开",
    ),
    "a closed month reopened": (
        "DROP TRIGGER closed_canteen_month_no_delete; DELETE FROM closed_canteen_month;",
        "ALTER TABLE closed_canteen_month DISABLE TRIGGER ALL; DELETE FROM closed_canteen_month;",
        r"{month} 已结账（audit_log 第 \d+ 行）.*月份被重新打开",
    ),
    "an audit action rewritten": (
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET action = 'dining.nothing' WHERE id = {audit};",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL; UPDATE audit_log SET action = 'dining.nothing' "
        "WHERE id = {audit};",
        r"audit_log 第 {audit} 行起哈希链断开",
    ),
}


async def test_the_untouched_ledger_verifies(demo_db):
    await _ledger(demo_db)
    result = _verify(demo_db.database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "核对通过" in result.stdout
    assert re.search(r"ledger_txn: \d+ 行，链首 #\d+ [0-9a-f]{64}", result.stdout)


@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_verify_names_the_row_that_was_edited_from_outside(demo_db, tmp_path, attack):
    facts = await _ledger(demo_db)
    sqlite_sql, pg_sql, named = ATTACKS[attack]
    url = await _copy(demo_db, tmp_path)
    try:
        await _edit(url, sqlite_sql.format(**facts), pg_sql.format(**facts))
        result = _verify(url)
    finally:
        await _drop(url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(named.format(**facts), result.stderr), result.stderr


async def test_a_rewrite_of_the_whole_chain_after_a_kept_head_is_found_by_the_anchor(demo_db, tmp_path):
    """Someone who knows the scheme rewrites the last transaction and recomputes its hash: the chain holds, but the
    head the nightly check kept no longer matches (what the README says the chain cannot prove without it)."""
    await _ledger(demo_db)
    period = f"tamper-{uuid.uuid4().hex[:6]}"
    assert await jobruns.run_once("ledger_check", period, lambda: job("ledger_check").work(period))  # the nightly job keeps the heads
    url = await _copy(demo_db, tmp_path)
    try:
        head = await LedgerTxn.select(LedgerTxn.id).order_by(LedgerTxn.id, ascending=False).first()
        previous = await LedgerTxn.select(LedgerTxn.row_hash).where(LedgerTxn.id < head["id"]).order_by(
            LedgerTxn.id, ascending=False).first()
        report = await chain.verify_ledger_chain()
        assert report.ok
        rows = await LedgerTxn.select(LedgerTxn.id, *(getattr(LedgerTxn, f) for f in chain.TXN_FIELDS)).where(
            LedgerTxn.id == head["id"])
        row = {**rows[0], "memo": "改写"}
        lines = [(p["account"], p["amount_fen"]) for p in await LedgerPosting.select(
            LedgerPosting.account, LedgerPosting.amount_fen).where(LedgerPosting.txn == head["id"]).order_by(
            LedgerPosting.id)]
        meals = await Meal.select(*(getattr(Meal, f) for f in chain.MEAL_FIELDS)).where(Meal.txn == head["id"])
        forged = link(previous["row_hash"], chain.txn_content(row, lines, meals))
        await _edit(url,
                    f"DROP TRIGGER ledger_txn_no_update; UPDATE ledger_txn SET memo = '改写', row_hash = '{forged}' "
                    f"WHERE id = {head['id']};",
                    f"ALTER TABLE ledger_txn DISABLE TRIGGER ALL; UPDATE ledger_txn SET memo = '改写', "
                    f"row_hash = '{forged}' WHERE id = {head['id']};")
        result = _verify(url)
    finally:
        await _drop(url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "哈希链断开" not in result.stderr  # the chain itself was made to hold
    assert re.search(rf"ledger_txn 第 {head['id']} 行与 {period} 核对时记下的链首不符", result.stderr), result.stderr


# ---------------------------------------------------------------- layer (a): no REPLACE, no upsert


async def _unique_keys(table: str) -> list[tuple[str, ...]]:
    """Every unique key of the table as the database has it (the primary key included). A partial unique index (a
    dynamic QR's nonce used by one meal: unique only where verified_by = 'qr') is a rule about some rows, not a key
    an upsert can name without its condition; those rows are held by the keys and triggers tried here."""
    if ENGINE == "sqlite":
        keys = [("id",)]
        for index in await LedgerTxn.raw(f"PRAGMA index_list({table})"):
            if index["unique"] and not index["partial"]:
                columns = tuple(c["name"] for c in await LedgerTxn.raw(f"PRAGMA index_info({index['name']})"))
                if columns != ("id",):
                    keys.append(columns)
        return keys
    rows = await LedgerTxn.raw(
        "SELECT array_agg(a.attname ORDER BY k.ord) AS columns FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
        "WHERE t.relname = {} AND i.indisunique AND i.indpred IS NULL GROUP BY i.indexrelid", table)
    return [tuple(r["columns"]) for r in rows]


async def test_no_row_of_an_append_only_table_can_be_replaced_or_upserted(demo_db):
    await _ledger(demo_db)
    tried = []
    for table in APPEND_ONLY_KEYS:
        row = (await LedgerTxn.raw(f"SELECT * FROM {table} ORDER BY id LIMIT 1"))
        assert row, f"{table} has no row to try"
        before = await LedgerTxn.raw(f"SELECT * FROM {table} ORDER BY id")
        columns = [c for c in row[0] if c != "id"]
        names = ", ".join(f'"{c}"' for c in columns)
        for key in await _unique_keys(table):
            present = " AND ".join(f'"{c}" IS NOT NULL' for c in key)
            row = await LedgerTxn.raw(f"SELECT * FROM {table} WHERE {present} ORDER BY id LIMIT 1")
            assert row, f"{table} has no row with {key} to try"
            # The same id, or a new id beside the same key: REPLACE would delete the old row first, an upsert
            # would update it.
            new_id = "id" if key == ("id",) else f"(SELECT MAX(id) + 1000 FROM {table})"
            copy = f"SELECT {new_id}, {names} FROM {table} WHERE id = {row[0]['id']}"
            if ENGINE == "sqlite":
                sql = f"INSERT OR REPLACE INTO {table} (id, {names}) {copy}"
            else:
                target = ", ".join(f'"{c}"' for c in key)
                sql = (f"INSERT INTO {table} (id, {names}) {copy} "
                       f'ON CONFLICT ({target}) DO UPDATE SET "{columns[0]}" = EXCLUDED."{columns[0]}"')
            with pytest.raises(Exception, match="append-only"):
                await LedgerTxn.raw(sql)
            tried.append((table, key))
        assert await LedgerTxn.raw(f"SELECT * FROM {table} ORDER BY id") == before
    assert ("ledger_txn", ("idempotency_key",)) in tried and ("meal", ("canteen", "idempotency_key")) in tried
    assert {t for t, _ in tried} == set(APPEND_ONLY_KEYS)


async def test_verify_recomputes_the_chains_the_app_wrote(demo_db):
    """What the desk, the terminal, the jobs and the demo loader appended all links up."""
    await _ledger(demo_db)
    result = await verify.verify()
    assert result.ok, result.lines()
    assert [c.table for c in result.chains] == ["ledger_txn", "audit_log"]
    assert all(c.rows > 0 and len(c.head_hash) == 64 for c in result.chains)

