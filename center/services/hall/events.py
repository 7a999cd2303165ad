"""The hall's events fanned out to the screens and ticket pages open in this process.

A write (a ticket taken, a call, a recall...) ends with `await events.publish(slug, kind)`; center.db.notify carries
it to every web process (PostgreSQL LISTEN/NOTIFY, or this process alone on SQLite), and each process hands it to
its own subscribers: one asyncio queue per open event stream.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass

from center.db import notify
from center.services import cache


@dataclass(frozen=True)
class HallEvent:
    slug: str
    kind: str  # "call" (a call or recall: the screens redraw their call panel and speak) | "queue" (counts moved)
    seq: int  # this process's running number of events for the slug (a render is shared by every stream)


QUEUE_SIZE = 32  # a stream that falls this far behind loses its oldest events (the panel is redrawn whole anyway)


class Hall:
    """The open event streams of this process, per center slug."""

    def __init__(self) -> None:
        self._streams: dict[str, set[asyncio.Queue[HallEvent]]] = defaultdict(set)
        self._seq: dict[str, int] = defaultdict(int)

    def open(self, slug: str) -> asyncio.Queue[HallEvent]:
        stream: asyncio.Queue[HallEvent] = asyncio.Queue(QUEUE_SIZE)
        self._streams[slug].add(stream)
        return stream

    def close(self, slug: str, stream: asyncio.Queue[HallEvent]) -> None:
        self._streams[slug].discard(stream)
        if not self._streams[slug]:
            self._streams.pop(slug, None)

    def listeners(self, slug: str) -> int:
        return len(self._streams.get(slug, ()))

    def deliver(self, payload: str) -> None:
        try:
            message = json.loads(payload)
            slug, kind = str(message["slug"]), str(message["kind"])
        except (ValueError, KeyError, TypeError):
            return
        # Another process's write did not drop this process's screen caches: the screen's poll must not answer
        # from before the call. (Only the screen's: a ticket taken changes nothing else the public reads.)
        cache.screen_models.drop()
        cache.screen_bodies.drop()
        self._seq[slug] += 1
        event = HallEvent(slug, kind, self._seq[slug])
        for stream in list(self._streams.get(slug, ())):
            if stream.full():
                try:
                    stream.get_nowait()
                except asyncio.QueueEmpty:
                    pass
            stream.put_nowait(event)


HALL = Hall()
notify.subscribe(HALL.deliver)


async def publish(slug: str, kind: str) -> None:
    """Tell every screen of the center (in every process) that something changed; after the write committed."""
    await notify.publish(json.dumps({"slug": slug, "kind": kind}))
