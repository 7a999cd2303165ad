"""Against a real `center serve` process: throttling counts per account whatever address the attempts come from."""

import re

import httpx
import pytest

from center.tables import LoginAttempt
from tests.factories import PASSWORD, make_staff
from tests.support.live_server import LiveServer


@pytest.fixture
def server(db, tmp_root):
    # Behind a reverse proxy on this machine: its X-Forwarded-For is believed (CENTER_TRUSTED_PROXIES).
    live = LiveServer(
        {"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0",
         "CENTER_TRUSTED_PROXIES": "127.0.0.1"},
        tmp_root / "live-server.log",
    ).start()
    yield live
    live.stop()


@pytest.fixture
def direct_server(db, tmp_root):
    # No proxy configured, as by default: nobody's X-Forwarded-For is believed, not even from loopback.
    live = LiveServer({"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0"},
                      tmp_root / "direct-server.log").start()
    yield live
    live.stop()


def attempt(server: LiveServer, username: str, password: str, address: str) -> httpx.Response:
    # From the trusted proxy on 127.0.0.1, each attempt comes from `address`.
    headers = {"X-Forwarded-For": address} if address else {}
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as browser:
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


async def test_a_forged_forwarded_address_is_not_believed_without_a_trusted_proxy(direct_server, db):
    """Issue #11, finding 9: X-Forwarded-For: 6.6.6.6 from a loopback peer went into the audit log."""
    from center.tables import AuditLog

    person = await make_staff(db)
    assert attempt(direct_server, person["username"], "wrong", "6.6.6.6").status_code == 422
    assert attempt(direct_server, person["username"], PASSWORD, "6.6.6.6").status_code in (200, 302, 303)
    addresses = {r["ip"] for r in await LoginAttempt.select(LoginAttempt.ip).where(LoginAttempt.username == person["username"])}
    audited = {r["ip"] for r in await AuditLog.select(AuditLog.ip)}
    assert addresses == {"127.0.0.1"}
    assert "6.6.6.6" not in audited and "127.0.0.1" in audited


def test_trusted_proxies_are_addresses_or_networks(monkeypatch):
    from center.config import ConfigError, load_settings

    monkeypatch.setenv("CENTER_DEMO", "1")
    monkeypatch.delenv("CENTER_TRUSTED_PROXIES", raising=False)
    assert load_settings().trusted_proxies == ()
    monkeypatch.setenv("CENTER_TRUSTED_PROXIES", " 10.0.0.5, 192.168.10.0/24 ")
    assert load_settings().trusted_proxies == ("10.0.0.5", "192.168.10.0/24")
    monkeypatch.setenv("CENTER_TRUSTED_PROXIES", "proxy.local")
    with pytest.raises(ConfigError, match="CENTER_TRUSTED_PROXIES"):
        load_settings()


async def test_sixty_parallel_wrong_logins_to_a_real_server_check_at_most_ten_passwords(direct_server, db):
    """Issue #11, finding 3, as the review did it: sixty browsers at once against one account."""
    from concurrent.futures import ThreadPoolExecutor

    person = await make_staff(db)
    with ThreadPoolExecutor(max_workers=60) as pool:
        answers = list(pool.map(lambda i: attempt(direct_server, person["username"], "wrong", "").status_code,
                                range(60)))
    assert sorted(set(answers)) == [422, 429] and answers.count(422) <= 10
    outcomes = [r["outcome"] for r in await LoginAttempt.select(LoginAttempt.outcome).where(
        LoginAttempt.username == person["username"])]
    assert len(outcomes) == 60 and outcomes.count("failure") == answers.count(422) <= 10
    assert direct_server.process.poll() is None
