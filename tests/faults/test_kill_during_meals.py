"""kill -9 of the server during a burst of meals and case transitions: every acknowledged write survives, once;
the ledger invariants hold; SQLite's integrity_check is ok."""

import os
import signal
import sqlite3
import threading
import time

import httpx
from center.services.dining.checks import verify_ledger
from center.tables import Case, CaseEvent, Meal
from center.timeutil import local_today
from tests.support.dining import canteen_with_terminal
from tests.factories import CSRF_RE, item_id, load_demo_catalog, make_senior, make_staff
from tests.support.live_server import LiveServer


async def test_acknowledged_meals_survive_a_kill_9(db, tmp_root):
    canteen_id, token, center = await canteen_with_terminal()
    seniors = [await make_senior(center, granted_on=local_today()) for _ in range(10)]
    env = {"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0"}
    server = LiveServer(env, tmp_root / "kill-1.log").start()
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def terminal(worker: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, timeout=30) as client:
            n = 0
            while not stop.is_set():
                key = f"kill-{worker}-{n}"
                n += 1
                try:
                    response = client.post("/api/v1/meals", headers={**headers, "Idempotency-Key": key},
                                           json={"card_no": seniors[n % len(seniors)]["card_no"], "kind": "lunch",
                                                 "price_fen": 300})
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code == 201:
                    with lock:
                        acknowledged[key] = response.json()["meal_id"]

    await load_demo_catalog()
    item = await item_id("MZ01")
    desk = [await make_staff(db, "worker", center) for _ in range(2)]
    received: dict[str, int] = {}  # marker note -> case id, acknowledged by the redirect to the case
    completed: set[int] = set()  # acknowledged completions

    def counter_worker(staff: dict) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            try:
                token = CSRF_RE.search(client.get("/login").text).group(1)
                client.post("/login", data={"_csrf_token": token, "username": staff["username"],
                                            "password": staff["password"]})
                token = CSRF_RE.search(client.get("/counter").text).group(1)
            except (httpx.HTTPError, AttributeError):
                return
            n = 0
            while not stop.is_set():
                marker = f"kill-{staff['username']}-{n}"
                n += 1
                try:
                    answer = client.post("/counter/receive", data={
                        "_csrf_token": token, "item_id": str(item), "action": "accept", "resident_name": "张三",
                        "note": marker, "brought": [str(i) for i in range(12)]})  # all brought: 已受理
                    if answer.status_code != 302:
                        continue
                    case_id = int(answer.headers["location"].rsplit("/", 1)[1])
                    with lock:
                        received[marker] = case_id
                    done = client.post(f"/cases/{case_id}/actions", data={
                        "_csrf_token": token, "action": "complete", "version": "1", "confirm": "1"})
                    if done.status_code == 302:
                        with lock:
                            completed.add(case_id)
                except httpx.HTTPError:
                    return

    workers = [threading.Thread(target=terminal, args=(i,)) for i in range(3)]
    workers += [threading.Thread(target=counter_worker, args=(staff,)) for staff in desk]
    for w in workers:
        w.start()
    deadline = time.monotonic() + 20
    while (len(acknowledged) < 40 or len(completed) < 10) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    stop.set()
    for w in workers:
        w.join(timeout=10)
    assert len(acknowledged) >= 40 and len(completed) >= 10, server.log()[-2000:]

    if db.is_sqlite:
        with sqlite3.connect(db.sqlite_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restarted = LiveServer(env, tmp_root / "kill-2.log").start()
    try:
        rows = await Meal.select(Meal.id, Meal.idempotency_key).where(Meal.canteen == canteen_id)
        by_key: dict[str, list[int]] = {}
        for row in rows:
            by_key.setdefault(row["idempotency_key"], []).append(row["id"])
        for key, meal_id in acknowledged.items():
            assert by_key.get(key) == [meal_id], f"acknowledged {key} -> {meal_id} not present exactly once"
        assert await verify_ledger() == []
        # Every acknowledged case once, with its acceptance; every acknowledged completion kept, once.
        cases = await Case.select(Case.id, Case.note, Case.status).where(Case.note.like("kill-%"))
        by_marker: dict[str, list[int]] = {}
        for row in cases:
            by_marker.setdefault(row["note"], []).append(row["id"])
        for marker, case_id in received.items():
            assert by_marker.get(marker) == [case_id], f"acknowledged case {marker} not present exactly once"
        status = {row["id"]: row["status"] for row in cases}
        events = await CaseEvent.select(CaseEvent.case, CaseEvent.action).where(CaseEvent.case.is_in(list(status)))
        for case_id in status:
            actions = [e["action"] for e in events if e["case"] == case_id]
            assert actions.count("accept") == 1, (case_id, actions)
            assert actions.count("complete") == (1 if status[case_id] == "completed" else 0), (case_id, actions)
        for case_id in completed:
            assert status[case_id] == "completed"
        # Replaying an acknowledged request after the restart answers the same meal and posts nothing.
        key, meal_id = next(iter(acknowledged.items()))
        worker, n = key.split("-")[1:]
        card = seniors[(int(n) + 1) % len(seniors)]["card_no"]
        replay = httpx.post(f"{restarted.url}/api/v1/meals",
                            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                            json={"card_no": card, "kind": "lunch", "price_fen": 300})
        assert replay.status_code == 201 and replay.json()["meal_id"] == meal_id
    finally:
        restarted.stop()
