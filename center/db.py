"""Database engines (SQLite by default, PostgreSQL by URL), binding to the tables, and transactions."""

from __future__ import annotations

import asyncio
import os
import threading

import aiosqlite
import sqlite3
import weakref
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

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


class _PooledTransaction(SQLiteTransaction):
    """A transaction on a pooled connection: handed back to the pool at the end instead of closed."""

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


class _Busy(Exception):
    """Another process holds SQLite's write lock: wait for it off the event loop instead."""


class _InlineTransaction(SQLiteTransaction):
    """A short write transaction on the event loop's own connection: no hand-off to a connection thread for each
    statement. It never waits for the write lock on the loop (busy_timeout 0 at BEGIN): when another process
    holds it, `_Busy` sends the caller to the threaded transaction, which waits without blocking the loop."""

    async def __aenter__(self):
        if self._parent is not None:
            return self._parent
        self.connection = self.engine.inline_connection()
        self.connection.execute("PRAGMA busy_timeout = 0")
        try:
            self.connection.execute(f"BEGIN {self.transaction_type.value}")
        except sqlite3.OperationalError as exc:
            raise _Busy(str(exc)) from exc
        finally:
            self.connection.execute(f"PRAGMA busy_timeout = {INLINE_BUSY_MS}")
        self.context = self.engine.current_transaction.set(self)
        return self

    async def commit(self):
        self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self):
        self.connection.execute("ROLLBACK")
        self._rolled_back = True

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back and self.connection.in_transaction:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                try:
                    await self.commit()
                except BaseException:
                    if self.connection.in_transaction:
                        self.connection.execute("ROLLBACK")
                    raise
        finally:
            self.engine.current_transaction.reset(self.context)
        return exception is None


