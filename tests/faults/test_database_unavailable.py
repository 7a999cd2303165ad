"""The database out of reach for a moment: pages and the API answer 503 in Chinese, then recover by themselves."""

import sqlite3

import httpx
import pytest

from center.timeutil import local_today
from tests.support.dining import canteen_with_terminal
from tests.factories import make_senior
from tests.support.live_server import LiveServer


@pytest.mark.sqlite_only
async def test_a_locked_database_gives_503_and_recovers_without_a_restart(db, tmp_root):
    canteen_id, token, center = await canteen_with_terminal()
    senior = await make_senior(center, granted_on=local_today())
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
                # The login page's anonymous session (which holds its CSRF secret) cannot be saved either.
                form = client.get("/login")
                assert form.status_code == 503 and "服务暂时不可用" in form.text and "Traceback" not in form.text
                # Sent from the page all the same (so without a session, from its own origin): 503 too, not a 500.
                page = client.post("/login", data={"username": "x", "password": "y"}, headers={"origin": server.url})
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



class TcpProxy:
    """127.0.0.1:<port> → the PostgreSQL server; `down()` refuses and cuts every connection, `up()` restores."""

    def __init__(self, target: tuple[str, int]):
        import socket

        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener = None
        self.links: list = []
        self.lock = __import__("threading").Lock()

    def up(self) -> None:
        import socket
        import threading

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(2)
                except OSError:
                    pass

    def down(self) -> None:
        import socket

        if self.listener is not None:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in its thread (Linux)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            links, self.links = self.links, []
        for s in links:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


async def test_postgresql_out_of_reach_gives_503_and_recovers_without_a_restart(db, tmp_root):
    from urllib.parse import urlsplit

    if not db.database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only (the SQLite case is the locked database above)")
    canteen_id, token, center = await canteen_with_terminal()
    senior = await make_senior(center, granted_on=local_today())
    parts = urlsplit(db.database_url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    proxy.up()
    url = parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}").geturl()
    env = {"DATABASE_URL": url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0"}
    server = LiveServer(env, tmp_root / "pg-unavailable.log").start()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"card_no": senior["card_no"], "kind": "lunch", "price_fen": 1500}
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.post("/api/v1/meals", json=body, headers={**headers, "Idempotency-Key": "before"}).status_code == 201
            proxy.down()
            for attempt in range(3):
                api = client.post("/api/v1/meals", json=body, headers={**headers, "Idempotency-Key": f"during-{attempt}"})
                assert api.status_code == 503 and "数据库暂时无法访问" in api.json()["detail"], api.text
            page = client.get("/login")
            assert page.status_code in (200, 503) and "Traceback" not in page.text
            catalog = client.get("/api/v1/catalog")
            assert catalog.status_code == 503
            health = client.get("/healthz")
            assert health.status_code == 503 and health.json()["database"] != "ok"
            proxy.up()
            recovered = None
            for _ in range(50):
                recovered = client.post("/api/v1/meals", json=body, headers={**headers, "Idempotency-Key": "after"})
                if recovered.status_code != 503:
                    break
                __import__("time").sleep(0.2)
            assert recovered.status_code == 201, recovered.text
            assert client.get("/healthz").json()["database"] == "ok"
        assert server.process.poll() is None  # the same process, no restart
    finally:
        server.stop()
        proxy.down()
    from center.tables import Meal

    keys = {r["idempotency_key"] for r in await Meal.select(Meal.idempotency_key).where(Meal.canteen == canteen_id)}
    assert keys == {"before", "after"}  # nothing half-written while the database was away
