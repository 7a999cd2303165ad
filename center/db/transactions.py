"""Write transactions: `write_transaction()` for any read-then-write work, `point_write()` for a write of a few
statements, which SQLite may run on the event loop's own connection (why: the docstring of center.db)."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from contextlib import asynccontextmanager
from typing import AsyncIterator

from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

from center.db.engines import INLINE_BUSY_MS, PooledSQLiteEngine, engine

# The most statements a point write may run. The meal path, the heaviest, runs about a dozen; a loop over rows
# would pass this at once, in the tests, and belongs in write_transaction().
POINT_WRITE_MAX_STATEMENTS = 50


class PointWriteTooLong(RuntimeError):
    """A point_write() ran more statements than POINT_WRITE_MAX_STATEMENTS (it is rolled back)."""


# One asyncio.Lock per event loop: SQLite allows one writer, and queueing writers in-process is far cheaper than
# letting them poll the busy handler (measured: 50 concurrent writers on one row took ~0.2 s queued this way, ~2 s with BEGIN IMMEDIATE alone).
_write_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()


def _write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _write_locks.get(loop)
    if lock is None:
        lock = _write_locks[loop] = asyncio.Lock()
    return lock


def in_transaction() -> bool:
    """Whether this task is inside a transaction already (its statements commit with it)."""
    return engine().current_transaction.get() is not None


@asynccontextmanager
async def write_transaction() -> AsyncIterator[object]:
    """A transaction for read-then-write work: BEGIN IMMEDIATE on SQLite (behind this process's write lock), a
    plain one on PostgreSQL. Opening it inside another transaction is a bug (the outer one's type would win)."""
    async with _guarded(point=False) as tx:
        yield tx


@asynccontextmanager
async def point_write() -> AsyncIterator[object]:
    """A write transaction of a few statements on rows found by key (a meal, a case transition), with the same
    guarantees as write_transaction(). On SQLite, where it may run on the event loop, more than
    POINT_WRITE_MAX_STATEMENTS statements raise PointWriteTooLong and roll it back: the caller never has to know
    that the loop waits meanwhile, the tests say so. On PostgreSQL it is write_transaction()."""
    async with _guarded(point=True) as tx:
        yield tx


@asynccontextmanager
async def _guarded(*, point: bool) -> AsyncIterator[object]:
    from center.services import cache  # the services import center.db; the cache itself imports no database

    db = engine()
    if db.current_transaction.get() is not None:
        raise RuntimeError("write_transaction() opened inside another transaction")
    # What the public caches computed while this runs is from before it: an audited write drops them at commit.
    flag, token = cache.watch_transaction()
    try:
        async with _transaction(db, point) as tx:
            yield tx
    except BaseException:
        cache.end_transaction(flag, token, committed=False)
        raise
    cache.end_transaction(flag, token, committed=True)


@asynccontextmanager
async def _transaction(db, point: bool) -> AsyncIterator[object]:
    if not isinstance(db, SQLiteEngine):
        async with db.transaction() as tx:
            yield tx
        return
    async with _write_lock():
        tx = None
        if point and isinstance(db, PooledSQLiteEngine):
            try:
                tx = await _InlineTransaction(engine=db, transaction_type=TransactionType.immediate).__aenter__()
            except _Busy:
                tx = None  # another process writes: wait for it on a connection thread
        if tx is None:
            async with db.transaction(transaction_type=TransactionType.immediate) as tx:
                if point:
                    tx.on_statement = _budget()
                yield tx
            return
        tx.on_statement = _budget()
        try:
            yield tx
        except BaseException as exc:
            await tx.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        await tx.__aexit__(None, None, None)


def _budget():
    left = POINT_WRITE_MAX_STATEMENTS

    def count() -> None:
        nonlocal left
        left -= 1
        if left < 0:
            raise PointWriteTooLong(f"point_write() ran more than {POINT_WRITE_MAX_STATEMENTS} statements: "
                                    "use write_transaction() for work over many rows")
    return count


class _Busy(Exception):
    """Another process holds SQLite's write lock: wait for it off the event loop instead."""


class _InlineTransaction(SQLiteTransaction):
    """A short write transaction on the event loop's own connection: no hand-off to a connection thread for each
    statement. It never waits for the write lock on the loop (busy_timeout 0 at BEGIN): when another process
    holds it, `_Busy` sends the caller to the threaded transaction, which waits without blocking the loop."""

    on_statement = None

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
