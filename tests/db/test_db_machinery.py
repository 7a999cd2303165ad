"""center.db on a real database: statements with named placeholders, point writes that stay points, and
Piccolo's configuration following the bound engine."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from piccolo.engine.finder import engine_finder

from center import db as center_db
from center.config import REPO_ROOT
from center.db import Param, Prepared
from center.tables import Center, Staff
from tests.factories import make_center

_CENTER_BY_SLUG = Prepared(lambda slug, kind: Center.select(Center.id, Center.name).where(
    (Center.slug == slug) & (Center.kind == kind)))


async def test_a_statement_runs_with_the_values_it_is_given(db):
    first, second = await make_center(slug="pa"), await make_center(slug="pb")
    assert await _CENTER_BY_SLUG.first(slug="pa", kind="center") == {"id": first["id"], "name": first["name"]}
    assert await _CENTER_BY_SLUG.first(slug="pb", kind="center") == {"id": second["id"], "name": second["name"]}
    assert await _CENTER_BY_SLUG.rows(slug="pb", kind="station") == []


async def test_a_value_looking_like_anything_is_only_a_value(db):
    # No sample values: a slug that a sentinel-based compiler would have taken for a placeholder is just data.
    await make_center(slug="~sample-slug~")
    assert await _CENTER_BY_SLUG.first(slug="~sample-slug~", kind="center") is not None
    assert await _CENTER_BY_SLUG.first(slug="-7000001", kind="center") is None


async def test_the_names_given_choose_the_parameters(db):
    def build(center, role=None):
        query = Staff.select(Staff.id).where(Staff.center == center)
        return query.where(Staff.role == role) if role is not None else query

    assert Prepared(build).names == ("center", "role")
    assert Prepared(build, "center").names == ("center",)
    sql, args = Prepared(build, "center").bound("sqlite", center=7)
    assert args == [7] and "role" not in sql


async def test_a_placeholder_piccolo_does_not_keep_is_refused_by_name(db):
    lost = Prepared(lambda slug: Center.select(Center.id).where(Center.slug == "fixed"), "slug")
    with pytest.raises(ValueError, match="slug"):
        await lost.rows(slug="x")


@pytest.mark.sqlite_only  # counted where it matters: on SQLite a point write may run on the event loop
async def test_a_point_write_of_too_many_statements_is_refused_and_rolled_back(db):
    before = await Center.count()
    with pytest.raises(center_db.PointWriteTooLong):
        async with center_db.point_write():
            await make_center()
            for _ in range(center_db.POINT_WRITE_MAX_STATEMENTS):
                await Center.count()
    assert await Center.count() == before


async def test_a_point_write_of_a_few_statements_commits(db):
    async with center_db.point_write():
        made = await make_center()
        assert await Center.exists().where(Center.id == made["id"])
    assert await Center.exists().where(Center.id == made["id"])


async def test_a_write_inside_another_transaction_is_a_bug(db):
    async with center_db.write_transaction():
        with pytest.raises(RuntimeError, match="inside another transaction"):
            async with center_db.point_write():
                pass


async def test_piccolo_finds_the_engine_center_db_bound(db):
    assert engine_finder() is center_db.engine()


def test_center_db_does_not_import_piccolo_conf():
    code = ("import sys, center.db, center.db.statements, center.services.cases; "
            "print('center.piccolo_conf' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
    # And Piccolo's own way in (its CLI and the migrations import the configuration first) works on its own.
    subprocess.run([sys.executable, "-c", "import center.piccolo_conf as c; assert c.DB is not None"],
                   cwd=REPO_ROOT, capture_output=True, text=True, check=True)


def test_param_shows_its_name():
    assert repr(Param("center")) == "Param('center')"


# ---------------------------------------------------------------- the machinery stays in its room (issue #12)

CENTER = Path(__file__).resolve().parents[2] / "center"
ENGINE_INTERNALS = re.compile(
    r"_process_results|run_inline|run_querystring|current_transaction|QueryString\(|Prepared\(|inline=|"
    r"from center\.db\.(engines|prepared|transactions) import|-7_000_00|\\x00sample")


def test_no_module_outside_center_db_touches_the_engine_or_compiles_a_statement():
    """A card number followed from POST /api/v1/meals (routes/api → services/dining/meals → domain/meals →
    services/dining/posting) meets `statements.X.rows(...)` and `db.point_write()`, never an engine's insides;
    the hot statements all stand in center/db/statements.py."""
    offenders = []
    for path in sorted(CENTER.rglob("*.py")):
        relative = path.relative_to(CENTER).as_posix()
        if relative.startswith(("db/", "migrations/")) or relative in ("piccolo_conf.py", "dbsql.py"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ENGINE_INTERNALS.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
