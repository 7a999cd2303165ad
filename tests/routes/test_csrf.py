"""CSRF tokens belong to the server-side session they were issued for (issue #11, finding 6).

A token taken from someone else's page (an anonymous login page the attacker opened, with its cookies planted in the
victim's browser) does nothing in the victim's session; the token of the page before a login or a logout stops
working after it; over https the session cookie is `__Host-` (Secure, Path=/, no Domain), so it cannot be planted.
"""

from http.cookies import SimpleCookie

import pytest
from litestar.testing import AsyncTestClient

from center.app import create_app
from center.config import DEMO_PASSWORD
from center.tables import Item, WebSession
from center.web.sessions import SESSION_COOKIE
from tests.factories import csrf_token, item_id, load_demo, login, logout

BASE = "http://testserver.local"


@pytest.fixture
async def attacker(db):
    """Another browser: the attacker's own, never logged in."""
    async with AsyncTestClient(app=create_app(db), base_url=BASE) as other:
        yield other


async def is_active(code: str) -> bool:
    return (await Item.select(Item.active).where(Item.code == code).first())["active"]


async def switch_off(client, code: str, token: str, *, htmx: bool = False):
    """Deactivate a catalog item: a real write that leaves the counter without it."""
    target = await item_id(code)
    if htmx:
        return await client.post(f"/catalog/{target}/active", data={"active": "0"}, follow_redirects=False,
                                 headers={"x-csrftoken": token, "hx-request": "true"})
    return await client.post(f"/catalog/{target}/active", data={"_csrf_token": token, "active": "0"},
                             follow_redirects=False)


def plant_cookies(source, victim) -> None:
    """Every cookie of the attacker's browser except its session cookie goes into the victim's (a cookie planted
    from a sibling subdomain or over plain http): the victim keeps being logged in as themselves."""
    for cookie in source.cookies.jar:
        if cookie.name != SESSION_COOKIE:
            victim.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
async def test_a_token_from_an_anonymous_login_page_does_nothing_in_a_logged_in_session(manager_client, attacker, htmx):
    token = await csrf_token(attacker, "/login")
    plant_cookies(attacker, manager_client)
    code = "GA02" if htmx else "GA01"
    response = await switch_off(manager_client, code, token, htmx=htmx)
    assert response.status_code == 403
    assert "页面已过期" in response.text  # the Chinese CSRF page (htmx shows its toast on the 403)
    assert await is_active(code)  # nothing changed


