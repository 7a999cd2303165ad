"""Path tricks against a real server: static files, exports and ids never reach outside what they name."""

from __future__ import annotations

import re
import socket

import httpx

from center.config import DEMO_PASSWORD
from tests.support.live_server import LiveServer, login_cookies

SECRETS = ("[project]", "SECRET_KEY", "root:x:0:0", "import ", "sqlite")


def raw_get(port: int, target: str, cookie: str = "") -> tuple[int, bytes]:
    """Send the request line exactly as written (httpx would normalise the dots away)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        extra = f"Cookie: {cookie}\r\n" if cookie else ""
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""


def login_cookie(url: str, username: str) -> str:
    return "; ".join(f"{k}={v}" for k, v in login_cookies(url, username, DEMO_PASSWORD).items())


async def test_static_files_and_exports_refuse_path_tricks(demo_db, tmp_root):
    env = {"DATABASE_URL": demo_db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0"}
    server = LiveServer(env, tmp_root / "path-tricks.log").start()
    try:
        ok, body = raw_get(server.port, "/static/app.css")
        assert ok == 200 and body
        for target in ("/static/../pyproject.toml", "/static/..%2f..%2fpyproject.toml",
                       "/static/%2e%2e/%2e%2e/center/config.py", "/static/..%5c..%5cpyproject.toml",
                       "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/....//....//pyproject.toml",
                       "/static/app.css%00.py", "/../../etc/passwd", "/screen/..%2f..%2fetc%2fpasswd"):
            status, body = raw_get(server.port, target)
            assert status in (400, 404), (target, status)
            assert not any(secret.encode() in body for secret in SECRETS), target

        cookie = login_cookie(server.url, "manager")
        for path in ("/counter/stats/export.xlsx?month=../../etc/passwd",
                     "/counter/stats/export.xlsx?month=2026-11%2f..%2f..%2fx",
                     "/dining/months/export.xlsx?month=..%2F..%2Fvar%2Fcenter.db",
                     '/dining/months/export.xlsx?month=2026-11";%20filename=evil.sh'):
            # Not a month: told in Chinese (422, issue #11 finding 10), and no file, so no file name to forge.
            answer = httpx.get(server.url + path, headers={"Cookie": cookie})
            assert answer.status_code == 422 and "无法识别" in answer.text, path
            assert "content-disposition" not in answer.headers and answer.content[:2] != b"PK"
        answer = httpx.get(server.url + "/dining/months/export.xlsx?month=2026-11", headers={"Cookie": cookie})
        disposition = answer.headers["content-disposition"]
        assert re.fullmatch(r'attachment; filename="[a-z0-9-]+-\d{4}-\d{2}-[a-z0-9-]+\.xlsx"; '
                            r"filename\*=UTF-8''[A-Za-z0-9%._-]+\.xlsx", disposition), disposition
        assert answer.content[:2] == b"PK"  # a real workbook, nothing else

        # Ids beyond any column's range name nothing: 404, never a 500 (PostgreSQL int4, SQLite int8).
        worker = login_cookie(server.url, "worker")
        for path in ("/cases/99999999999", "/cases/99999999999999999999999", "/cases/99999999999/slip"):
            status, _ = raw_get(server.port, path, worker)
            assert status == 404, (path, status)
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()[-3000:]
