"""Small in-process caches for what the public reads (screens, the hours API).

Every write in this app goes through `audit.record`, which bumps `generation()`: a cached answer keyed by the
generation is dropped at the next write in this process. Writes made by another process (a second web worker,
the scheduler's rotation) reach the cache when its minute turns, which is as fresh as a screen polling every
30 s can show anyway.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Awaitable, Callable, Hashable

from center.timeutil import local_now

_generation = 0


def generation() -> int:
    return _generation


def bump() -> None:
    global _generation
    _generation += 1


class MinuteCache:
    """Values keyed by (key, the local minute, the write generation); at most `size` entries, oldest dropped."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        full = (key, local_now().strftime("%Y%m%d%H%M"), _generation)
        try:
            return self._entries[full]
        except KeyError:
            pass
        value = await compute()
        self._entries[full] = value
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries.clear()
