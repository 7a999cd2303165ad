"""The database out of reach for a moment: pages and the API answer 503 in Chinese, then recover by themselves."""

import sqlite3

import httpx
import pytest

from tests.support.dining import canteen_with_terminal, funded_senior
from tests.support.live_server import LiveServer


@pytest.mark.sqlite_only
async def test_a_locked_database_gives_503_and_recovers_without_a_restart(db, tmp_root):
    canteen_id, token, center = await canteen_with_terminal()
    senior = await funded_senior(center)
    env = {"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0",
           "CENTER_SQLITE_BUSY_MS": "800"}
    server = LiveServer(env, tmp_root / "unavailable.log").start()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"card_no": senior["card_no"], "kind": "lunch", "price_fen": 1500}
    try:
        # Another process holds the write lock (a stuck tool, a long maintenance job) past the busy timeout.
        blocker = sqlite3.connect(db.sqlite_path, timeout=1, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                api = client.post("/api/v1/meals", json=body, headers={**headers, "Idempotency-Key": "during"})
                assert api.status_code == 503 and "数据库暂时无法访问" in api.json()["detail"]
                form = client.get("/login")
                token_field = form.text.split('name="_csrf_token" value="')[1].split('"')[0]
                page = client.post("/login", data={"_csrf_token": token_field, "username": "x", "password": "y"})
                assert page.status_code == 503 and "服务暂时不可用" in page.text and "Traceback" not in page.text
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            after = client.post("/api/v1/meals", json=body, headers={**headers, "Idempotency-Key": "after"})
            assert after.status_code == 201
            assert client.get("/healthz").json()["database"] == "ok"
        assert server.process.poll() is None  # the same process, no restart
    finally:
        server.stop()

