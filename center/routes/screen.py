"""The public screen (/screen/{slug}): a TV in the hall and residents' phones; polls every 30 s, answers 304, and
hears the hall's calls at once on /screen/{slug}/events (server-sent events)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import datetime, timedelta
from typing import AsyncIterator

from jinja2_fragments import render_block
from litestar import Controller, MediaType, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from center.domain.periods import moment_param
from center.services import cache, rating_stats
from center.services.hall import tickets as hall_tickets
from center.services.hall.events import HALL, HallEvent
from center.services.hours import center_by_slug, screen_model
from center.timeutil import LOCAL_TZ, clock_offset, local_now
from center.web.render import VARY, layout_context, target_block

TEMPLATE = "screen/index.html"


def _moment(at: str) -> datetime:
    """Now, or a moment asked for within ±60 days (previews and tests): ?at=2026-11-28T10:00."""
    now = local_now()
    if at:
        try:
            asked = datetime.fromisoformat(at)
            asked = asked.replace(tzinfo=LOCAL_TZ) if asked.tzinfo is None else asked.astimezone(LOCAL_TZ)
            if abs(asked - now) <= timedelta(days=60):
                return asked
        except ValueError:
            pass
    return now


def clock_offset_ms() -> int:
    """How far the server's clock runs ahead of real time (CENTER_CLOCK in demo mode; 0 otherwise). The screen's
    clock adds it to the TV's own time, so a demo's screen shows the demo's hour like everything else on it."""
    return round(clock_offset().total_seconds() * 1000)


async def _cached_model(slug: str, at: str) -> tuple[str, dict]:
    """All the screens of a hall cost one computation a minute (services/cache.py: dropped at any write here)."""
    return await cache.screen_models.get((slug, at), lambda: _compute_model(slug, at))


async def _compute_model(slug: str, at: str) -> tuple[str, dict]:
    moment = _moment(at)
    model = await screen_model(slug, moment)
    model["hall"] = call_panel(await hall_tickets.hall_state(slug))
    # 本月满意率, when the center shows it: part of the content, so a rating (an audited write) changes the ETag.
    model["satisfaction"] = await rating_stats.screen_satisfaction(slug, moment)
    content = {k: v for k, v in model.items() if k != "moment"}
    etag = hashlib.sha1(json.dumps(content, default=str, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
    cache.screen_versions.note(slug, etag, moment)
    return etag, model


SHOWN_CALLS = 5  # the last calls under the current one
KEEPALIVE_SECONDS = 15  # a comment down an idle stream: proxies keep it open, a dead TV is noticed
STREAM_RETRY_MS = 3000  # the browser reconnects this soon after the stream drops (the page keeps its content)


def call_panel(state: dict) -> dict:
    """The call panel: the latest call large, the ones before it, the number waiting per queue. Ticket numbers and
    window numbers only: nothing personal."""
    calls = state["calls"]
    current = calls[0] if calls else None
    last, seen = [], {current["ticket_no"]} if current else set()
    for call in calls[1:]:  # a recall is not a second line: each ticket once, at its latest call
        if call["ticket_no"] not in seen:
            seen.add(call["ticket_no"])
            last.append(call)
    return {"queues": state["queues"], "current": current, "last": last[:SHOWN_CALLS]}


class _Renders:
    """One render of the call panel per hall event in this process, shared by every open stream of the center."""

    def __init__(self) -> None:
        self._tasks: dict[tuple[str, int], asyncio.Task[str]] = {}

    def get(self, request: Request, event: HallEvent) -> asyncio.Task[str]:
        key = (event.slug, event.seq)
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = asyncio.ensure_future(_render_panel(request, event.slug))
            for old in [k for k in self._tasks if k[0] == event.slug and k[1] < event.seq - 8]:
                self._tasks.pop(old, None)
        return task


RENDERS = _Renders()


async def _render_panel(request: Request, slug: str) -> str:
    context = {"hall": call_panel(await hall_tickets.hall_state(slug)), "center": {"slug": slug}, "request": request}
    html = render_block(request.app.template_engine.engine, TEMPLATE, "call_panel", context)
    return " ".join(html.split("\n"))  # one SSE data line


class ScreenController(Controller):
    path = "/screen"
    include_in_schema = False

    @get("/{slug:str}", name="screen:show")
    async def show_screen(self, request: Request, slug: FromPath[str], at: FromQuery[str] = "") -> Response:
        moment_param(at, "预览时间")  # a wrong ?at= is told (422); one beyond ±60 days shows now (_moment)
        block = target_block(request, TEMPLATE)
        etag, model = await _cached_model(slug, at[:40])
        # One validator per block: the browser keeps one cached answer per address, and a 304 to the call panel's
        # poll must never let it reuse the whole body's answer (or the page's) in the panel's place.
        tag = f'"{block or "page"}-{etag}"'
        headers = {"ETag": tag, "Cache-Control": "no-cache", "Vary": "HX-Request, HX-Target"}
        if request.headers.get("if-none-match") == tag:
            return Response(b"", status_code=304, headers=headers)
        body = await cache.screen_bodies.get((slug, at[:40], block, etag), lambda: _render(request, slug, block, model, at[:40], etag))
        return Response(body, media_type=MediaType.HTML, headers={"Vary": VARY, **headers})


    @get("/{slug:str}/events", name="screen:events")
    async def hall_events(self, request: Request, slug: FromPath[str]) -> ServerSentEvent:
        """The hall's calls as they happen: `hall` events carry the call panel's HTML (htmx's sse extension swaps
        it in, screen.js speaks a new call). Unknown centers are a 404 before the stream opens."""
        await center_by_slug(slug)
        return ServerSentEvent(_stream(request, slug), retry_duration=STREAM_RETRY_MS,
                               headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _stream(request: Request, slug: str) -> AsyncIterator[ServerSentEventMessage]:
    stream = HALL.open(slug)
    try:
        yield ServerSentEventMessage(comment="connected")
        while True:
            try:
                event = await asyncio.wait_for(stream.get(), timeout=KEEPALIVE_SECONDS)
            except asyncio.TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            while not stream.empty():  # several events queued: the latest panel says it all
                event = stream.get_nowait()
            html = await RENDERS.get(request, event)
            yield ServerSentEventMessage(event="hall", data=html, id=event.seq)
    finally:
        HALL.close(slug, stream)


async def _render(request: Request, slug: str, block: str | None, model: dict, at: str, etag: str) -> bytes:
    """The page or the block htmx asks for. Nothing in it depends on who asks: a public page has no user, no
    session and no CSRF token, so the bytes can be shared."""
    context = {**layout_context(request), **model, "at": at, "request": request,  # url_for reads the app
               "updated_at": cache.screen_versions.get(slug, etag, model["moment"]),
               "clock_offset_ms": clock_offset_ms()}
    env = request.app.template_engine.engine
    if block:
        return render_block(env, TEMPLATE, block, context).encode()
    return env.get_template(TEMPLATE).render(context).encode()
