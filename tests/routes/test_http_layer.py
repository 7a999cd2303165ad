"""The HTTP layer every page shares: compression, fingerprinted static files cached for a year, 304s, no-store."""

from __future__ import annotations

import gzip
import re

import pytest
from bs4 import BeautifulSoup

from center.config import DEMO_PASSWORD
from center.web.assets import Assets
from tests.factories import login, logout

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}  # httpx asks for gzip by itself unless told otherwise
TOKEN = {"Authorization": "Bearer demo-terminal-1"}
FINGERPRINTED = re.compile(r"/static/[\w.-]+\.[0-9a-f]{12}\.(css|js|svg)")


def asset_urls(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [tag.get("href") or tag.get("src") for tag in soup.select("link[href], script[src]")]


async def static_url(client, name: str) -> str:
    return client.app.state.assets.url(name)


# ---- compression


@pytest.mark.parametrize("name", ["app.css", "app.js", "htmx-2.0.11.min.js"])
async def test_css_and_js_are_gzipped_for_a_browser_that_asks(client, name):
    url = await static_url(client, name)
    plain = await client.get(url, headers=IDENTITY)
    packed = await client.get(url, headers=GZIP)
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    assert packed.content == plain.content  # httpx inflated it: the same file
    assert "content-encoding" not in plain.headers


async def test_html_pages_are_gzipped_and_not_without_accept_encoding(demo_client):
    await login(demo_client, "worker", DEMO_PASSWORD)
    packed = await demo_client.get("/counter", headers=GZIP)
    assert packed.status_code == 200 and packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower() and "hx-target" in packed.headers["vary"].lower()
    assert "<h1" in packed.text
    plain = await demo_client.get("/counter", headers=IDENTITY)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers


async def test_compressed_bytes_on_the_wire_are_real_gzip(client):
    url = await static_url(client, "app.css")
    async with client.stream("GET", url, headers=GZIP) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert raw[:2] == b"\x1f\x8b" and gzip.decompress(raw).startswith(b"/*")


async def test_the_terminal_api_tiny_answers_are_not_compressed(demo_client):
    balance = await demo_client.get("/api/v1/seniors/D0301/balance", headers={**TOKEN, **GZIP})
    assert balance.status_code == 200 and "content-encoding" not in balance.headers
    meal = await demo_client.post("/api/v1/meals", json={"card_no": "D0301", "kind": "lunch", "price_fen": 1500},
                           headers={**TOKEN, **GZIP, "Idempotency-Key": "http-layer-1"})
    assert meal.status_code == 201 and "content-encoding" not in meal.headers
    assert set(meal.json()) == {"meal_id", "subsidy_fen", "paid_fen", "balance_fen"}


async def test_the_screen_still_answers_304_when_compressed(demo_client):
    first = await demo_client.get("/screen/daxi", headers=GZIP)
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    etag = first.headers["etag"]
    again = await demo_client.get("/screen/daxi", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert "content-encoding" not in again.headers
    assert again.headers["cache-control"] == "no-cache"  # the screen keeps its own caching, not no-store


# ---- fingerprinted static files


async def test_pages_link_fingerprinted_static_files_only(demo_client):
    for path in ("/login", "/screen/daxi"):
        urls = asset_urls((await demo_client.get(path)).text)
        assert urls, path
        for url in urls:
            assert FINGERPRINTED.fullmatch(url), (path, url)
            assert (await demo_client.get(url)).status_code == 200, url


async def test_a_fingerprinted_file_is_cached_for_a_year_immutable(client):
    url = await static_url(client, "app.css")
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"].startswith("text/css")
    assert response.headers["etag"] and response.headers["last-modified"]


async def test_a_conditional_get_of_a_static_file_gets_304(client):
    url = await static_url(client, "app.js")
    first = await client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    by_etag = await client.get(url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.content == b"" and by_etag.headers["etag"] == etag
    assert (await client.get(url, headers={"If-None-Match": f"W/{etag}, \"other\""})).status_code == 304
    assert (await client.get(url, headers={"If-Modified-Since": modified})).status_code == 304
    assert (await client.get(url, headers={"If-None-Match": '"stale"'})).status_code == 200
    plain = await client.get("/static/app.js", headers={"If-None-Match": etag})
    assert plain.status_code == 304  # the plain name revalidates too


async def test_the_plain_name_and_an_old_fingerprint_are_revalidated_not_immutable(client):
    plain = await client.get("/static/app.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    old = await client.get("/static/app.000000000000.css")
    assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"
    assert old.content == plain.content
    assert (await client.get("/static/nothing.000000000000.css")).status_code == 404
    assert (await client.get("/static/nothing.css")).status_code == 404


def test_the_fingerprint_follows_the_content(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black }")
    before = Assets(tmp_path).url("site.css")
    (tmp_path / "site.css").write_text("body { color: navy }")
    after = Assets(tmp_path).url("site.css")
    assert before != after and re.fullmatch(r"/static/site\.[0-9a-f]{12}\.css", after)
    with pytest.raises(LookupError):
        Assets(tmp_path).url("missing.css")


# ---- no-store on everything behind a login


async def test_staff_pages_and_fragments_are_no_store(demo_client):
    await login(demo_client, "worker", DEMO_PASSWORD)
    page = await demo_client.get("/counter")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    fragment = await demo_client.get("/counter", headers={"HX-Request": "true", "HX-Target": "sidebar"})
    assert fragment.headers["cache-control"] == "no-store"
    assert (await demo_client.get("/login")).headers["cache-control"] == "no-store"  # it carries a CSRF token
    assert (await demo_client.get("/no-such-page")).headers["cache-control"] == "no-store"


async def test_public_answers_keep_their_own_caching(demo_client):
    assert (await demo_client.get("/screen/daxi")).headers["cache-control"] == "no-cache"
    assert "no-store" not in (await demo_client.get("/api/v1/catalog")).headers.get("cache-control", "")


async def test_after_logout_the_counter_is_not_served_from_anywhere(demo_client):
    await login(demo_client, "worker", DEMO_PASSWORD)
    assert (await demo_client.get("/counter")).status_code == 200
    await logout(demo_client)
    again = await demo_client.get("/counter", follow_redirects=False)
    assert again.status_code in (302, 303) and again.headers["location"].startswith("/login")
