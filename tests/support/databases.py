"""Fresh test databases: a SQLite file, or a new PostgreSQL database on the TEST_DATABASE_URL server.

Running the migrations costs about 1.5 s a database on PostgreSQL (seconds more on a busy machine) and 0.3 s on
SQLite, and every test module gets a database of its own. So each test process migrates one database once, keeps it
as it is, and hands every module a copy of it: on PostgreSQL `CREATE DATABASE … TEMPLATE` (≈0.15 s), on SQLite a
copy of the file through SQLite's backup API. The copy is the migrated schema exactly (the migration table
included); the `settings` fixture still runs `migrate` on it, which finds nothing to do.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ENGINE = os.environ.get("CENTER_TEST_ENGINE", "sqlite")
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")

_migrated: dict[Path, str] = {}  # per temp folder: this process's migrated database, never used by a test


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


async def create_database(tmp_dir: Path, label: str) -> str:
    """A new empty database for one test module; returns its DATABASE_URL."""
    if ENGINE == "sqlite":
        path = tmp_dir / f"{label}-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}"
    name = f"center_t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _with_database(PG_URL, name)


async def _migrated_source(tmp_dir: Path, secret_key: str) -> str:
    """This process's migrated database (made on first use); nothing connects to it after the migrations."""
    if tmp_dir not in _migrated:
        from center.config import Settings
        from center.migrate import migrate

        url = await create_database(tmp_dir, "migrated_template")
        await migrate(Settings(database_url=url, secret_key=secret_key, demo=True, scheduler=False, db_pool=False,
                               var_dir=tmp_dir), quiet=True)
        if ENGINE == "sqlite":
            with sqlite3.connect(_sqlite_file(url)) as con:  # everything in the main file, nothing left in the WAL
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()
        _migrated[tmp_dir] = url
    return _migrated[tmp_dir]


async def create_migrated_database(tmp_dir: Path, label: str, secret_key: str) -> str:
    """A new database for one test module with every migration applied, copied from this process's migrated one."""
    source = await _migrated_source(tmp_dir, secret_key)
    if ENGINE == "sqlite":
        path = tmp_dir / f"{label}-{uuid.uuid4().hex[:8]}.db"
        src = sqlite3.connect(_sqlite_file(source))
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return f"sqlite:///{path}"
    name = f"center_t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_name(source)}"')
    finally:
        await conn.close()
    return _with_database(PG_URL, name)


async def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')
    finally:
        await conn.close()


async def drop_migrated_sources() -> None:
    """At the end of the process: the migrated PostgreSQL databases go (SQLite's files go with the temp folder)."""
    for url in _migrated.values():
        await drop_database(url)
    _migrated.clear()
