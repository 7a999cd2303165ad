"""Small in-process caches for what the public reads (screens, the hours API).

Every write that a public page may show goes through `audit.record`, which calls `changed()`: outside a
transaction that bumps `generation()` at once; inside a write transaction it bumps it once the transaction has
committed (center.db.write_transaction), so that an answer computed from the data as it was before the commit is
never kept under the new generation (issue #11, finding 11). A transaction that records no audit row (a login
attempt, a meal at a terminal) leaves the caches alone: no public page shows it. Writes made by another process
(a second web worker, the scheduler's rotation) reach the cache when its minute turns, which is as fresh as a
screen polling every 30 s can show anyway.

A value is computed once however many ask for it at the same time (single flight): at the minute's turn, 128
waiting screens cost one computation, not 128.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Hashable

from center.timeutil import local_now

_generation = 0


def generation() -> int:
    return _generation


def bump() -> None:
    global _generation
    _generation += 1


# Inside a write transaction: a one-element list that `changed()` sets, read when the transaction commits.
_pending: ContextVar[list[bool] | None] = ContextVar("center_cache_pending", default=None)


def changed() -> None:
    """Something a public page may show was written: drop the caches now, or when the write transaction commits."""
    pending = _pending.get()
    if pending is None:
        bump()
    else:
        pending[0] = True


def watch_transaction() -> tuple[list[bool], Any]:
    """Start collecting `changed()` calls for a write transaction: (the flag, the token to reset with)."""
    flag = [False]
    return flag, _pending.set(flag)


def end_transaction(flag: list[bool], token: Any, *, committed: bool) -> None:
    _pending.reset(token)
    if committed and flag[0]:
        bump()


class MinuteCache:
    """Values keyed by (key, the local minute, the write generation); at most `size` entries, oldest dropped."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        # (full key, event loop) -> the computation under way; the others asking await the same future.
        self._flights: dict[tuple[Hashable, asyncio.AbstractEventLoop], asyncio.Future] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        full = (key, local_now().strftime("%Y%m%d%H%M"), _generation)
        try:
            return self._entries[full]
        except KeyError:
            pass
        flight_key = (full, asyncio.get_running_loop())
        flight = self._flights.get(flight_key)
        if flight is not None:
            return await asyncio.shield(flight)
        flight = asyncio.get_running_loop().create_future()
        self._flights[flight_key] = flight
        try:
            value = await compute()
        except BaseException as exc:
            if not flight.done():
                flight.set_exception(exc)
                flight.exception()  # retrieved: those waiting re-raise it, nobody logs it as never retrieved
            raise
        else:
            flight.set_result(value)
            if full[2] == _generation:  # a write since the start: this value may be from before it, do not keep
                self._entries[full] = value
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return value
        finally:
            self._flights.pop(flight_key, None)

    def clear(self) -> None:
        self._entries.clear()
