"""Every in-process cache of the application, in one room: what the public reads (hall screens, the hours API),
the working-day calendar and the catalog's search index.

Why caches at all: 128 hall screens polling every 30 s, and a worker's every keystroke in the counter's search,
would otherwise each cost the same queries and the same rendering. Every cache here is a `Cache`: values kept
for a window of the clock (`seconds`, aligned to the clock, so a minute's cache turns with the minute), at most
`maxsize` of them (cachetools' LRU drops the oldest), and dropped after any write that concerns them.

Dropped after commit: every write that a public page may show goes through `audit.record`, which calls
`changed()`; the calendar and the catalog call their own cache's `changed()`. Outside a transaction that drops
the values at once; inside a write transaction it drops them once the transaction has committed
(center.db.write_transaction), so that an answer computed from the data as it was before the commit is never kept
after it (issue #11, finding 11). A transaction that records no audit row (a login attempt, a meal at a terminal)
leaves the public caches alone: no public page shows it. Writes made by another process (a second web worker, the
scheduler's rotation) reach a cache when its window turns, which is as fresh as a screen polling every 30 s can
show anyway.

A value is computed once however many ask for it at the same time (single flight): at the minute's turn, 128
waiting screens cost one computation, not 128.

The clock is center.timeutil's, like everywhere else (CENTER_CLOCK moves the windows too).
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Awaitable, Callable, Hashable

from cachetools import LRUCache

from center.timeutil import utcnow

# The generation of what the public pages show: bumped after each committed audited write (`changed()`).
_generation = 0


def generation() -> int:
    return _generation


def bump() -> None:
    global _generation
    _generation += 1


class Cache:
    """Values by (key, the clock's window, the write generation), computed once however many ask at once."""

    def __init__(self, *, seconds: int = 60, maxsize: int = 512, public: bool = True) -> None:
        # public: dropped by every audited write (`changed()`); otherwise only by its own `changed()`.
        self.seconds = seconds
        self.public = public
        self._own = 0
        self._entries: LRUCache = LRUCache(maxsize=maxsize)
        # key -> (generation, the value last computed), for `latest` (a sync read of what is there).
        self._latest: dict[Hashable, tuple[tuple[int, int], Any]] = {}
        # (full key, event loop) -> the computation under way; the others asking await the same future.
        self._flights: dict[tuple[Hashable, asyncio.AbstractEventLoop], asyncio.Future] = {}

    def _generation(self) -> tuple[int, int]:
        return (_generation if self.public else 0, self._own)

    def _window(self) -> int:
        return int(utcnow().timestamp()) // self.seconds

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        generation = self._generation()
        full = (key, self._window(), generation)
        try:
            return self._entries[full]
        except KeyError:
            pass
        loop = asyncio.get_running_loop()
        flight_key = (full, loop)
        flight = self._flights.get(flight_key)
        if flight is not None:
            return await asyncio.shield(flight)
        flight = self._flights[flight_key] = loop.create_future()
        try:
            value = await compute()
        except BaseException as exc:
            if not flight.done():
                flight.set_exception(exc)
                flight.exception()  # retrieved: those waiting re-raise it, nobody logs it as never retrieved
            raise
        else:
            flight.set_result(value)
            if generation == self._generation():  # a write since the start: this value may be from before it
                self._entries[full] = value
                self._latest[key] = (generation, value)
            return value
        finally:
            self._flights.pop(flight_key, None)

    def latest(self, key: Hashable, default: Any = None) -> Any:
        """The value last computed for `key`, however old its window, unless a write has dropped it since."""
        found = self._latest.get(key)
        return found[1] if found is not None and found[0] == self._generation() else default

    def changed(self) -> None:
        """What this cache holds was written: drop it now, or when the write transaction commits."""
        _changed(self)

    def drop(self) -> None:
        """Drop everything now (whatever transaction is open)."""
        self._own += 1
        self._entries.clear()
        self._latest.clear()


class FirstSeen:
    """When each version of a page (its ETag) was first served: "数据更新于" is when the content last changed."""

    def __init__(self, per_key: int = 64) -> None:
        self.per_key = per_key
        self._seen: dict[Hashable, dict[str, datetime]] = {}

    def note(self, key: Hashable, etag: str, moment: datetime) -> None:
        seen = self._seen.setdefault(key, {})
        if etag not in seen:
            if len(seen) > self.per_key:
                seen.clear()
            seen[etag] = moment

    def get(self, key: Hashable, etag: str, default: datetime) -> datetime:
        return self._seen.get(key, {}).get(etag, default)


# Inside a write transaction: what `changed()` was called for (None: the public caches), applied at commit.
_pending: ContextVar[set[Cache | None] | None] = ContextVar("center_cache_pending", default=None)


def _apply(changes: set[Cache | None]) -> None:
    for cache in changes:
        if cache is None:
            bump()
        else:
            cache.drop()


def _changed(cache: Cache | None) -> None:
    pending = _pending.get()
    if pending is None:
        _apply({cache})
    else:
        pending.add(cache)


def changed() -> None:
    """Something a public page may show was written: drop the public caches now, or when the write transaction
    commits."""
    _changed(None)


def watch_transaction() -> tuple[set[Cache | None], Any]:
    """Start collecting `changed()` calls for a write transaction: (what changed, the token to reset with)."""
    changes: set[Cache | None] = set()
    return changes, _pending.set(changes)


def end_transaction(changes: set[Cache | None], token: Any, *, committed: bool) -> None:
    _pending.reset(token)
    if committed:
        _apply(changes)


# The caches. Public ones (dropped at every audited write) first.
# The hall screen, (slug, ?at=) -> (etag, model), and its rendered bytes, (slug, ?at=, block, etag) -> body: every
# screen of a hall gets the same bytes, so the template is rendered once a minute, not once a request (issue #11,
# finding 12).
screen_models = Cache(seconds=60)
screen_bodies = Cache(seconds=60)
screen_versions = FirstSeen()
# GET /api/v1/centers/{slug}/hours, (slug, day) -> the answer.
api_hours = Cache(seconds=60)
# The working-day calendar (notices and overrides), per database engine: other processes' changes are seen
# within the minute; this process's own at once.
calendar = Cache(seconds=60, maxsize=4, public=False)
# The hall's day at the door, (center, local minute) -> HallDay (dropped at every audited write: a roster published,
# hours changed), and a queue's measured serving time, queue -> minutes (it moves slowly: within the minute): both
# read for every ticket taken.
hall_days = Cache(seconds=60, maxsize=256)
serving_times = Cache(seconds=60, maxsize=1024, public=False)
# The catalog's search index (what the counter searches as the worker types), per database engine.
catalog_index = Cache(seconds=30, maxsize=4, public=False)
