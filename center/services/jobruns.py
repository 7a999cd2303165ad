"""Idempotent scheduled work: a job claims (job, period) once; a second scheduler or a restart finds it taken."""

from __future__ import annotations

from typing import Awaitable, Callable

from center.tables import JobRun
from center.timeutil import utcnow


async def claim(job: str, period: str) -> bool:
    """Take (job, period) for this process; False if it is done or running elsewhere. A failed run may be retaken."""
    inserted = (
        await JobRun.insert(JobRun(job=job, period=period, status="running", started_at=utcnow()))
        .on_conflict(action="DO NOTHING")
        .returning(JobRun.id)
    )
    if inserted:
        return True
    retaken = (
        await JobRun.update({JobRun.status: "running", JobRun.started_at: utcnow(), JobRun.detail: ""})
        .where((JobRun.job == job) & (JobRun.period == period) & (JobRun.status == "failed"))
        .returning(JobRun.id)
    )
    return bool(retaken)


async def finish(job: str, period: str, status: str, detail: str = "") -> None:
    await JobRun.update({JobRun.status: status, JobRun.finished_at: utcnow(), JobRun.detail: detail[:2000]}).where(
        (JobRun.job == job) & (JobRun.period == period)
    )


async def run_once(job: str, period: str, work: Callable[[], Awaitable[str | None]]) -> bool:
    """Run `work` for (job, period) unless it already ran; returns whether it ran here."""
    if not await claim(job, period):
        return False
    try:
        detail = await work()
    except Exception as exc:
        await finish(job, period, "failed", f"{type(exc).__name__}: {exc}")
        raise
    await finish(job, period, "done", detail or "")
    return True


async def last_runs() -> dict[str, dict]:
    rows = await JobRun.select().order_by(JobRun.started_at, ascending=False).limit(500)
    latest: dict[str, dict] = {}
    for row in rows:
        latest.setdefault(row["job"], row)
    return latest