# Inline reads wait at most this long on the loop (WAL readers only wait in rare recovery cases).
INLINE_BUSY_MS = 200


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLiteEngine opens a connection (and a thread) for every query outside a transaction, which
    cost about 1.7 ms a query on a 2-core machine (against 0.7 ms on an open one). This one keeps up to `pool_size` idle connections open and
    reuses them for single queries and transactions alike. A connection that saw an error, a cancellation or
    is left inside a transaction is closed, never reused."""

    def __init__(self, *args, pool_size: int = 16, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[aiosqlite.Connection] = []
        self._pool_size = pool_size
        self._inline = threading.local()

    async def _open(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        thread = getattr(connection, "_thread", None)
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
            connection = _SQLiteConnection(**kwargs)
            connection.execute(f"PRAGMA busy_timeout = {INLINE_BUSY_MS}")
            connection.row_factory = dict_factory
            self._inline.connection = connection
        return connection

    def run_inline(self, query: str, args: list) -> list[dict]:
        """A short read on this thread's own connection, without the round trip to a connection thread.

        For the hot point reads of `Prepared` only: a few tens of microseconds of SQLite are cheaper than the
        hand-off (WAL: readers never wait for the writer). Not for anything that scans.
        """
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
        if isinstance(connection, sqlite3.Connection):  # an inline transaction
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
# cheaper than letting them poll the busy handler (measured: 50 concurrent writers on one row took ~0.2 s queued
# this way, ~2 s with IMMEDIATE transactions alone).
_write_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()


def _write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _write_locks.get(loop)
    if lock is None:
        lock = _write_locks[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def write_transaction(*, inline: bool = False) -> AsyncIterator[object]:
    """A transaction for read-then-write work: BEGIN IMMEDIATE on SQLite, a plain one on PostgreSQL.

    `inline=True` (SQLite) runs a short transaction on the event loop's own connection, statement after statement
    without a hand-off to a connection thread: for bounded work only (a meal, a case transition), never loops
    over many rows, since the loop serves nobody else meanwhile. Opening it inside another transaction is a bug.
    """
    from center.services import cache  # the services import center.db; the cache itself imports no database

    db = engine()
    if db.current_transaction.get() is not None:
        raise RuntimeError("write_transaction() opened inside another transaction")
    # What the public caches computed while this runs is from before it: an audited write drops them at commit.
    flag, token = cache.watch_transaction()
    try:
        async with _write_transaction(db, inline) as tx:
            yield tx
    except BaseException:
        cache.end_transaction(flag, token, committed=False)
        raise
    cache.end_transaction(flag, token, committed=True)


@asynccontextmanager
async def _write_transaction(db, inline: bool) -> AsyncIterator[object]:
    if isinstance(db, SQLiteEngine):
        async with _write_lock():
            inline_tx = None
            if inline and isinstance(db, PooledSQLiteEngine):
                candidate = _InlineTransaction(engine=db, transaction_type=TransactionType.immediate)
                try:
                    inline_tx = await candidate.__aenter__()
                except _Busy:
                    inline_tx = None  # another process writes: wait for it on a connection thread
            if inline_tx is not None:
                try:
                    yield inline_tx
                except BaseException as exc:
                    await inline_tx.__aexit__(type(exc), exc, exc.__traceback__)
                    raise
                await inline_tx.__aexit__(None, None, None)
            else:
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
    current = engine()
    if isinstance(current, PooledSQLiteEngine):
        await current.close_pool()


class Prepared:
    """A Piccolo select built and compiled once per engine type; each call binds new values and runs it.

    Building a select with joins costs Piccolo a few hundred microseconds a time (column copies, join planning,
    string assembly): more than running it on SQLite. A hot query is written once as usual, with a sample value
    for each parameter; the SQL is kept, and calls put their values where the samples were.

        OPEN_CASES = Prepared(lambda center, owner: Case.select(...).where((Case.center == center) & ...),
                              center=-7_000_001, owner=-7_000_002)
        rows = await OPEN_CASES.rows(center=3, owner=12)

    Samples must be distinct and unlike any constant in the query; parameters are scalars (not lists).
    """

    def __init__(self, build, **samples) -> None:
        self._build = build
        self._samples = samples
        self._compiled: dict[str, tuple] = {}

    def _compile(self, engine_type: str) -> tuple:
        query = self._build(**self._samples)
        strings = query.querystrings
        if len(strings) != 1:
            raise ValueError("Prepared supports single-statement queries")
        sql, args = strings[0].compile_string(engine_type=engine_type)
        slots = []
        for arg in args:
            names = [n for n, v in self._samples.items() if type(v) is type(arg) and v == arg]
            slots.append((names[0], None) if names else (None, arg))
        if {n for n, _ in slots if n} != set(self._samples):
            raise ValueError("a sample value was not found among the query's arguments")
        if engine_type == "sqlite":
            template = sql.replace("?", "{}")
        else:
            import re

            template = re.sub(r"\$\d+", "{}", sql)
        compiled = (template, tuple(slots), query, sql)
        self._compiled[engine_type] = compiled
        return compiled

    async def rows(self, **values) -> list[dict]:
        from piccolo.querystring import QueryString

        db = engine()
        compiled = self._compiled.get(db.engine_type) or self._compile(db.engine_type)
        template, slots, query, sql = compiled
        args = [values[n] if n else const for n, const in slots]
        if (isinstance(db, PooledSQLiteEngine) and db.current_transaction.get() is None
                and not db.inline_connection().in_transaction):  # never inside another task's inline write
            return await query._process_results(db.run_inline(sql, args))
        return await query._process_results(await db.run_querystring(QueryString(template, *args)))

    async def first(self, **values) -> dict | None:
        rows = await self.rows(**values)
        return rows[0] if rows else None


async def fetch_tuples(template: str, *args) -> list[tuple]:
    """Rows as plain tuples, in the order the SELECT names them: for reads of tens of thousands of rows, where
    making a dict of each costs more than the query. `template` uses Piccolo's `{}` placeholders."""
    from piccolo.querystring import QueryString

    db = engine()
    querystring = QueryString(template, *args)
    if isinstance(db, PooledSQLiteEngine) and db.current_transaction.get() is None:
        sql, values = querystring.compile_string(engine_type="sqlite")
        connection = await db.get_connection()
        healthy = False
        try:
            connection.row_factory = None
            rows = await connection.execute_fetchall(sql, values)
            healthy = True
            return list(rows)
        finally:
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await db.release(connection, healthy=healthy)
    return [tuple(row.values()) for row in await db.run_querystring(querystring)]
