"""The data layer's machinery: engines, write transactions, statements compiled once; `from center import db`.

    db.bind(db.make_engine(settings))         # once per process (app lifespan, CLI, tests)
    async with db.write_transaction(): ...    # any read-then-write work
    async with db.point_write(): ...          # a write of a few statements on rows found by key (a meal, a case)
    await statements.USER_BY_ID.first(user_id=3)   # from center.db import statements: the hot statements

Everything below exists for a figure, measured by `make bench` on 2 cores when the piece came in; absolute figures
move between machines, so the lasting ones are the ratios to the ceilings measured in the same run
(bench/results/latest.json).

- The connection pool (engines.PooledSQLiteEngine). Piccolo's SQLiteEngine opens a connection and a thread
  for each query outside a transaction, about 1.7 ms a query (against 0.7 ms on an open connection); the pool
  keeps them open.
- One write lock per process (transactions): SQLite has one writer; 50 concurrent read-check-write tasks took
  about 2 s polling the busy handler with BEGIN IMMEDIATE alone, about 0.2 s queued behind an asyncio.Lock.
- Statements compiled once (prepared.Prepared, statements): building a Piccolo select with joins costs more
  than SQLite takes to run it. Compiling the session, user and sidebar reads took the counter page from about
  200 to 550 requests/s at 32 clients.
- Those reads on the event loop's own SQLite connection (engines.PooledSQLiteEngine.run_inline), without the
  hand-off to a connection thread: the counter page went to about 1,450 requests/s, 37 % of the bare-Litestar
  ceiling against a target of 25 %, which the 550 of compiling alone would miss (34 % in issue #12's run).
- point_write(): on SQLite the few statements of a meal or a case transition run on the loop's own connection
  too, and wait for another process's write lock on a connection thread instead (never blocking the loop).
  With the meal path's statements compiled, the terminal API posts 1,026 meals/s at 32 terminals, 33 % of raw
  sqlite3 doing the same transaction against a target of 20 % (29 % in issue #12's run). Re-measured for issue #12, one meal at
  a time on tmpfs on a loaded machine: 510-790 meals/s inline, 230 through the connection thread. Since the loop
  serves nobody meanwhile, a point write of more than POINT_WRITE_MAX_STATEMENTS statements raises
  PointWriteTooLong (on SQLite, in every test run): no caller needs to know the rule. On PostgreSQL
  point_write() is write_transaction().
- fetch_tuples(): the one raw reader, tuples instead of dicts, for the year's figures over tens of thousands of
  cases: the district's year page at N=20 took about 270 ms when it came in, against a target of 300 ms, and
  misses it since (336 ms, then 586 ms on issue #12's slower machine); Piccolo's dict rows cost more than the
  query there.

Pins: these parts touch Piccolo's and aiosqlite's private attributes (Query._process_results, QueryString.bundle,
SQLiteTransaction's fields, aiosqlite's worker thread), so both are pinned exactly in pyproject.toml and
tests/db/test_db_pins.py says what to re-check when an upgrade moves them.
"""

from center.db.engines import (
    SQLITE_BUSY_TIMEOUT_MS,
    PooledSQLiteEngine,
    bind,
    bound,
    engine,
    is_sqlite,
    make_engine,
    ping,
    start,
    stop,
)
from center.db import notify
from center.db.prepared import Param, Prepared, fetch_tuples
from center.db.transactions import (POINT_WRITE_MAX_STATEMENTS, PointWriteTooLong, in_transaction, point_write,
                                    write_transaction)

__all__ = [
    "POINT_WRITE_MAX_STATEMENTS", "SQLITE_BUSY_TIMEOUT_MS", "Param", "PointWriteTooLong", "PooledSQLiteEngine",
    "Prepared", "bind", "bound", "engine", "fetch_tuples", "in_transaction", "is_sqlite", "make_engine", "notify", "ping",
    "point_write", "start", "stop", "write_transaction",
]