async def test_a_login_form_from_another_browser_does_not_log_this_one_in(client, attacker, db):
    await load_demo(db)
    token = await csrf_token(attacker, "/login")
    await client.get("/login")  # this browser has an anonymous session of its own
    plant_cookies(attacker, client)
    response = await client.post("/login", data={"_csrf_token": token, "username": "manager",
                                                 "password": DEMO_PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert (await client.get("/counter", follow_redirects=False)).status_code == 302  # still logged out


async def test_the_token_of_the_login_page_stops_working_once_logged_in(client, db):
    await load_demo(db)
    before = await csrf_token(client, "/login")
    response = await client.post("/login", data={"_csrf_token": before, "username": "manager",
                                                 "password": DEMO_PASSWORD}, follow_redirects=False)
    assert response.status_code == 302
    assert (await switch_off(client, "GA03", before)).status_code == 403
    assert await is_active("GA03")
    after = await csrf_token(client, "/counter")
    assert after != before
    assert (await switch_off(client, "GA03", after)).status_code == 302
    assert not await is_active("GA03")


async def test_logging_out_retires_the_token_even_for_the_same_user_logging_in_again(manager_client):
    token = await csrf_token(manager_client, "/counter")
    assert (await logout(manager_client)).status_code == 302
    assert (await login(manager_client, "manager", DEMO_PASSWORD)).status_code == 302
    assert (await switch_off(manager_client, "GA04", token)).status_code == 403
    assert await is_active("GA04")


async def test_a_logged_in_users_own_token_works_in_the_form_field(manager_client):
    token = await csrf_token(manager_client, "/catalog")
    assert (await switch_off(manager_client, "GA05", token)).status_code == 302
    assert not await is_active("GA05")


async def test_a_logged_in_users_own_token_works_in_the_htmx_header(manager_client):
    token = await csrf_token(manager_client, "/catalog")
    response = await switch_off(manager_client, "GA06", token, htmx=True)
    assert response.status_code in (200, 302)
    assert not await is_active("GA06")


async def test_each_page_carries_a_fresh_mask_of_the_same_token(manager_client):
    first, second = await csrf_token(manager_client, "/catalog"), await csrf_token(manager_client, "/catalog")
    assert first != second  # a compressed page must not repeat a constant next to reflected input (BREACH)
    assert (await switch_off(manager_client, "GA07", first)).status_code == 302
    assert not await is_active("GA07")


async def test_a_token_altered_by_one_character_is_refused(manager_client):
    token = await csrf_token(manager_client, "/catalog")
    forged = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    assert (await switch_off(manager_client, "GA08", forged)).status_code == 403
    assert await is_active("GA08")


# ---- a post that arrives after its session ended: nobody's token to check, nobody to act for


async def test_a_post_without_a_session_is_let_through_only_from_this_centers_own_pages(client, db):
    await load_demo(db)
    item = str(await item_id("MZ02"))
    typed = {"item_id": item, "action": "accept", "resident_name": "孙某"}

    async def post(headers):
        return await client.post("/counter/receive", data=typed, headers=headers, follow_redirects=False)

    for foreign in ({}, {"origin": "https://evil.example"}, {"origin": "null"},
                    {"sec-fetch-site": "cross-site", "origin": BASE}, {"sec-fetch-site": "same-site"}):
        assert (await post(foreign)).status_code == 403, foreign
    assert not any("孙某".encode() in bytes(r["data"]) for r in await WebSession.select(WebSession.data))
    for own in ({"origin": BASE}, {"sec-fetch-site": "same-origin"}):
        kept = await post(own)
        assert kept.status_code == 302 and "kept=1" in kept.headers["location"], own  # kept as a draft, not acted on


async def test_a_same_origin_post_in_a_logged_in_session_still_needs_its_token(manager_client):
    target = await item_id("GA09")
    response = await manager_client.post(f"/catalog/{target}/active", data={"active": "0"}, follow_redirects=False,
                                  headers={"origin": BASE, "sec-fetch-site": "same-origin"})
    assert response.status_code == 403
    assert await is_active("GA09")


# ---- cookies


def set_cookies(response) -> dict[str, str]:
    """name -> the whole Set-Cookie header, for each cookie the response sets."""
    found = {}
    for name, value in response.headers.multi_items():
        if name.lower() == "set-cookie":
            found[next(iter(SimpleCookie(value).keys()))] = value
    return found


async def test_over_https_the_session_cookie_is_host_only_secure_and_the_only_cookie(db):
    await load_demo(db)
    https = db.with_(https=True, base_url="https://testserver.local")
    async with AsyncTestClient(app=create_app(https), base_url="https://testserver.local") as browser:
        page = await browser.get("/login")
        anonymous = set_cookies(page)
        assert list(anonymous) == ["__Host-" + SESSION_COOKIE]
        token = await csrf_token(browser, "/login")
        response = await browser.post("/login", data={"_csrf_token": token, "username": "manager",
                                                      "password": DEMO_PASSWORD}, follow_redirects=False)
        assert response.status_code == 302
        logged_in = set_cookies(response)
        assert list(logged_in) == ["__Host-" + SESSION_COOKIE]
        for header in (*anonymous.values(), *logged_in.values()):
            attributes = [part.strip().lower() for part in header.split(";")[1:]]
            assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
            assert not any(a.startswith("domain") for a in attributes), header
        # The prefixed cookie is the one read back: the manager's own token works over https.
        token = await csrf_token(browser, "/catalog")
        assert (await switch_off(browser, "GA10", token)).status_code == 302
        assert not await is_active("GA10")


async def test_over_plain_http_the_cookie_keeps_its_plain_name(client, db):
    await load_demo(db)
    assert list(set_cookies(await client.get("/login"))) == [SESSION_COOKIE]


@pytest.mark.parametrize("path", ["/screen/daxi", "/healthz", "/api/v1/catalog", "/ical/not-a-feed.ics",
                                  "/s/not-a-slip", "/static/app.css"])
async def test_public_pages_set_no_cookie(client, db, path):
    await load_demo(db)
    response = await client.get(path)
    assert response.status_code < 500
    assert "set-cookie" not in response.headers, path


async def test_a_form_sent_after_a_logout_in_another_tab_is_kept_for_after_the_login(client, db):
    """The kiosk's other tab logged out (the login page then gave this browser an anonymous session with a token of
    its own): the form of the first tab still carries the old token. It acts for nobody, so it goes to the login
    page with the typed work kept, as after a timeout; never a 403 that loses it."""
    await load_demo(db)
    assert (await login(client, "worker", DEMO_PASSWORD)).status_code == 302
    old_token = await csrf_token(client, "/counter")
    await logout(client)
    await client.get("/login")  # where the other tab landed
    typed = {"_csrf_token": old_token, "item_id": str(await item_id("MZ02")), "action": "accept",
             "resident_name": "钱某"}
    kept = await client.post("/counter/receive", data=typed, headers={"sec-fetch-site": "same-origin"},
                             follow_redirects=False)
    assert kept.status_code == 302 and "kept=1" in kept.headers["location"]
    assert (await client.post("/counter/receive", data=typed, follow_redirects=False)).status_code == 403  # not ours
