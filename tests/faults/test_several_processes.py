"""Several processes on one database: `center serve --workers 4` (one scheduler process beside the web workers)
shares sessions and login throttling through the database and keeps the ledger under a load spread across
processes; two schedulers started by mistake run each job once per period (the job_run key)."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from center.jobs import JOBS
from center.services.dining.checks import verify_ledger
from center.timeutil import local_now, local_today
from center.tables import Assignment, CaseReminder, JobRun, LedgerTxn, Meal
from tests.support.dining import canteen_with_terminal
from tests.factories import CSRF_RE, make_senior, make_staff
from tests.support.live_server import CENTER, REPO, LiveServer, login_cookies


def children(pid: int) -> list[str]:
    """Command lines of a process's children."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ValueError):
            continue
    return found


async def test_four_web_processes_share_sessions_throttling_and_the_ledger(db, tmp_root):
    canteen_id, token, center = await canteen_with_terminal()
    seniors = [await make_senior(center, granted_on=local_today()) for _ in range(4)]
    worker = await make_staff(db, "worker", center)
    env = {"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "1"}
    server = LiveServer(env, tmp_root / "workers.log", extra_args=("--workers", "4")).start(timeout=60)
    try:
        # One scheduler process beside four web workers.
        kids = children(server.process.pid)
        assert sum("center.cli scheduler" in k for k in kids) == 1, kids
        assert len(kids) >= 5, kids

        # A session made in one process is honoured by the others (each request on a new connection).
        cookies = login_cookies(server.url, worker["username"], worker["password"])
        for _ in range(16):
            with httpx.Client(base_url=server.url, cookies=cookies, timeout=20) as fresh:
                answer = fresh.get("/counter", follow_redirects=False)
                assert answer.status_code == 200, answer.status_code
        # Login throttling counts failures across processes: the eleventh is refused with 429.
        statuses = []
        for _ in range(11):
            with httpx.Client(base_url=server.url, timeout=20) as fresh:
                form = CSRF_RE.search(fresh.get("/login").text).group(1)
                statuses.append(fresh.post("/login", data={"_csrf_token": form, "username": worker["username"],
                                                           "password": "wrong"}).status_code)
        assert statuses[-1] == 429 and 429 not in statuses[:10], statuses

        # 24 terminals on four seniors, spread over the processes, replaying some keys.
        acknowledged: dict[str, tuple[int, int]] = {}
        problems: list[str] = []
        lock = threading.Lock()

        def terminal(n: int) -> None:
            with httpx.Client(base_url=server.url, timeout=30,
                              headers={"Authorization": f"Bearer {token}"}) as terminal_client:
                for i in range(8):
                    key = f"mp-{n}-{i // 2}"  # every key sent twice
                    body = {"card_no": seniors[(n + i // 2) % len(seniors)]["card_no"], "kind": "lunch",
                            "price_fen": 1200}
                    answer = terminal_client.post("/api/v1/meals", json=body, headers={"Idempotency-Key": key})
                    with lock:
                        if answer.status_code != 201:
                            problems.append(f"{key}: {answer.status_code} {answer.text[:200]}")
                            continue
                        meal = (answer.json()["meal_id"], answer.json()["subsidy_fen"])
                        if acknowledged.setdefault(key, meal) != meal:
                            problems.append(f"{key}: replay answered {meal}, first {acknowledged[key]}")

        threads = [threading.Thread(target=terminal, args=(n,)) for n in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not problems, problems[:10]
        assert len(acknowledged) == 24 * 4
    finally:
        server.stop()
    rows = await Meal.select(Meal.id, Meal.idempotency_key).where(Meal.canteen == canteen_id)
    assert Counter(r["idempotency_key"] for r in rows) == Counter({key: 1 for key in acknowledged})
    assert {r["idempotency_key"]: r["id"] for r in rows} == {k: v[0] for k, v in acknowledged.items()}
    assert await verify_ledger() == []  # balances never below zero, every transaction sums to zero
    # The scheduler process caught up its jobs while the web workers served.
    assert await JobRun.exists().where(JobRun.job == "subsidy_grants")


async def test_two_schedulers_started_by_mistake_run_each_job_once_per_period(demo_db, tmp_root):
    await JobRun.delete(force=True)  # as if the scheduler had never run: every catch-up period is open
    env = {**os.environ, "DATABASE_URL": demo_db.database_url, "CENTER_DEMO": "1"}
    logs = [tmp_root / f"scheduler-{i}.log" for i in range(2)]
    processes = [subprocess.Popen(CENTER + ["scheduler"], env=env, cwd=REPO, stdout=log.open("wb"),
                                  stderr=subprocess.STDOUT) for log in logs]
    try:
        now = local_now()
        periods = sum(len(spec.catch_up(now)) if spec.catch_up else 1 for spec in JOBS)
        expected = {spec.name for spec in JOBS if spec.catch_up is None or spec.catch_up(now)}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            text = "".join(log.read_text(errors="replace") for log in logs)
            if len(re.findall(r"catch-up \S+ \S+: (?:ran|already done)", text)) >= 2 * periods:
                break
            time.sleep(0.5)
        for process in processes:
            assert process.poll() is None, "a scheduler died"
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
    text = "".join(log.read_text(errors="replace") for log in logs)
    ran = Counter(re.findall(r"catch-up (\S+ \S+): ran", text))
    assert ran and max(ran.values()) == 1, ran  # each (job, period) ran in one process only
    runs = await JobRun.select(JobRun.job, JobRun.period, JobRun.status)
    assert Counter((r["job"], r["period"]) for r in runs).most_common(1)[0][1] == 1
    assert expected <= {r["job"] for r in runs}, (expected, runs)
    assert sum(ran.values()) == periods
    assert all(r["status"] == "done" for r in runs), [r for r in runs if r["status"] != "done"]
    # Nothing done twice: grants, assignments and reminders each once.
    grants = await LedgerTxn.select(LedgerTxn.senior, LedgerTxn.year).where(LedgerTxn.kind == "grant")
    assert max(Counter((g["senior"], g["year"]) for g in grants).values()) == 1
    slots = await Assignment.select(Assignment.shift_type, Assignment.day, Assignment.staff)
    assert max(Counter(tuple(s.values()) for s in slots).values()) == 1
    marks = await CaseReminder.select(CaseReminder.case, CaseReminder.day)
    assert not marks or max(Counter(tuple(m.values()) for m in marks).values()) == 1
    assert await verify_ledger() == []
