"""The hall queue's figures for `make bench` (issue #13): a call reaching 200 open screens within 1 s, on SQLite with
one process and on PostgreSQL with 4; tickets taken per second through the API beside raw sqlite3 doing the same
transaction.

Run alone: `python bench/hall.py` (prints the figures); bench/run.py calls hall_figures(figure) among the others.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "bench-hall"
CLOCK = "2026-12-09T10:00:00+08:00"  # a Wednesday morning: the hall is open
PRINTER = "demo-printer-1"
SCREENS = 200
CALLS = 10


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTER_", "DATABASE_URL"))}
    env.update(DATABASE_URL=database_url, CENTER_DEMO="1", CENTER_SCHEDULER="0", CENTER_CLOCK=CLOCK,
               CENTER_VAR_DIR=str(VAR))
    return env


def _prepare(database_url: str) -> None:
    env = _env(database_url)
    for args in (["migrate"], ["demo", "--if-empty"]):
        subprocess.run([str(BIN / "center"), *args], env=env, cwd=ROOT, check=True, capture_output=True)


class Server:
    def __init__(self, database_url: str, workers: int = 1) -> None:
        self.port = _free_port()
        self.argv = [str(BIN / "center"), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if workers > 1:
            self.argv += ["--workers", str(workers)]
        self.env = _env(database_url)
        self.proc: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> "Server":
        import urllib.request

        VAR.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=(VAR / f"serve-{self.port}.log").open("w"))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"the hall bench server did not start: {VAR}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


async def _delivery(server: Server, screens: int = SCREENS, calls: int = CALLS) -> tuple[float, float, int]:
    """Open `screens` event streams, take `calls` tickets one after another; for each (screen, call) the time from
    the POST to the screen's `hall` event. Returns (share within 1 s in %, p99 in ms, deliveries)."""
    import httpx

    limits = httpx.Limits(max_connections=screens + 10, max_keepalive_connections=screens + 10)
    timeout = httpx.Timeout(60, read=60)
    arrivals: list[list[float]] = [[] for _ in range(screens)]
    connected = asyncio.Semaphore(0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:

        async def screen(index: int) -> None:
            async with client.stream("GET", server.url("/screen/daxi/events")) as stream:
                async for line in stream.aiter_lines():
                    if line.startswith(": connected"):
                        connected.release()
                    elif line.startswith("event: hall"):
                        arrivals[index].append(time.monotonic())
                        if len(arrivals[index]) >= calls:
                            return

        tasks = [asyncio.create_task(screen(i)) for i in range(screens)]
        for _ in range(screens):
            await asyncio.wait_for(connected.acquire(), timeout=120)
        sent: list[float] = []
        async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {PRINTER}"}) as taker:
            for _ in range(calls):
                sent.append(time.monotonic())
                answer = await taker.post(server.url("/api/v1/centers/daxi/tickets"), json={"queue": "A"})
                answer.raise_for_status()
                # the next call once every screen heard this one (or 5 s passed): one call at a time, as a hall
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and min(len(a) for a in arrivals) < len(sent):
                    await asyncio.sleep(0.01)
        await asyncio.wait(tasks, timeout=10)
        for task in tasks:
            task.cancel()
    delays = []
    for per_screen in arrivals:
        for n, at in enumerate(per_screen[:calls]):
            delays.append(at - sent[n])
    missing = screens * calls - len(delays)
    delays += [float("inf")] * missing
    delays.sort()
    within = sum(1 for d in delays if d <= 1.0)
    p99 = delays[int(0.99 * (len(delays) - 1))]
    return 100 * within / len(delays), p99 * 1000, len(delays) - missing


async def _take_rate(server: Server, seconds: float, clients: int = 16) -> tuple[float, int]:
    import httpx

    stop_at = time.monotonic() + seconds
    counts = {"ok": 0, "errors": 0}
    codes = "ABCD"
    async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {PRINTER}"},
                                 limits=httpx.Limits(max_connections=clients)) as client:
        async def taker(index: int) -> None:
            while time.monotonic() < stop_at:
                answer = await client.post(server.url("/api/v1/centers/huanghe/tickets"),
                                           json={"queue": codes[index % 4], "priority": index % 5 == 0})
                counts["ok" if answer.status_code == 201 else "errors"] += 1

        started = time.monotonic()
        await asyncio.gather(*(taker(i) for i in range(clients)))
        wall = time.monotonic() - started
    return counts["ok"] / wall, counts["errors"]


