"""kill -9 of the server during a burst of meals: every acknowledged meal survives, once; invariants hold."""

import os
import signal
import sqlite3
import threading
import time

import httpx
from center.services import dining
from center.tables import Meal
from tests.support.dining import canteen_with_terminal, funded_senior
from tests.support.live_server import LiveServer


async def test_acknowledged_meals_survive_a_kill_9(db, tmp_root):
    canteen_id, token, center = await canteen_with_terminal()
    seniors = [await funded_senior(center) for _ in range(10)]
    env = {"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0"}
    server = LiveServer(env, tmp_root / "kill-1.log").start()
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def terminal(worker: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, timeout=5) as client:
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

    workers = [threading.Thread(target=terminal, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    stop.set()
    for w in workers:
        w.join(timeout=10)
    assert len(acknowledged) >= 40, server.log()[-2000:]

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
        assert await dining.verify_ledger() == []
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
