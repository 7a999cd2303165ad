"""Fresh test databases: a SQLite file, or a new PostgreSQL database on the TEST_DATABASE_URL server."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ENGINE = os.environ.get("CENTER_TEST_ENGINE", "sqlite")
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


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


async def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