def _raw_take_rate(db_path: Path, seconds: float) -> float:
    """The ceiling: raw sqlite3 doing a ticket's transaction (the counter upsert and the insert), one at a time."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    center, queue = conn.execute("SELECT center, id FROM hall_queue ORDER BY id DESC LIMIT 1").fetchone()
    day = datetime.fromisoformat(CLOCK).date().isoformat()
    stop_at = time.monotonic() + seconds
    n = 0
    started = time.monotonic()
    while time.monotonic() < stop_at:
        conn.execute("BEGIN IMMEDIATE")
        number = conn.execute(
            "INSERT INTO ticket_counter (center, queue_code, day, last_no) VALUES (?, 'Z', ?, 1) "
            "ON CONFLICT (center, queue_code, day) DO UPDATE SET last_no = ticket_counter.last_no + 1 "
            "RETURNING last_no", (center, day)).fetchone()[0]
        conn.execute(
            "INSERT INTO ticket (center, queue, day, number, ticket_no, token, priority, state, target_window, "
            "window, taken_at, order_at, calls, returned, client, version) VALUES "
            "(?, ?, ?, ?, ?, ?, 0, 'waiting', '', '', ?, ?, 0, 0, 'raw', 1)",
            (center, queue, day, number, f"Z{number}", f"raw-{number}-{time.monotonic_ns()}", CLOCK, CLOCK))
        conn.execute("COMMIT")
        n += 1
    wall = time.monotonic() - started
    conn.execute("DELETE FROM ticket WHERE client = 'raw'")
    conn.close()
    return n / wall


def hall_figures(figure: Callable, seconds: float = 5.0, pg_url: str | None = None) -> None:
    """Measure and report through `figure(name, value, unit, target=, ceiling=, higher_is_better=, rule=)`."""
    import shutil

    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    db_path = VAR / "hall.db"
    url = f"sqlite:///{db_path}"
    _prepare(url)
    print("\nHall: 200 screens on SSE, 10 calls; tickets through the API", flush=True)
    server = Server(url).start()
    try:
        share, p99, n = asyncio.run(_delivery(server))
        figure("hall call reaches 200 SSE screens within 1 s (SQLite, 1 process)", share, "%", target=99,
               rule="≥ 99 %")
        figure("hall call to 200 SSE screens: p99 (SQLite, 1 process)", p99, "ms")
        rate, errors = asyncio.run(_take_rate(server, seconds))
    finally:
        server.stop()
    ceiling = _raw_take_rate(db_path, seconds)
    figure("POST tickets @16: tickets/s (SQLite)", rate, "tickets/s", target=50, ceiling=ceiling,
           rule="≥ 50 tickets/s")
    figure("POST tickets @16: errors (SQLite)", errors, "count", target=0, higher_is_better=False, rule="none")
    if pg_url:
        _pg_delivery(figure, pg_url)


def _pg_delivery(figure: Callable, admin_url: str) -> None:
    try:
        import asyncpg
    except ImportError:
        return

    async def recreate() -> bool:
        try:
            conn = await asyncpg.connect(admin_url, timeout=5)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.execute("DROP DATABASE IF EXISTS center_bench_hall WITH (FORCE)")
        await conn.execute("CREATE DATABASE center_bench_hall")
        await conn.close()
        return True

    if not asyncio.run(recreate()):
        print("PostgreSQL not answering: the 4-process delivery figure is skipped")
        return
    url = admin_url.rsplit("/", 1)[0] + "/center_bench_hall"
    _prepare(url)
    server = Server(url, workers=4).start()
    try:
        share, p99, n = asyncio.run(_delivery(server))
    finally:
        server.stop()
    figure("hall call reaches 200 SSE screens within 1 s (PostgreSQL, 4 processes)", share, "%", target=99,
           rule="≥ 99 %")
    figure("hall call to 200 SSE screens: p99 (PostgreSQL, 4 processes)", p99, "ms")


if __name__ == "__main__":
    def show(name, value, unit, **kw):
        print(f"{name}: {value:.1f} {unit}  {kw.get('rule', '')}  ceiling={kw.get('ceiling')}")

    hall_figures(show, float(os.environ.get("BENCH_SECONDS", "5")),
                 os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
