"""Against a real `center serve` process: throttling counts per account whatever address the attempts come from."""

import re

import httpx
import pytest

from center.tables import LoginAttempt
from tests.support.factories import PASSWORD, make_staff
from tests.support.live_server import LiveServer


@pytest.fixture
def server(db, tmp_root):
    live = LiveServer(
        {"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0"},
        tmp_root / "live-server.log",
    ).start()
    yield live
    live.stop()


def attempt(server: LiveServer, username: str, password: str, address: str) -> httpx.Response:
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 (its default), so each attempt comes from `address`.
    with httpx.Client(base_url=server.url, headers={"X-Forwarded-For": address}) as browser:
        form = browser.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
        return browser.post("/login", data={"_csrf_token": token, "username": username, "password": password})


async def test_eleventh_wrong_password_gets_429_even_from_a_new_address(server, db):
    person = await make_staff(db)
    for i in range(10):
        assert attempt(server, person["username"], "wrong", f"10.1.0.{i}").status_code == 422
    locked = attempt(server, person["username"], PASSWORD, "172.16.5.5")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.text
    addresses = {r["ip"] for r in await LoginAttempt.select(LoginAttempt.ip).where(LoginAttempt.username == person["username"])}
    assert {"10.1.0.0", "10.1.0.9", "172.16.5.5"} <= addresses
    assert server.process.poll() is None
