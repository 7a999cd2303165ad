"""`center backup` while terminals post meals: the copy is consistent (integrity_check) and its ledger holds."""

import os
import sqlite3
import threading
import time

import httpx
import pytest

from center import db as center_db
from center.services.dining.checks import verify_ledger
from center.timeutil import local_today
from tests.support.dining import canteen_with_terminal
from tests.factories import make_senior
from tests.support.live_server import LiveServer, center_command


@pytest.mark.sqlite_only
async def test_backup_during_a_burst_of_meals(db, tmp_root, tmp_path):
    canteen_id, token, center = await canteen_with_terminal()
    seniors = [await make_senior(center, granted_on=local_today()) for _ in range(5)]
    env = {"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0"}
    server = LiveServer(env, tmp_root / "backup-server.log").start()
    stop = threading.Event()
    posted = []

    def terminal(worker: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            n = 0
            while not stop.is_set():
                n += 1
                response = client.post("/api/v1/meals", json={"card_no": seniors[n % 5]["card_no"], "kind": "lunch",
                                                              "price_fen": 200},
                                       headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"b{worker}-{n}"})
                posted.append(response.status_code)

    workers = [threading.Thread(target=terminal, args=(i,)) for i in range(3)]
    try:
        for w in workers:
            w.start()
        time.sleep(0.5)
        copy = tmp_path / "copy.db"
        out = center_command(["backup", str(copy)], {**os.environ, **env})
        assert "integrity_check ok" in out
        time.sleep(0.3)
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=10)
        server.stop()
    assert posted and set(posted) == {201}
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        meals = conn.execute("SELECT count(*) FROM meal WHERE canteen = ?", (canteen_id,)).fetchone()[0]
    assert 0 < meals <= len(posted)
    copy_settings = db.with_(database_url=f"sqlite:///{copy}")
    center_db.bind(center_db.make_engine(copy_settings))
    try:
        assert await verify_ledger() == []
    finally:
        center_db.bind(center_db.make_engine(db))
