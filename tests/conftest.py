"""Fixtures: a fresh real database per test module (SQLite, or PostgreSQL with CENTER_TEST_ENGINE=postgres)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import tests.support.env as test_env  # noqa: I001  (must run before center is imported)

import pytest
from litestar.testing import AsyncTestClient

from center import db as center_db
from center.app import create_app
from center.config import Settings
from center.migrate import migrate
from center.timeutil import clock_offset, set_clock
from tests.factories import JOURNEY_NOW
from tests.support import passwords as test_passwords
from tests.support.databases import ENGINE, create_migrated_database, drop_database, drop_migrated_sources

test_passwords.install()  # argon2 once per distinct password and successful check (tests/support/passwords.py)


def pytest_report_header(config):
    return f"center test database engine: {ENGINE}"


def pytest_collection_modifyitems(config, items):
    if ENGINE != "sqlite":
        skip = pytest.mark.skip(reason="SQLite only")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)
    else:
        # Several web processes hear one event only through PostgreSQL (LISTEN/NOTIFY); SQLite runs one process.
        skip = pytest.mark.skip(reason="PostgreSQL only")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def tmp_root() -> Path:
    return test_env.TMP


@pytest.fixture(scope="session", autouse=True)
async def demo_templates():
    """The demo district loaded once per process for the modules that ask for it (tests/support/demo_template.py)."""
    from tests.support.demo_template import drop_templates

    yield
    await drop_templates()
    await drop_migrated_sources()


@pytest.fixture(scope="module")
async def settings(request, tmp_root) -> Settings:
    """A migrated, empty database of its own for each test module (a copy of one migrated once per process)."""
    label = re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])
    url = await create_migrated_database(tmp_root, label, test_env.SECRET_KEY)
    settings = Settings(
        database_url=url,
        secret_key=test_env.SECRET_KEY,
        demo=True,
        scheduler=False,
        db_pool=False,
        var_dir=tmp_root,
        base_url="http://testserver.local",  # the test clients' host (every absolute URL is built from it)
    )
    await migrate(settings, quiet=True)  # finds nothing to apply; binds the tables to this database
    yield settings
    await drop_database(url)


@pytest.fixture
async def db(settings) -> Settings:
    """The module's database, bound to the tables for this test."""
    center_db.bind(center_db.make_engine(settings))
    return settings


@pytest.fixture
async def demo_db(db) -> Settings:
    """The module's database with the demo district loaded (idempotent)."""
    from tests.factories import load_demo

    await load_demo(db)
    return db


@pytest.fixture
async def client(db):
    async with AsyncTestClient(app=create_app(db), base_url="http://testserver.local") as client:
        yield client


@pytest.fixture
def frozen_clock():
    """Freeze the process's clock: `frozen_clock(moment)` starts it at `moment` (aware; it runs on from there);
    the clock the test found comes back afterwards, whatever the test did."""
    before = clock_offset()

    def freeze(moment: datetime = JOURNEY_NOW) -> datetime:
        set_clock(moment)
        return moment

    yield freeze
    set_clock(datetime.now(timezone.utc) + before if before else None)


@pytest.fixture
async def demo_client(client, db):
    """A browser on the demo district, not logged in."""
    from tests.factories import load_demo

    await load_demo(db)
    return client


async def _logged_in(client, db, username: str):
    from center.config import DEMO_PASSWORD
    from tests.factories import load_demo, login

    await load_demo(db)
    assert (await login(client, username, DEMO_PASSWORD)).status_code == 302
    return client


@pytest.fixture
async def worker_client(client, db):
    """A browser logged in as the demo district's front-desk worker (`worker`)."""
    return await _logged_in(client, db, "worker")


@pytest.fixture
async def manager_client(client, db):
    """A browser logged in as the demo district's center manager (`manager`)."""
    return await _logged_in(client, db, "manager")


@pytest.fixture
async def admin_client(client, db):
    """A browser logged in as the demo district's administrator (`admin`)."""
    return await _logged_in(client, db, "admin")
