"""Piccolo and aiosqlite are the versions pyproject.toml pins, and the private parts center/db touches are there.

When one of these fails after an upgrade: read center/db/engines.py, transactions.py and prepared.py against the
new release (each private attribute named below is used there), run tests/db, tests/faults and `make bench`,
then move the pin in pyproject.toml."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

import aiosqlite
import pytest
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, dict_factory
from piccolo.query.base import Query
from piccolo.querystring import Fragment, QueryString

from center.config import REPO_ROOT
from center.db import Param
from center.tables import Staff

RECHECK = ("center/db touches its private parts: re-check center/db/engines.py, transactions.py and prepared.py "
           "against the installed release, run tests/db, tests/faults and make bench, then update the pin in "
           "pyproject.toml")


def _pins() -> dict[str, str]:
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for line in dependencies:
        found = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^;\s]+)", line.strip())
        if found:
            pins[found[1].lower()] = found[2]
    return pins


@pytest.mark.parametrize("package", ["piccolo", "aiosqlite"])
def test_the_installed_version_is_the_pinned_one(package):
    pinned = _pins().get(package)
    assert pinned, f"pyproject.toml must pin {package} exactly (==): {RECHECK}"
    installed = importlib.metadata.version(package)
    assert installed == pinned, f"{package} {installed} is installed but pyproject.toml pins {pinned}: {RECHECK}"


@pytest.mark.parametrize(("owner", "attribute"), [
    (Query, "_process_results"),  # prepared.Prepared.rows: raw rows to Piccolo's answer
    (QueryString, "bundle"),  # prepared.Prepared._compile: the query's fragments and arguments
    (SQLiteEngine, "_run_in_new_connection"),  # engines.PooledSQLiteEngine overrides both
    (SQLiteEngine, "_run_in_existing_connection"),
    (SQLiteEngine, "transform_response_to_dicts"),
    (aiosqlite.Connection, "execute_fetchall"),
])
def test_the_private_parts_center_db_touches_are_there(owner, attribute):
    assert callable(getattr(owner, attribute, None)), f"{owner.__qualname__}.{attribute} is gone: {RECHECK}"


def test_the_transaction_and_connection_fields_center_db_touches_are_there():
    # transactions._InlineTransaction and engines._PooledTransaction set and read these.
    slots = set(SQLiteTransaction.__slots__)
    for field in ("engine", "context", "connection", "transaction_type", "_parent", "_committed", "_rolled_back"):
        assert field in slots, f"SQLiteTransaction.{field} is gone: {RECHECK}"
    assert set(Fragment.__dataclass_fields__) >= {"prefix", "no_arg"}, f"piccolo.querystring.Fragment changed: {RECHECK}"
    assert callable(dict_factory), RECHECK
    # engines.PooledSQLiteEngine._open marks aiosqlite's worker thread as a daemon.
    connection = aiosqlite.connect(":memory:")
    assert hasattr(connection, "_thread"), f"aiosqlite.Connection._thread is gone: {RECHECK}"


def test_piccolo_keeps_a_placeholder_among_the_arguments():
    """What prepared.Prepared relies on: a value Piccolo does not know goes through a where clause untouched."""
    center, user = Param("center"), Param("user_id")
    query = Staff.select(Staff.id).where((Staff.center == center) & (Staff.id == user))
    _, args = query.querystrings[0].compile_string(engine_type="sqlite")
    assert [arg for arg in args if isinstance(arg, Param)] == [center, user], RECHECK
