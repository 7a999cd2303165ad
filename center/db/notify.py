"""Events every web process must hear (a call in the hall): PostgreSQL's LISTEN/NOTIFY, or one process's own fan-out.

    db.notify.subscribe(callback)      # once per process, in the app's lifespan: callback(payload: str)
    await db.notify.publish(payload)   # after the write that the event tells of has committed

On PostgreSQL, publish() is `pg_notify` on the bound engine, and each process holds one dedicated connection from
the same engine that LISTENs and hands every payload to its subscribers: the database is the broker, as it already
is for everything else. On SQLite (one web process), publish() hands the payload to this process's subscribers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from center.db.engines import engine

CHANNEL = "center_events"
RECONNECT_SECONDS = 1.0
log = logging.getLogger("center.notify")

_subscribers: list[Callable[[str], None]] = []
_listener: asyncio.Task | None = None


def subscribe(callback: Callable[[str], None]) -> None:
    if callback not in _subscribers:
        _subscribers.append(callback)


def _deliver(payload: str) -> None:
    for callback in list(_subscribers):
        try:
            callback(payload)
        except Exception:  # one bad subscriber must not silence the others
            log.exception("an event subscriber failed")


async def publish(payload: str) -> None:
    current = engine()
    if isinstance(current, PostgresEngine):
        await current.run_querystring(QueryString("SELECT pg_notify({}, {})", CHANNEL, payload))
    else:
        _deliver(payload)


async def start() -> None:
    """Start listening (PostgreSQL only; SQLite needs nothing). Reconnects when the connection drops."""
    global _listener
    if isinstance(engine(), PostgresEngine) and _listener is None:
        ready = asyncio.Event()
        _listener = asyncio.create_task(_listen(ready))
        await asyncio.wait_for(ready.wait(), timeout=10)


async def stop() -> None:
    global _listener
    if _listener is not None:
        _listener.cancel()
        try:
            await _listener
        except (asyncio.CancelledError, Exception):
            pass
        _listener = None


async def _listen(ready: asyncio.Event) -> None:
    current = engine()
    assert isinstance(current, PostgresEngine)
    while True:
        connection = None
        try:
            connection = await current.get_new_connection()
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _c: lost.set())
            await connection.add_listener(CHANNEL, lambda _c, _pid, _channel, payload: _deliver(payload))
            ready.set()
            await lost.wait()
            log.warning("the LISTEN connection was lost; reconnecting")
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("LISTEN failed; retrying in %s s", RECONNECT_SECONDS, exc_info=True)
        finally:
            if connection is not None and not connection.is_closed():
                try:
                    await connection.close()
                except Exception:
                    pass
        await asyncio.sleep(RECONNECT_SECONDS)
