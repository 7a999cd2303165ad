"""The engine of each database URL (a pooled SQLite engine, or Piccolo's PostgresEngine) and the one bound to the tables."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from center.config import Settings

SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("CENTER_SQLITE_BUSY_MS", "10000"))
# Reads on the event loop's own connection wait at most this long (WAL readers only wait in rare recovery cases).
INLINE_BUSY_MS = 200


class SQLiteConnection(sqlite3.Connection):
    """Every SQLite connection: WAL, a busy timeout, full fsync on commit, foreign keys."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        self.execute("PRAGMA journal_mode = WAL")
        # FULL: an acknowledged write (a meal, a case) survives a power cut, not only a crash.
        self.execute("PRAGMA synchronous = FULL")
        self.execute("PRAGMA foreign_keys = ON")


class _PooledTransaction(SQLiteTransaction):
    """A transaction on a pooled connection: handed back to the pool at the end instead of closed."""

    on_statement = None  # called before each statement when set: a point write counts its statements

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        healthy = False
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
            healthy = True
        finally:
            self.engine.current_transaction.reset(self.context)
            await self.engine.release(self.connection, healthy=healthy)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLiteEngine with a pool of open connections and one connection on the event loop's own thread.

    A connection that saw an error, a cancellation or is left inside a transaction is closed, never reused. Why
    each part exists, with its figure: the docstring of `center.db`.
    """

    def __init__(self, *args, pool_size: int = 16, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[aiosqlite.Connection] = []
        self._pool_size = pool_size
        self._inline = threading.local()

    async def _open(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        thread = getattr(connection, "_thread", None)  # aiosqlite's private worker thread (pinned in pyproject)
        if thread is not None:
            # An idle pooled connection must not keep the interpreter from exiting.
            thread.daemon = True
        await connection
        connection.row_factory = dict_factory  # type: ignore[assignment]
        return connection

    async def get_connection(self) -> aiosqlite.Connection:
        if self._idle:
            return self._idle.pop()
        return await self._open()

    async def release(self, connection: aiosqlite.Connection, *, healthy: bool = True) -> None:
        if healthy and not connection.in_transaction and len(self._idle) < self._pool_size:
            self._idle.append(connection)
            return
        try:
            await connection.close()
        except Exception:
            pass

    def inline_connection(self) -> sqlite3.Connection:
        """This thread's own connection (the event loop's), for inline reads and inline write transactions."""
        connection = getattr(self._inline, "connection", None)
        if connection is None:
            kwargs = {**self.connection_kwargs, "check_same_thread": True}
            kwargs.pop("factory", None)
            connection = SQLiteConnection(**kwargs)
            connection.execute(f"PRAGMA busy_timeout = {INLINE_BUSY_MS}")
            connection.row_factory = dict_factory
            self._inline.connection = connection
        return connection

    def run_inline(self, query: str, args: list) -> list[dict]:
        """A short read on this thread's own connection, without the round trip to a connection thread (for the
        point reads of center.db.prepared only: never for anything that scans)."""
        return self.inline_connection().execute(query, args).fetchall()

    async def close_pool(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await self.release(connection, healthy=False)

    # Each await on an aiosqlite connection is a round trip to its thread; Piccolo's own path takes three to five
    # per query (a PRAGMA, execute, fetchall, close). `execute_fetchall` is one. (SQLite >= 3.35: RETURNING.)
    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        connection = await self.get_connection()
        healthy = False
        try:
            rows = await connection.execute_fetchall(query, args or [])
            healthy = True
            return list(rows)
        finally:
            await self.release(connection, healthy=healthy)

    async def _run_in_existing_connection(self, connection, query, args=None, query_type="generic", table=None):
        on_statement = getattr(self.current_transaction.get(), "on_statement", None)
        if on_statement is not None:
            on_statement()
        if isinstance(connection, sqlite3.Connection):  # a point write on the loop's own connection
            return connection.execute(query, args or []).fetchall()
        return list(await connection.execute_fetchall(query, args or []))

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SQLiteTransaction:
        return _PooledTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


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
        engine: Engine = PooledSQLiteEngine(
            path=str(path), factory=SQLiteConnection, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        )
    else:
        engine = PostgresEngine(config={"dsn": url})
    _engines[url] = engine
    return engine


def bind(engine: Engine) -> Engine:
    """Point every table (ours and Piccolo's migration table) at this engine; center.piccolo_conf.DB follows it."""
    global _current
    from piccolo.apps.migrations.tables import Migration

    from center import tables

    for table in tables.ALL_TABLES:
        table._meta.db = engine
    Migration._meta.db = engine
    _current = engine
    return engine


def bound() -> Engine | None:
    """The engine bind() last chose, or None before any."""
    return _current


def engine() -> Engine:
    if _current is None:
        raise RuntimeError("no database bound: call center.db.bind(make_engine(settings)) first")
    return _current


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


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
    current = engine()
    if isinstance(current, PooledSQLiteEngine):
        await current.close_pool()
