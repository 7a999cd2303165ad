"""Logins, sessions, CSRF, role guards and center scoping through the HTTP interface (real database)."""

import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from center.tables import WebSession
from center.timeutil import utcnow
from center.web.sessions import SESSION_COOKIE
from tests.factories import PASSWORD, login, logout, make_center, make_staff

LANDING = {"worker": "/counter", "manager": "/counter", "admin": "/centers", "canteen": "/dining"}


@pytest.mark.parametrize("role", ["admin", "manager", "worker", "canteen"])
async def test_each_role_logs_in_and_out(client, db, role):
    person = await make_staff(db, role=role, display_name=f"测试{role}人员")
    response = await login(client, person["username"])
    assert response.status_code == 302
    assert response.headers["location"] == LANDING[role]

    page = await client.get(LANDING[role])
    assert page.status_code == 200
    assert f"测试{role}人员" in BeautifulSoup(page.text, "html.parser").select_one(".whoami").get_text()

    response = await logout(client)
    assert response.status_code == 302 and response.headers["location"].startswith("/login")
    after = await client.get(LANDING[role], follow_redirects=False)
    assert after.status_code == 302 and after.headers["location"].startswith("/login?next=")


async def test_session_id_changes_at_login_and_old_one_is_dead(client, db):
    first = await make_staff(db, role="worker")
    second = await make_staff(db, role="worker")
    client.cookies.set(SESSION_COOKIE, "chosen-by-an-attacker", domain="testserver.local")
    await login(client, first["username"])
    after_first = client.cookies.get(SESSION_COOKIE)
    assert after_first and after_first != "chosen-by-an-attacker"

    await login(client, second["username"])  # logging in again, even as another user, rotates the id
    after_second = client.cookies.get(SESSION_COOKIE)
    assert after_second != after_first
    assert not await WebSession.exists().where(WebSession.key == after_first)


async def test_old_session_is_dead_after_logout(client, db):
    person = await make_staff(db)
    await login(client, person["username"])
    stolen = client.cookies.get(SESSION_COOKIE)
    assert await WebSession.exists().where(WebSession.key == stolen)
    await logout(client)
    assert not await WebSession.exists().where(WebSession.key == stolen)
    client.cookies.set(SESSION_COOKIE, stolen, domain="testserver.local")
    replay = await client.get("/counter", follow_redirects=False)
    assert replay.status_code == 302 and replay.headers["location"].startswith("/login")


