"""Issue #11, finding 8: absolute URLs trusted the Host header, so `Host: evil.example` put the attacker's address
in the slip's QR code and the iCal link. Now CENTER_BASE_URL builds them, and a request naming another host gets
400 in Chinese unless that host is in CENTER_ALLOWED_HOSTS."""

import pytest
from bs4 import BeautifulSoup
from litestar.testing import AsyncTestClient

from center.app import create_app
from center.config import DEMO_PASSWORD, ConfigError, load_settings
from tests.factories import csrf_token, load_demo, login

BASE = "https://center.example.gov.cn"


@pytest.fixture
async def app_at_base(db):
    await load_demo(db)
    return create_app(db.with_(base_url=BASE, allowed_hosts=("testserver.local", "kiosk.lan")))


async def test_the_slip_and_the_ical_link_point_at_the_base_url_whatever_the_host(app_at_base):
    async with AsyncTestClient(app=app_at_base, base_url="http://kiosk.lan") as client:
        await login(client, "worker", DEMO_PASSWORD)
        token = await csrf_token(client, "/counter")
        from tests.routes.test_counter_routes import receive

        case = await receive(client)
        slip = BeautifulSoup((await client.get(case.headers["location"] + "/slip")).text, "html.parser")
        assert slip.select_one(".qr")["data-url"].startswith(BASE + "/s/")
        duty = BeautifulSoup((await client.get("/duty")).text, "html.parser")
        assert duty.select_one(".ical-url")["value"].startswith(BASE + "/ical/")
        assert token


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "center.example.gov.cn.evil.example", ""])
async def test_a_request_for_another_host_is_refused_in_chinese(app_at_base, host):
    async with AsyncTestClient(app=app_at_base, base_url="http://kiosk.lan") as client:
        for path in ("/login", "/screen/daxi", "/api/v1/catalog"):
            answer = await client.get(path, headers={"host": host})
            assert answer.status_code == 400, (path, host)
            assert "请使用中心公布的网址" in answer.text
        assert (await client.get("/healthz", headers={"host": host})).status_code == 200  # load balancer probes
        for allowed in ("center.example.gov.cn", "kiosk.lan:8000", "KIOSK.lan"):
            assert (await client.get("/screen/daxi", headers={"host": allowed})).status_code == 200, allowed


def test_the_base_url_is_required_outside_demo_and_must_be_an_origin(monkeypatch):
    monkeypatch.setenv("CENTER_DEMO", "1")
    monkeypatch.delenv("CENTER_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8000")
    assert load_settings().base_url == "http://127.0.0.1:8000"
    assert {"127.0.0.1", "localhost"} <= load_settings().hosts
    monkeypatch.setenv("CENTER_BASE_URL", "https://center.example.gov.cn/")
    monkeypatch.setenv("CENTER_ALLOWED_HOSTS", "kiosk.lan, 192.168.1.10")
    settings = load_settings()
    assert settings.base_url == BASE and settings.hosts == {"center.example.gov.cn", "kiosk.lan", "192.168.1.10"}
    for wrong in ("center.example.gov.cn", "ftp://x.example", "https://x.example/center", "https://"):
        monkeypatch.setenv("CENTER_BASE_URL", wrong)
        with pytest.raises(ConfigError, match="CENTER_BASE_URL"):
            load_settings()
    monkeypatch.setenv("CENTER_DEMO", "0")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("CENTER_BASE_URL")
    with pytest.raises(ConfigError, match="CENTER_BASE_URL is required outside demo mode"):
        load_settings()
