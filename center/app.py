"""The Litestar application: create_app(settings) wires database, sessions, CSRF, templates, routes and scheduler."""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin

from center import db
from center.config import Settings, get_settings
from center.jobs import SchedulerHandle
from center.routes import ROUTES
from center.services.calendar import get_calendar
from center.timeutil import set_clock
from center.web.assets import Assets, static_handler
from center.web.auth import AuthMiddleware
from center.web.csrf import CSRFMiddleware
from center.web import public
from center.web.errors import EXCEPTION_HANDLERS
from center.web.render import template_config
from center.web.security import check_request, security_headers
from center.web.sessions import DatabaseStore, SessionConfig, session_cookie_name

GC_THRESHOLDS = (20_000, 20, 50)  # gen0, gen1, gen2 (defaults 700, 10, 10)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    if settings.clock is not None:
        set_clock(settings.clock)
    db.bind(db.make_engine(settings))
    scheduler = SchedulerHandle()
    assets = Assets()  # the fingerprinted static files, hashed once at start-up

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.start(settings)
        await db.notify.start()  # the hall's calls from every process (PostgreSQL LISTEN; nothing on SQLite)
        try:
            await get_calendar()  # warm the calendar so the layout's warning banner sees overrides at once
        except Exception:
            logging.getLogger("center").warning("calendar overrides could not be loaded at start")
        if settings.scheduler:
            scheduler.start()
        # Everything loaded so far lives as long as the process: keep it out of the collector's full passes,
        # and collect young objects less often (a page makes thousands; the default 700 made p99 pauses).
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            yield
        finally:
            await scheduler.stop()
            await db.notify.stop()
            await db.stop(settings)

    session_config = SessionConfig(
        store="sessions",
        key=session_cookie_name(settings.https),  # __Host-center_session over https
        max_age=settings.session_absolute_seconds,
        idle_seconds=settings.session_idle_seconds,
        secure=settings.https,
        httponly=True,
        samesite="lax",
        exclude=public.EXCLUDE,  # center.web.public: these carry no staff session
    )
    app = Litestar(
        route_handlers=[*ROUTES, static_handler(assets)],
        before_send=[security_headers(settings.https)],
        # HTML, CSS and JS travel gzipped (a page shrinks about 5×). Answers under 500 bytes (the terminal API's
        # meal answers, 304s) go as they are; workbooks are zip files and voice clips Ogg Vorbis already.
        compression_config=CompressionConfig(backend="gzip", gzip_compress_level=6, minimum_size=500,
                                             exclude=[r"\.xlsx$", r"\.(ogg|opus|wav)$"]),
        before_request=check_request,
        middleware=[
            session_config.middleware,
            DefineMiddleware(AuthMiddleware, exclude=public.EXCLUDE),
            # Every unsafe request carries its own session's token (center.web.csrf); after auth, so a refused
            # request still shows the staff layout, and one without a login still goes to the login page.
            CSRFMiddleware(),
        ],
        stores={"sessions": DatabaseStore()},
        template_config=template_config(assets),
        plugins=[HTMXPlugin()],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="center API", version="1", path="/schema", render_plugins=[JsonRenderPlugin()],
            components=Components(security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", description="canteen terminal token")}),
        ),
        debug=False,
        logging_config=None,
    )
    app.state.settings = settings
    app.state.scheduler = scheduler
    app.state.assets = assets
    logging.getLogger("center").setLevel(logging.INFO)
    return app