async def test_idle_session_expires(client, db):
    person = await make_staff(db)
    await login(client, person["username"])
    key = client.cookies.get(SESSION_COOKIE)
    await WebSession.update({WebSession.expires_at: utcnow() - timedelta(seconds=1)}).where(WebSession.key == key)
    response = await client.get("/counter", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"].startswith("/login")


async def test_session_ends_twelve_hours_after_login_however_active(client, db):
    person = await make_staff(db)
    await login(client, person["username"])
    key = client.cookies.get(SESSION_COOKIE)
    row = await WebSession.select(WebSession.data).where(WebSession.key == key).first()
    data = json.loads(bytes(row["data"]))
    data["login_at"] -= 12 * 3600 + 1
    await WebSession.update({WebSession.data: json.dumps(data).encode()}).where(WebSession.key == key)
    response = await client.get("/counter", follow_redirects=False)
    assert response.status_code == 302 and "expired=1" in response.headers["location"]
    notice = await client.get(response.headers["location"])
    assert "登录已超时" in notice.text


async def test_unsafe_requests_without_csrf_token_are_refused(client, db):
    person = await make_staff(db)
    refused = await client.post("/login", data={"username": person["username"], "password": PASSWORD})
    assert refused.status_code == 403
    assert "刷新页面" in refused.text
    await login(client, person["username"])
    refused = await client.post("/logout", data={})
    assert refused.status_code == 403
    still_in = await client.get("/counter", follow_redirects=False)
    assert still_in.status_code == 200


async def test_csrf_header_is_accepted_like_the_form_field(client, db):
    person = await make_staff(db)
    await login(client, person["username"])
    page = await client.get("/counter")
    token = json.loads(BeautifulSoup(page.text, "html.parser").body["data-hx-headers"])["x-csrftoken"]
    response = await client.post("/logout", headers={"x-csrftoken": token, "hx-request": "true"},
                                 follow_redirects=False)
    assert response.status_code == 302


async def test_wrong_password_rerenders_the_form_in_chinese(client, db):
    person = await make_staff(db)
    response = await login(client, person["username"], "not-the-password")
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    assert "用户名或密码不正确" in soup.select_one("[role=alert]").get_text()
    assert soup.select_one("input[name=username]")["value"] == person["username"]


async def test_login_page_answers_429_when_the_account_is_locked(client, db):
    person = await make_staff(db)
    for _ in range(10):
        assert (await login(client, person["username"], "wrong")).status_code == 422
    response = await login(client, person["username"], PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text


async def test_login_goes_to_next_but_never_off_site(client, db):
    person = await make_staff(db, role="manager")
    assert (await login(client, person["username"], next="/rosters")).headers["location"] == "/rosters"
    assert (await login(client, person["username"], next="//evil.example/x")).headers["location"] == "/counter"
    assert (await login(client, person["username"], next="https://evil.example")).headers["location"] == "/counter"


async def test_anonymous_visitors_are_sent_to_login(client, db):
    response = await client.get("/rosters?week=2026-11-23", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=%2Frosters%3Fweek%3D2026-11-23"
    htmx = await client.get("/counter", headers={"hx-request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/login")


@pytest.mark.parametrize(("role", "path"), [("worker", "/rosters"), ("worker", "/dining"), ("canteen", "/counter"),
                                            ("canteen", "/rosters")])
async def test_roles_cannot_open_other_areas(client, db, role, path):
    person = await make_staff(db, role=role)
    await login(client, person["username"])
    response = await client.get(path)
    assert response.status_code == 403
    assert BeautifulSoup(response.text, "html.parser").h1.get_text() == "无权访问"


async def test_staff_see_only_their_own_center(client, db):
    home = await make_center(name="本中心")
    other = await make_center(name="别的中心")
    worker = await make_staff(db, role="worker", center=home, display_name="本中心社工")
    await make_staff(db, role="worker", center=other, display_name="别处社工")
    await login(client, worker["username"])

    own = await client.get(f"/centers/{home['slug']}")
    assert own.status_code == 200
    names = [td.get_text() for td in BeautifulSoup(own.text, "html.parser").select("tbody td:first-child")]
    assert "本中心社工" in names and "别处社工" not in names

    foreign = await client.get(f"/centers/{other['slug']}")
    assert foreign.status_code == 403
    assert "别处社工" not in foreign.text and "别的中心" not in foreign.text

    listing = await client.get("/centers", follow_redirects=False)
    assert listing.status_code == 302 and listing.headers["location"] == f"/centers/{home['slug']}"


async def test_admin_sees_every_center_and_the_list_fragment(client, db):
    await make_center(name="甲中心")
    second = await make_center(name="乙中心")
    admin = await make_staff(db, role="admin")
    await login(client, admin["username"])
    page = await client.get("/centers")
    assert page.status_code == 200 and "甲中心" in page.text and "乙中心" in page.text
    assert "HX-Target" in page.headers["vary"]
    assert (await client.get(f"/centers/{second['slug']}")).status_code == 200

    fragment = await client.get("/centers", headers={"hx-request": "true", "hx-target": "center-rows"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and fragment.text.strip().startswith("<tr>")
    assert "甲中心" in fragment.text
    # Accept-Encoding joins when the answer is gzipped (the client asks for it)
    assert {v.strip() for v in fragment.headers["vary"].split(",")} - {"Accept-Encoding"} == {"HX-Request", "HX-Target"}
