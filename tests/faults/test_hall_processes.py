"""The hall queue across real processes: `center serve --workers 4` never hands out one number twice, also after
a restart, and two windows calling through it never call one ticket twice; a call reaches event streams held by
every process (PostgreSQL LISTEN/NOTIFY); a kill -9 during a burst of tickets loses no acknowledged ticket."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import threading
import time
from collections import Counter

import httpx
import pytest

from center.config import DEMO_PASSWORD
from center.tables import Ticket
from tests.factories import JOURNEY_NOW
from tests.support.hall import make_hall
from tests.support.live_server import LiveServer, login_cookies


def _env(db) -> dict[str, str]:
    # Tickets are handed out only while the hall is open: the servers' clock starts on a Wednesday at 10:00.
    return {"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0",
            "CENTER_CLOCK": JOURNEY_NOW.isoformat()}


def _take(url: str, slug: str, token: str, queue: str, count: int, out: list, lock: threading.Lock) -> None:
    with httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(count):
            try:
                answer = client.post(f"/api/v1/centers/{slug}/tickets", json={"queue": queue})
            except httpx.HTTPError:
                return  # the server is gone
            if answer.status_code == 201:
                with lock:
                    out.append(answer.json())


async def test_four_processes_never_hand_out_a_number_twice_nor_after_a_restart(db, tmp_root):
    hall = await make_hall()
    server = LiveServer(_env(db), tmp_root / "hall-workers.log", extra_args=("--workers", "4")).start()
    taken: list[dict] = []
    lock = threading.Lock()
    try:
        threads = [threading.Thread(target=_take, args=(server.url, hall["slug"], hall["printer_token"], "A", 15,
                                                        taken, lock)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    assert len(taken) == 120, server.log()[-2000:]
    restarted = LiveServer(_env(db), tmp_root / "hall-restart.log").start()
    try:
        _take(restarted.url, hall["slug"], hall["printer_token"], "A", 5, taken, lock)
    finally:
        restarted.stop()
    numbers = [t["ticket_no"] for t in taken]
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 126)]  # every number once, none skipped
    rows = await Ticket.select(Ticket.ticket_no).where(Ticket.center == hall["id"])
    assert Counter(r["ticket_no"] for r in rows) == Counter(numbers)


def _listen(url: str, path: str, got: list, ready: threading.Event, lock: threading.Lock) -> None:
    with httpx.Client(base_url=url, timeout=httpx.Timeout(30, read=30)) as client:
        with client.stream("GET", path) as stream:
            for line in stream.iter_lines():
                if line.startswith(": connected"):
                    ready.set()
                if line.startswith("event: hall"):
                    with lock:
                        got.append(time.monotonic())
                    return


@pytest.mark.postgres_only
async def test_a_ticket_taken_in_one_process_reaches_streams_held_by_every_process(db, tmp_root):
    hall = await make_hall()
    server = LiveServer(_env(db), tmp_root / "hall-notify.log", extra_args=("--workers", "4")).start()
    got: list[float] = []
    lock = threading.Lock()
    try:
        readies = [threading.Event() for _ in range(12)]
        listeners = [threading.Thread(target=_listen, args=(server.url, f"/screen/{hall['slug']}/events", got,
                                                            ready, lock), daemon=True) for ready in readies]
        for thread in listeners:
            thread.start()
        for ready in readies:
            assert ready.wait(30), server.log()[-2000:]
        answer = httpx.post(f"{server.url}/api/v1/centers/{hall['slug']}/tickets", json={"queue": "A"},
                            headers={"Authorization": f"Bearer {hall['printer_token']}"})
        assert answer.status_code == 201
        for thread in listeners:
            thread.join(timeout=30)
        assert len(got) == 12, server.log()[-2000:]
    finally:
        server.stop()


async def test_acknowledged_tickets_survive_a_kill_9(db, tmp_root):
    hall = await make_hall()
    env = _env(db)
    server = LiveServer(env, tmp_root / "hall-kill-1.log").start()
    taken: list[dict] = []
    lock = threading.Lock()
    threads = [threading.Thread(target=_take, args=(server.url, hall["slug"], hall["printer_token"], code, 400,
                                                    taken, lock)) for code in "AB"]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(taken) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    for thread in threads:
        thread.join(timeout=30)
    assert len(taken) >= 40, server.log()[-2000:]
    if db.is_sqlite:
        with sqlite3.connect(db.sqlite_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restarted = LiveServer(env, tmp_root / "hall-kill-2.log").start()
    try:
        rows = {r["token"]: r for r in await Ticket.select(Ticket.token, Ticket.ticket_no, Ticket.state).where(
            Ticket.center == hall["id"])}
        for ticket in taken:  # every acknowledged ticket is there once, with its number, still waiting
            assert rows[ticket["token"]]["ticket_no"] == ticket["ticket_no"]
            assert rows[ticket["token"]]["state"] == "waiting"
        assert len({r["ticket_no"] for r in rows.values()}) == len(rows)
        # Numbering goes on after the highest number handed out, never reusing one.
        after = httpx.post(f"{restarted.url}/api/v1/centers/{hall['slug']}/tickets", json={"queue": "A"},
                           headers={"Authorization": f"Bearer {hall['printer_token']}"}).json()
        highest = max(int(r["ticket_no"][1:]) for r in rows.values() if r["ticket_no"].startswith("A"))
        assert after["ticket_no"] == f"A{highest + 1:03d}"
        status = httpx.get(f"{restarted.url}/api/v1/tickets/{taken[0]['token']}").json()
        assert status["state"] == "waiting" and status["ticket_no"] == taken[0]["ticket_no"]
    finally:
        restarted.stop()


START = re.compile(r'/counter/window/tickets/(\d+)/start"')


def _window_worker(url: str, username: str, called: list, lock: threading.Lock, errors: list) -> None:
    """A worker at their window: 叫号, 开始办理, and again (the next 叫号 finishes the ticket in service), until
    nobody waits."""
    from tests.factories import CSRF_RE

    with httpx.Client(base_url=url, timeout=60, cookies=login_cookies(url, username, DEMO_PASSWORD)) as client:
        for _ in range(200):
            page = client.get("/counter").text
            token = CSRF_RE.search(page).group(1)
            answer = client.post("/counter/window/call", data={"_csrf_token": token}, follow_redirects=False)
            if answer.status_code == 422 and "没有等候" in answer.text:
                return
            if answer.status_code != 303:
                errors.append((username, answer.status_code, answer.text[-300:]))
                return
            strip = client.get("/counter").text
            found = START.search(strip)
            if not found:
                errors.append((username, "no ticket in the strip after 叫号"))
                return
            ticket_id = int(found.group(1))
            with lock:
                called.append((username, ticket_id))
            version = re.search(rf'/tickets/{ticket_id}/start".*?name="version" value="(\d+)"', strip, re.S).group(1)
            started = client.post(f"/counter/window/tickets/{ticket_id}/start",
                                  data={"_csrf_token": token, "version": version}, follow_redirects=False)
            if started.status_code != 303:
                errors.append((username, "start", started.status_code))
                return


async def test_two_windows_on_four_processes_never_call_one_ticket_twice(demo_db, tmp_root):
    """`worker` (window 2) and `manager` (window 1) of daxi both serve queue A; 30 tickets, both calling as fast as
    they can through a server of 4 processes: each ticket is called by exactly one of them."""
    server = LiveServer(_env(demo_db), tmp_root / "hall-calls.log", extra_args=("--workers", "4")).start()
    try:
        taken: list[dict] = []
        lock = threading.Lock()
        _take(server.url, "daxi", "demo-printer-1", "A", 30, taken, lock)
        assert len(taken) == 30, httpx.post(f"{server.url}/api/v1/centers/daxi/tickets", json={"queue": "A"},
                                            headers={"Authorization": "Bearer demo-printer-1"}).text
        ours = {r["id"] for r in await Ticket.select(Ticket.id).where(
            Ticket.token.is_in([t["token"] for t in taken]))}
        called: list = []
        errors: list = []
        threads = [threading.Thread(target=_window_worker, args=(server.url, who, called, lock, errors))
                   for who in ("worker", "manager")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        server.stop()
    assert not errors, (errors, server.log()[-2000:])
    ids = [ticket_id for _, ticket_id in called if ticket_id in ours]
    assert len(ids) == len(set(ids)) == 30  # every ticket once, none twice
    assert {who for who, _ in called} == {"worker", "manager"}  # both windows did call
