"""Apply the migrations in migrations/ (safe to run twice) and report what is pending."""

from __future__ import annotations

import contextlib
import io

from center.config import Settings
from center.db import bind, make_engine


async def migrate(settings: Settings, quiet: bool = False) -> None:
    """Apply every migration not yet applied to the database named by settings."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    bind(make_engine(settings))
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="center", migration_id="all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}\n{out.getvalue()}")
