"""Meals posted per second: through the service function, and the ceiling of the same read-check-insert
transaction in raw sqlite3 (and asyncpg on PostgreSQL) with the same durability. Run by bench/run.py."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from center import db  # noqa: E402
from center.config import load_settings  # noqa: E402
from center.domain.chain import GENESIS, link  # noqa: E402

HEAD = "SELECT row_hash FROM ledger_txn ORDER BY id DESC LIMIT 1"


def chained(head: str | None, **content) -> str:
    """The transaction's link in the ledger's hash chain, as the app makes it (the content is hashed alike)."""
    return link(head or GENESIS, content)

MEALS = int(os.environ.get("BENCH_MEALS", "500"))
PRICE = 1500


def cards(n: int) -> list[str]:
    return [f"D{(i % 490) + 1:04d}" for i in range(n)]


async def service_rate(label: str) -> dict:
    from center.services.dining.meals import record_meal
    from center.tables import Canteen

    settings = load_settings()
    db.bind(db.make_engine(settings))
    await db.start(settings)
    canteen = (await Canteen.select(Canteen.id).where(Canteen.code == "C01").first())["id"]
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    for i, card in enumerate(cards(MEALS)):
        await record_meal(canteen, card_no=card, kind="lunch", price_fen=PRICE, eaten_at=None,
                          idempotency_key=f"bench-{run}-{i}")
    rate = MEALS / (time.perf_counter() - started)
    await db.stop(settings)
    return {"name": f"{label}: meals/s through the service function (one at a time)", "value": rate, "unit": "meals/s"}


RAW_STEPS = [
    "SELECT id, request_hash FROM meal WHERE canteen = {p} AND idempotency_key = {p}",
    "SELECT id, birth_date, active FROM senior WHERE card_no = {p}",
    "SELECT 1 FROM closed_canteen_month WHERE canteen = {p} AND month = {p}",
    "SELECT id, source_text FROM dining_policy ORDER BY id",
    "SELECT category, since, until FROM senior_category WHERE senior = {p}",
    "SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_posting WHERE account = {p}",
]

# Issue #16: meal posting with a five-scheme policy stays within 20 % of the figure before policies were data
# (a470c45, bench/results: 838.9 meals/s through the service function beside 1926.5 for raw sqlite3 on the same
# machine). Absolute figures move between machines; the ratio to the raw ceiling of the same run holds.
BEFORE_POLICIES_RATIO = 838.9 / 1926.5
FIVE_SCHEMES = """
effective = {today}
name = "五个方案（基准测试）"
[[scheme]]
name = "年度额度"
min_age = 65
max_age = 79
pays = "yearly_allowance"
amount_fen = 20000
cap_per_meal_fen = 400
source = "区财政"
[[scheme]]
name = "高龄每餐"
min_age = 80
pays = "per_meal"
amount_fen = 300
max_meals_per_day = 2
max_meals_per_week = 10
source = "区财政"
[[scheme]]
name = "低保每餐"
min_age = 60
categories = ["低保", "特困"]
pays = "per_meal"
amount_fen = 500
max_meals_per_day = 2
source = "福彩公益金"
[[scheme]]
name = "残疾半价"
min_age = 60
categories = ["残疾", "重度残疾"]
pays = "percent"
percent = 50
cap_per_meal_fen = 800
max_meals_per_month = 60
source = "街道"
[[scheme]]
name = "失独免费"
min_age = 60
categories = ["失独"]
pays = "free"
kinds = ["lunch"]
max_meals_per_week = 7
source = "慈善"
"""


async def load_five_schemes() -> None:
    from datetime import date

    from center.services.dining.policies import record_version

    settings = load_settings()
    db.bind(db.make_engine(settings))
    await db.start(settings)
    await record_version(FIVE_SCHEMES.format(today=date.today().isoformat()), actor=None, origin="demo")
    await db.stop(settings)


def raw_sqlite_rate(path: str) -> dict:
    """The same transaction in plain sqlite3: BEGIN IMMEDIATE, the five reads, the chain's head and the row's
    hash, three inserts, COMMIT (WAL, synchronous=FULL, like center.db's connections). Its rows are linked to the
    head but over less content than the app's, so `center verify` on the bench database afterwards finds them."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    canteen = conn.execute("SELECT id FROM canteen WHERE code = 'C01'").fetchone()[0]
    run = uuid.uuid4().hex[:8]
    reads = [s.format(p="?") for s in RAW_STEPS]
    today = datetime.now(timezone.utc)
    started = time.perf_counter()
    for i, card in enumerate(cards(MEALS)):
        key = f"raw-{run}-{i}"
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(reads[0], (canteen, key)).fetchall()
        senior = conn.execute(reads[1], (card,)).fetchone()[0]
        conn.execute(reads[2], (canteen, today.date().replace(day=1).isoformat())).fetchall()
        conn.execute(reads[3]).fetchall()
        conn.execute(reads[4], (senior,)).fetchall()
        balance = conn.execute(reads[5], (f"allowance:{senior}:{today.year}",)).fetchone()[0]
        subsidy = min(PRICE, 400, max(balance, 0))
        head = conn.execute(HEAD).fetchone()
        row_hash = chained(head[0] if head else None, kind="meal", at=today, senior=senior, canteen=canteen,
                           key=key, subsidy=subsidy, price=PRICE)
        txn = conn.execute(
            "INSERT INTO ledger_txn (kind, at, book_date, year, senior, canteen, idempotency_key, memo, row_hash) "
            "VALUES ('meal', ?, ?, ?, ?, ?, ?, '', ?) RETURNING id",
            (str(today), today.date().isoformat(), today.year, senior, canteen, f"meal:{canteen}:{key}",
             row_hash)).fetchone()[0]
        if subsidy:
            conn.executemany("INSERT INTO ledger_posting (txn, account, amount_fen) VALUES (?, ?, ?)",
                             [(txn, f"allowance:{senior}:{today.year}", -subsidy), (txn, f"canteen:{canteen}", subsidy)])
        conn.execute(
            "INSERT INTO meal (canteen, senior, kind, price_fen, subsidy_fen, paid_fen, balance_after_fen, eaten_at, "
            "book_date, idempotency_key, request_hash, txn, created_at) "
            "VALUES (?, ?, 'lunch', ?, ?, ?, ?, ?, ?, ?, 'x', ?, ?) RETURNING id",
            (canteen, senior, PRICE, subsidy, PRICE - subsidy, balance - subsidy, str(today), today.date().isoformat(),
             key, txn, str(today))).fetchone()
        conn.execute("COMMIT")
    rate = MEALS / (time.perf_counter() - started)
    conn.close()
    return {"name": "SQLite: raw sqlite3, the same transaction (ceiling)", "value": rate, "unit": "meals/s"}


async def raw_pg_rate(url: str) -> dict:
    import asyncpg

    conn = await asyncpg.connect(url)
    canteen = await conn.fetchval("SELECT id FROM canteen WHERE code = 'C01'")
    run = uuid.uuid4().hex[:8]
    now = datetime.now(timezone.utc)
    reads = [s.replace("{p}", "$1").replace("canteen = $1 AND idempotency_key = $1", "canteen = $1 AND idempotency_key = $2")
             .replace("canteen = $1 AND month = $1", "canteen = $1 AND month = $2") for s in RAW_STEPS]
    started = time.perf_counter()
    for i, card in enumerate(cards(MEALS)):
        key = f"raw-{run}-{i}"
        async with conn.transaction():
            await conn.fetch(reads[0], canteen, key)
            senior = await conn.fetchval(reads[1], card)
            await conn.fetch(reads[2], canteen, now.date().replace(day=1))
            await conn.fetch("SELECT id FROM senior WHERE id = $1 FOR UPDATE", senior)
            await conn.fetch(reads[3])
            await conn.fetch(reads[4], senior)
            balance = await conn.fetchval(reads[5], f"allowance:{senior}:{now.year}")
            subsidy = min(PRICE, 400, max(balance, 0))
            await conn.fetch("SELECT pg_advisory_xact_lock(7310011)")  # the chain's lock (center.services.chain)
            row_hash = chained(await conn.fetchval(HEAD), kind="meal", at=now, senior=senior, canteen=canteen,
                               key=key, subsidy=subsidy, price=PRICE)
            txn = await conn.fetchval(
                "INSERT INTO ledger_txn (kind, at, book_date, year, senior, canteen, idempotency_key, memo, row_hash) "
                "VALUES ('meal', $1, $2, $3, $4, $5, $6, '', $7) RETURNING id",
                now, now.date(), now.year, senior, canteen, f"meal:{canteen}:{key}", row_hash)
            if subsidy:
                await conn.executemany("INSERT INTO ledger_posting (txn, account, amount_fen) VALUES ($1, $2, $3)",
                                       [(txn, f"allowance:{senior}:{now.year}", -subsidy),
                                        (txn, f"canteen:{canteen}", subsidy)])
            await conn.fetchval(
                "INSERT INTO meal (canteen, senior, kind, price_fen, subsidy_fen, paid_fen, balance_after_fen, "
                "eaten_at, book_date, idempotency_key, request_hash, txn, created_at) "
                "VALUES ($1, $2, 'lunch', $3, $4, $5, $6, $7, $8, $9, 'x', $10, $7) RETURNING id",
                canteen, senior, PRICE, subsidy, PRICE - subsidy, balance - subsidy, now, now.date(), key, txn)
    rate = MEALS / (time.perf_counter() - started)
    await conn.close()
    return {"name": "PostgreSQL: raw asyncpg, the same transaction (ceiling)", "value": rate, "unit": "meals/s"}


async def pg_database() -> str | None:
    """A fresh database center_bench with the demo district, or None when no PostgreSQL answers."""
    import asyncpg

    admin_url = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        conn = await asyncpg.connect(admin_url, timeout=3)
    except Exception:
        return None
    try:
        await conn.execute("DROP DATABASE IF EXISTS center_bench WITH (FORCE)")
        await conn.execute("CREATE DATABASE center_bench")
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/center_bench"


def main() -> None:
    path = sys.argv[1]
    rows = [asyncio.run(service_rate("SQLite")), raw_sqlite_rate(path)]
    rows[0]["ceiling"] = rows[1]["value"]
    asyncio.run(load_five_schemes())
    five = asyncio.run(service_rate("SQLite, a five-scheme policy"))
    five.update(ceiling=rows[1]["value"], target=0.8 * BEFORE_POLICIES_RATIO * rows[1]["value"],
                rule="≥ 80 % of the pre-policy share of raw")
    rows.insert(1, five)
    url = asyncio.run(pg_database())
    if url is None:
        rows.append({"name": "PostgreSQL: meals/s through the service function (no server answered)", "value": None,
                     "unit": "meals/s"})
    else:
        env = {**os.environ, "DATABASE_URL": url, "CENTER_DEMO": "1"}
        for command in (["migrate"], ["demo"]):
            subprocess.run([str(Path(sys.executable).parent / "center"), *command], env=env, check=True,
                           stdout=subprocess.DEVNULL)
        os.environ["DATABASE_URL"] = url
        service = asyncio.run(service_rate("PostgreSQL"))
        raw = asyncio.run(raw_pg_rate(url))
        service["ceiling"] = raw["value"]
        rows += [service, raw]
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
