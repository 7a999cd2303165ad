"""The audit log is append-only in the database; scheduled work runs once per (job, period)."""

import asyncio

import pytest

from center import db as center_db
from center.jobs import JOBS, run_job
from center.services import audit, jobruns
from center.tables import AuditLog, JobRun, WebSession
from center.timeutil import utcnow


async def test_audit_rows_cannot_be_updated_or_deleted(db):
    await audit.record("test.write", object_type="thing", object_id=1, detail={"k": "v"})
    row = await AuditLog.select(AuditLog.id).where(AuditLog.action == "test.write").first()
    with pytest.raises(Exception, match="append-only"):
        await AuditLog.update({AuditLog.action: "tampered"}).where(AuditLog.id == row["id"])
    with pytest.raises(Exception, match="append-only"):
        await AuditLog.delete().where(AuditLog.id == row["id"])
    assert await AuditLog.exists().where((AuditLog.id == row["id"]) & (AuditLog.action == "test.write"))


async def test_a_period_runs_once_even_when_two_schedulers_race(db):
    calls = []

    async def work():
        calls.append(1)
        await asyncio.sleep(0.01)
        return "done"

    results = await asyncio.gather(*[jobruns.run_once("race-job", "2026-11-23", work) for _ in range(5)])
    assert sorted(results) == [False, False, False, False, True]
    assert len(calls) == 1
    row = await JobRun.select().where((JobRun.job == "race-job") & (JobRun.period == "2026-11-23")).first()
    assert row["status"] == "done" and row["detail"] == "done"
    assert await jobruns.run_once("race-job", "2026-11-24", work) is True


async def test_a_failed_period_may_be_retried(db):
    async def broken():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        await jobruns.run_once("flaky-job", "p1", broken)
    assert (await JobRun.select(JobRun.status).where(JobRun.job == "flaky-job").first())["status"] == "failed"

    async def fixed():
        return "ok"

    assert await jobruns.run_once("flaky-job", "p1", fixed) is True
    assert await jobruns.run_once("flaky-job", "p1", fixed) is False


async def test_purge_job_removes_expired_sessions_once_per_hour(db):
    from datetime import timedelta

    await WebSession.insert(
        WebSession(key="old-session", data=b"{}", expires_at=utcnow() - timedelta(minutes=1)),
        WebSession(key="live-session", data=b"{}", expires_at=utcnow() + timedelta(minutes=10)),
    )
    spec = next(s for s in JOBS if s.name == "purge_expired")
    assert await run_job(spec) is True
    assert await run_job(spec) is False
    keys = {r["key"] for r in await WebSession.select(WebSession.key)}
    assert "old-session" not in keys and "live-session" in keys


async def test_write_transaction_refuses_to_nest(db):
    async with center_db.write_transaction():
        with pytest.raises(RuntimeError):
            async with center_db.write_transaction():
                pass


async def test_a_scheduler_stopped_across_two_days_catches_up_each_day_once(db):
    from datetime import datetime

    from center.jobs import catch_up
    from center.timeutil import LOCAL_TZ

    monday = datetime(2026, 11, 23, 9, tzinfo=LOCAL_TZ)
    await jobruns.run_once("case_reminders", "2026-11-23", _done)
    await catch_up(monday.replace(day=25))  # down on the 24th and the 25th
    days = {r["period"] for r in await JobRun.select(JobRun.period).where(JobRun.job == "case_reminders")}
    assert {"2026-11-23", "2026-11-24", "2026-11-25"} <= days
    before = await JobRun.count()
    await catch_up(monday.replace(day=25))  # a second start, or a second scheduler, does nothing more
    assert await JobRun.count() == before
    year_end = await JobRun.select(JobRun.period).where(JobRun.job == "subsidy_year_end")
    assert [r["period"] for r in year_end] == ["2025"]  # only a finished year, never the current one


async def _done():
    return "done"
