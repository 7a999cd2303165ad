"""The `center` command against a real database: migrate twice, demo twice, user add, backup, jobs."""

import os
import sqlite3

import pytest

from center.tables import Center, Staff
from tests.support.live_server import center_command


@pytest.fixture
def env(db):
    return {**os.environ, "DATABASE_URL": db.database_url, "CENTER_DEMO": "1"}


async def test_migrate_and_demo_are_safe_to_run_twice(env):
    center_command(["migrate"], env)
    center_command(["migrate"], env)
    first = center_command(["demo"], env)
    assert "worker" in first and "center-demo" in first
    centers, staff = await Center.count(), await Staff.count()
    second = center_command(["demo"], env)
    assert "centers=0" in second or "already" in second
    assert (await Center.count(), await Staff.count()) == (centers, staff)
    slugs = [r["slug"] for r in await Center.select(Center.slug).order_by(Center.sort_order)]
    assert slugs[0] == "daxi" and len(slugs) >= 2
    assert await Staff.count().where(Staff.center.slug == "daxi") >= 12


async def test_demo_is_refused_outside_demo_mode(env):
    production = {**env, "CENTER_DEMO": "0", "SECRET_KEY": "x" * 40, "CENTER_BASE_URL": "https://center.example.org"}
    with pytest.raises(RuntimeError, match="CENTER_DEMO=1"):
        center_command(["demo"], production)


async def test_user_add_reads_the_password_from_stdin(env):
    import subprocess
    import sys

    center_command(["demo"], env)
    result = subprocess.run([sys.executable, "-m", "center.cli", "user", "add", "cliuser", "--role", "worker",
                             "--center", "daxi", "--name", "命令行社工", "--password-stdin"],
                            input="a-long-password-1\n", env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    row = await Staff.select(Staff.display_name, Staff.role, Staff.password_hash).where(Staff.username == "cliuser").first()
    assert row["display_name"] == "命令行社工" and row["role"] == "worker"
    assert row["password_hash"].startswith("$argon2id$")


async def test_jobs_lists_every_job_with_its_next_run(env):
    out = center_command(["jobs"], env)
    assert "purge_expired" in out and "清理过期会话" in out


@pytest.mark.sqlite_only
async def test_backup_writes_a_consistent_copy(env, db, tmp_path):
    center_command(["demo"], env)
    target = tmp_path / "copy.db"
    out = center_command(["backup", str(target)], env)
    assert "integrity_check ok" in out
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM center WHERE slug = 'daxi'").fetchone()[0] == 1
    with pytest.raises(RuntimeError, match="already exists"):
        center_command(["backup", str(target)], env)
