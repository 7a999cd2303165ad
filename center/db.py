"""Database engines (SQLite by default, PostgreSQL by URL), binding to the tables, and transactions."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import weakref
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from center.config import Settings

SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("CENTER_SQLITE_BUSY_MS", "10000"))


class _SQLiteConnection(sqlite3.Connection):
    """Every SQLite connection: WAL, a busy timeout, full fsync on commit, foreign keys."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        self.execute("PRAGMA journal_mode = WAL")
        # FULL: an acknowledged write (a meal, a case) survives a power cut, not only a crash.
        self.execute("PRAGMA synchronous = FULL")
        self.execute("PRAGMA foreign_keys = ON")


_engines: dict[str, Engine] = {}
_current: Engine | None = None


def make_engine(settings: Settings) -> Engine:
    """One engine per database URL per process."""
    url = settings.database_url
    if url in _engines:
        return _engines[url]
    if settings.is_sqlite:
        path: Path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        engine: Engine = SQLiteEngine(
            path=str(path), factory=_SQLiteConnection, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        )
    else:
        engine = PostgresEngine(config={"dsn": url})
    _engines[url] = engine
    return engine


def bind(engine: Engine) -> Engine:
    """Point every table (ours and Piccolo's migration table) and piccolo_conf.DB at this engine."""
    global _current
    from piccolo.apps.migrations.tables import Migration

    from center import piccolo_conf, tables

    for table in tables.ALL_TABLES:
        table._meta.db = engine
    Migration._meta.db = engine
    piccolo_conf.DB = engine
    _current = engine
    return engine


def engine() -> Engine:
    if _current is None:
        raise RuntimeError("no database bound: call center.db.bind(make_engine(settings)) first")
    return _current


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


# One asyncio.Lock per event loop: SQLite allows one writer, and queueing writers in-process is far
# cheaper than letting them poll the busy handler (measured in stack-notes.md).
_write_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()


def _write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _write_locks.get(loop)
    if lock is None:
        lock = _write_locks[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def write_transaction() -> AsyncIterator[object]:
    """A transaction for read-then-write work: BEGIN IMMEDIATE on SQLite, a plain one on PostgreSQL.

    Opening it inside another transaction is a bug (the outer one's type would win silently).
    """
    db = engine()
    if db.current_transaction.get() is not None:
        raise RuntimeError("write_transaction() opened inside another transaction")
    if isinstance(db, SQLiteEngine):
        async with _write_lock():
            async with db.transaction(transaction_type=TransactionType.immediate) as tx:
                yield tx
    else:
        async with db.transaction() as tx:
            yield tx


@asynccontextmanager
async def read_transaction() -> AsyncIterator[object]:
    """Several reads on one connection (SQLite otherwise opens a connection per query)."""
    db = engine()
    if db.current_transaction.get() is not None:
        yield db.current_transaction.get()
        return
    async with db.transaction() as tx:
        yield tx


async def ping() -> bool:
    try:
        await engine().run_ddl("SELECT 1")
        return True
    except Exception:
        return False


async def start(settings: Settings) -> None:
    if settings.is_postgres and settings.db_pool:
        await engine().start_connection_pool(min_size=1, max_size=10)


async def stop(settings: Settings) -> None:
    if settings.is_postgres and settings.db_pool:
        await engine().close_connection_pool()
