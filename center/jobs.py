"""The scheduler: which job runs when. Each job calls one service function, once per period (job_run key)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from center.services import cases, housekeeping, jobruns, verify
from center.services.dining.allowances import grant_due, year_end
from center.services.rosters.rotation import rotate_horizon
from center.timeutil import LOCAL_TZ, local_now

log = logging.getLogger("center.jobs")


@dataclass(frozen=True)
class JobSpec:
    name: str
    title: str
    trigger: Callable[[], BaseTrigger]
    period: Callable[[datetime], str]  # local time -> period key
    work: Callable[[str], Awaitable[str | None]]  # period -> detail
    # The periods to catch up on start, oldest first (each runs once at most); by default the current one.
    catch_up: Callable[[datetime], list[str]] | None = None


def hourly(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def daily(moment: datetime) -> str:
    return moment.date().isoformat()


def last_days(days: int) -> Callable[[datetime], list[str]]:
    """Catch up the days missed while no scheduler ran (up to `days` back), each once, oldest first."""
    def periods(moment: datetime) -> list[str]:
        return [daily(moment - timedelta(days=back)) for back in range(days - 1, -1, -1)]

    return periods


def weekly(moment: datetime) -> str:
    year, week, _ = moment.date().isocalendar()
    return f"{year}-W{week:02d}"


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        name="purge_expired",
        title="清理过期会话与登录记录",
        trigger=lambda: CronTrigger(minute=7, timezone=LOCAL_TZ),
        period=hourly,
        work=lambda period: housekeeping.purge_expired(),
    ),
    JobSpec(
        name="case_reminders",
        title="每个工作日早晨记录即将到期和已超期的办件",
        trigger=lambda: CronTrigger(hour=7, minute=30, timezone=LOCAL_TZ),
        period=daily,
        work=lambda period: cases.record_reminders(date.fromisoformat(period)),
        catch_up=last_days(3),
    ),
    JobSpec(
        name="roster_rotation",
        title="每周一轮换排班，保持未来四周排满（每个中心每周只自动排一次）",
        trigger=lambda: CronTrigger(day_of_week="mon", hour=5, minute=0, timezone=LOCAL_TZ),
        period=weekly,
        work=lambda period: rotate_horizon(local_now().date()),
    ),
    JobSpec(
        name="subsidy_grants",
        title="发放就餐补贴：1 月 1 日及年满 65 周岁当天",
        trigger=lambda: CronTrigger(hour=0, minute=5, timezone=LOCAL_TZ),
        period=daily,
        work=lambda period: grant_due(date.fromisoformat(period)),
        catch_up=last_days(7),
    ),
    JobSpec(
        name="subsidy_year_end",
        title="年末就餐补贴清零或结转（12 月 31 日 23:59）",
        trigger=lambda: CronTrigger(month=12, day=31, hour=23, minute=59, timezone=LOCAL_TZ),
        period=lambda moment: str(moment.year),
        work=lambda period: year_end(int(period)),
        # On start, finish last year if the server was down at its end (never the current year).
        catch_up=lambda moment: [str(moment.year - 1)],
    ),
    JobSpec(
        name="ledger_check",
        title="每晚核对账本与审计日志的哈希链及账本不变量（借贷平衡、余额不为负、余额可由流水推出），并记下链首",
        trigger=lambda: CronTrigger(hour=2, minute=30, timezone=LOCAL_TZ),
        period=daily,
        work=verify.nightly_check,
        catch_up=lambda moment: [],
    ),
)


def job(name: str) -> JobSpec:
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise KeyError(name)


async def run_job(spec: JobSpec, moment: datetime | None = None) -> bool:
    """Run a job for the period containing `moment` (now by default) unless that period already ran."""
    period = spec.period(moment or local_now())
    ran = await jobruns.run_once(spec.name, period, lambda: spec.work(period))
    log.info("job %s period %s: %s", spec.name, period, "ran" if ran else "already done")
    return ran


async def catch_up(now: datetime | None = None) -> None:
    """On start: run each job's catch-up period (by default the current one) unless a process has done it."""
    now = now or local_now()
    for spec in JOBS:
        for period in spec.catch_up(now) if spec.catch_up else [spec.period(now)]:
            try:
                ran = await jobruns.run_once(spec.name, period, lambda spec=spec, period=period: spec.work(period))
                log.info("catch-up %s %s: %s", spec.name, period, "ran" if ran else "already done")
            except Exception:
                log.exception("catch-up of job %s %s failed", spec.name, period)


def build_scheduler() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=LOCAL_TZ,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 15 * 60},
    )
    for spec in JOBS:
        scheduler.add_job(run_job, trigger=spec.trigger(), args=[spec], id=spec.name, name=spec.title)
    return scheduler


def next_runs(now: datetime | None = None) -> list[tuple[JobSpec, datetime | None]]:
    now = now or local_now()
    return [(spec, spec.trigger().get_next_fire_time(None, now)) for spec in JOBS]


class SchedulerHandle:
    """The running scheduler of this process, or none (CENTER_SCHEDULER=0, tests)."""

    def __init__(self) -> None:
        self.scheduler: AsyncIOScheduler | None = None
        self._catch_up: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def start(self) -> None:
        self.scheduler = build_scheduler()
        self.scheduler.start()
        self._catch_up = asyncio.get_running_loop().create_task(catch_up())

    async def stop(self) -> None:
        if self._catch_up is not None and not self._catch_up.done():
            self._catch_up.cancel()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None
