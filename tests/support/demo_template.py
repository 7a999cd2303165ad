"""The demo district, loaded once per test process and copied into each module's database that asks for it.

Loading the demo (500 seniors, a month of meals through the ledger, rosters, cases) takes seconds; some forty
modules each ask for it on both engines. The real `load_demo` runs once into a template database of its own; a
module whose database is still as migrations left it gets the template's rows copied in (on SQLite through
ATTACH, on PostgreSQL through COPY), then the in-process caches are dropped as the real load would. A database
that already holds anything gets the real, idempotent `load_demo`.

The copy is the same district the real load would make now: the template is keyed by the local date and by how
far today's meal windows have gone (the demo leaves out meals later than now), so it is rebuilt when either
moves on.
"""

from __future__ import annotations

import io
import sqlite3
from datetime import datetime
from pathlib import Path

import asyncpg

from center.config import Settings
from tests.support.databases import ENGINE, create_migrated_database, drop_database

_templates: dict[tuple, Settings] = {}
_MEAL_HOURS = (7, 11, 17)  # the demo's meals fall in these hours (center.demo.district._demo_dining)


def _key(settings: Settings) -> tuple:
    from center.timeutil import local_now

    now: datetime = local_now()
    minute = now.hour * 60 + now.minute
    windows = tuple(min(max(minute - hour * 60 + 1, 0), 60) for hour in _MEAL_HOURS)
    return ENGINE, now.date(), windows, settings.secret_key


# Tables the migrations themselves fill (the district's starting list of rating reasons): a fresh database and the
# template hold the same rows in them, so they say nothing about whether a database is pristine and are not copied.
SEEDED = frozenset({"rating_reason"})


def _tables() -> list[str]:
    from center.tables import ALL_TABLES

    # parents before children
    return [table._meta.tablename for table in ALL_TABLES if table._meta.tablename not in SEEDED]


def _sqlite_path(settings: Settings) -> str:
    return str(settings.sqlite_path)


def _pg_dsn(settings: Settings) -> str:
    return settings.database_url


async def _holds_rows(settings: Settings) -> bool:
    """Whether any table holds a row; tables are asked parents first (center), so a used database answers at once."""
    tables = _tables()
    if ENGINE == "sqlite":
        with sqlite3.connect(_sqlite_path(settings), timeout=30) as con:
            found = any(con.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables)
        con.close()
        return found
    con = await asyncpg.connect(_pg_dsn(settings))
    try:
        for table in tables:
            if await con.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")'):
                return True
        return False
    finally:
        await con.close()


async def _build(settings: Settings) -> Settings | None:
    """A migrated database with the demo loaded by the real `load_demo`; None when migrations seed a row in a
    table not known as SEEDED."""
    from center import db as center_db
    from center.migrate import migrate
    from center.demo.district import load_demo

    url = await create_migrated_database(Path(settings.var_dir), "demo_template", settings.secret_key)
    template = Settings(database_url=url, secret_key=settings.secret_key, demo=True, scheduler=False, db_pool=False,
                        var_dir=settings.var_dir)
    await migrate(template, quiet=True)
    if await _holds_rows(template):
        return None
    center_db.bind(center_db.make_engine(template))
    try:
        await load_demo(template)
    finally:
        center_db.bind(center_db.make_engine(settings))
    return template


async def _copy_sqlite(template: Settings, target: Settings) -> None:
    with sqlite3.connect(_sqlite_path(target), timeout=30) as con:
        con.execute("ATTACH DATABASE ? AS template", (_sqlite_path(template),))
        for table in _tables():
            con.execute(f'INSERT INTO main."{table}" SELECT * FROM template."{table}"')
    con.close()


async def _copy_postgres(template: Settings, target: Settings) -> None:
    source = await asyncpg.connect(_pg_dsn(template))
    sink = await asyncpg.connect(_pg_dsn(target))
    try:
        async with sink.transaction():
            # Rows arrive in table order; the append-only and foreign-key triggers stay out of a verbatim copy.
            await sink.execute("SET LOCAL session_replication_role = replica")
            for table in _tables():
                buffer = io.BytesIO()
                await source.copy_from_table(table, output=buffer, format="binary")
                buffer.seek(0)
                await sink.copy_to_table(table, source=buffer, format="binary")
                await sink.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), coalesce(max(id), 0) + 1, false) "
                    f'FROM "{table}"')
    finally:
        await source.close()
        await sink.close()


def _drop_caches() -> None:
    from center.services import cache, calendar, catalog

    catalog.invalidate()
    calendar.invalidate()
    cache.bump()


async def copy_demo_if_pristine(settings: Settings) -> bool:
    """Copy the demo into `settings`' database when it is as migrations left it; False when it is not."""
    if await _holds_rows(settings):
        return False
    key = _key(settings)
    if key not in _templates:
        _templates[key] = await _build(settings)
    template = _templates[key]
    if template is None:
        return False
    if ENGINE == "sqlite":
        await _copy_sqlite(template, settings)
    else:
        await _copy_postgres(template, settings)
    _drop_caches()
    return True


async def drop_templates() -> None:
    """At the end of the process: the PostgreSQL template databases go (SQLite's files go with the temp folder)."""
    for template in _templates.values():
        if template is not None:
            await drop_database(template.database_url)
    _templates.clear()
