"""Layout, error pages, security headers and health through the HTTP interface."""

import re

import pytest
from bs4 import BeautifulSoup
from litestar import get

from center.web.sessions import SESSION_COOKIE
from tests.factories import login, make_staff

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


@pytest.mark.parametrize("path", ["/login", "/static/app.css", "/no-such-page", "/healthz"])
async def test_security_headers_on_every_response(client, path):
    response = await client.get(path)
    for header in SECURITY_HEADERS:
        assert header in response.headers, f"{header} missing on {path}"
    csp = response.headers["content-security-policy"]
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"


async def test_404_page_is_chinese_without_traceback(client):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.html["lang"] == "zh-CN"
    assert soup.h1.get_text() == "页面不存在"
    assert "Traceback" not in response.text and "NotFoundException" not in response.text


async def test_500_page_is_chinese_without_traceback(client, db):
    @get("/boom", name="test:boom", include_in_schema=False)
    async def boom() -> str:
        raise RuntimeError("secret internals 110101195001011234")

    client.app.register(boom)
    person = await make_staff(db)
    await login(client, person["username"])
    response = await client.get("/boom")
    assert response.status_code == 500
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.h1.get_text() == "系统出错了"
    for leak in ("Traceback", "RuntimeError", "secret internals", "110101195001011234"):
        assert leak not in response.text


async def test_login_page_is_a_chinese_page_with_vendored_htmx(client):
    response = await client.get("/login")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.html["lang"] == "zh-CN"
    scripts = [s["src"] for s in soup.find_all("script")]
    assert any(re.fullmatch(r"/static/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js", src) for src in scripts), scripts
    assert all(src.startswith("/static/") for src in scripts)
    config = soup.find("meta", attrs={"name": "htmx-config"})["content"]
    assert '"allowEval":false' in config and '"selfRequestsOnly":true' in config and '"historyCacheSize":0' in config
    for src in scripts:
        assert (await client.get(src)).status_code == 200, src


async def test_cookies_are_httponly_and_samesite(client, db):
    person = await make_staff(db)
    response = await login(client, person["username"])
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    session_cookie = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie


async def test_healthz_reports_database_and_scheduler(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "scheduler": "off"}
