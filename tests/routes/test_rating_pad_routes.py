"""The rating pads' set-up (/ratings/pads, issue #14): the manager registers a pad for a window and gets its address
and a QR once; the tablet that opens it rates that window's services; revoking asks first, cannot be undone, and
the tablet stops at once. Workers see the list only; every change is in the audit log."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from center.tables import AuditLog, RatingPad
from tests.factories import csrf_token, soup
from tests.support.qr import decode_svg_qr


async def _register(client, window: str = "3号窗口", name: str = "三号窗平板"):
    csrf = await csrf_token(client, "/ratings/pads")
    return await client.post("/ratings/pads", data={"_csrf_token": csrf, "window": window, "name": name},
                             follow_redirects=False)


async def test_the_ratings_page_links_to_the_pads_for_a_manager(manager_client):
    page = soup(await manager_client.get("/ratings"))
    link = page.select_one(".page-head a[href='/ratings/pads']")
    assert link is not None and link.get_text(strip=True) == "窗口评价器"


async def test_the_pads_page_lists_the_centers_pads_and_offers_its_windows(manager_client):
    answer = await manager_client.get("/ratings/pads")
    assert answer.status_code == 200
    page = soup(answer)
    rows = page.select("table.pads tbody tr[data-pad]")
    assert rows and rows[-1].select("td")[0].get_text(strip=True) == "2号窗口"  # the demo's pad
    assert "使用中" in rows[-1].get_text()
    options = [o["value"] for o in page.select("select[name=window] option") if o["value"]]
    assert "1号窗口" in options and "2号窗口" in options


async def test_registering_shows_the_address_once_with_a_qr_that_opens_the_pad(manager_client, client, db):
    answer = await _register(manager_client)
    assert answer.status_code == 201
    page = soup(answer)
    shown = page.select_one("[data-pad-address]").get_text(strip=True)
    token = page.select_one("[data-token]").get_text(strip=True)
    assert shown == f"http://testserver.local/rate/daxi/3%E5%8F%B7%E7%AA%97%E5%8F%A3?pad={token}"  # 3号窗口
    assert unquote(urlsplit(shown).path) == "/rate/daxi/3号窗口"
    # The QR says exactly that address, as a tablet's camera reads it.
    assert decode_svg_qr(str(page.select_one("figure.pad-qr svg"))) == [shown]
    assert page.select_one("figure.pad-qr")["data-url"] == shown
    row = page.select_one("table.pads tbody tr[data-pad]")
    assert row.select("td")[0].get_text(strip=True) == "3号窗口" and row.select("td")[1].get_text(strip=True) == "三号窗平板"
    pad_id = int(row["data-pad"])
    assert await AuditLog.exists().where(
        (AuditLog.action == "rating_pad.register") & (AuditLog.object_id == str(pad_id)))
    # Only its hash is kept; the page shown again has no token.
    stored = await RatingPad.select(RatingPad.token_hash).where(RatingPad.id == pad_id).first()
    assert token not in stored["token_hash"]
    again = await manager_client.get("/ratings/pads")
    assert token not in again.text and soup(again).select_one("[data-pad-address]") is None
    # A tablet (another browser) opening the address is bound to the window.
    opened = await client.get(shown.replace("http://testserver.local", ""), follow_redirects=True)
    assert opened.status_code == 200 and "评价器未登记" not in opened.text and "3号窗口" in opened.text


async def test_a_registration_without_a_window_comes_back_with_the_message(manager_client):
    answer = await _register(manager_client, window="", name="没有窗口")
    assert answer.status_code == 422
    page = soup(answer)
    assert "请填写窗口号" in page.select_one("#pad-window-error").get_text()
    assert page.select_one("input[name=name]")["value"] == "没有窗口"
    assert page.select_one("[data-pad-address]") is None


async def test_revoking_asks_first_and_then_the_tablet_stops(manager_client, client, db):
    page = soup(await _register(manager_client, window="4号窗口", name=""))
    address = page.select_one("[data-pad-address]").get_text(strip=True).replace("http://testserver.local", "")
    pad_id = int(page.select_one("table.pads tbody tr[data-pad]")["data-pad"])
    assert (await client.get(address, follow_redirects=True)).status_code == 200  # the tablet is bound

    csrf = await csrf_token(manager_client, "/ratings/pads")
    ask = await manager_client.post(f"/ratings/pads/{pad_id}/revoke", data={"_csrf_token": csrf},
                                    follow_redirects=False)
    assert ask.status_code == 200
    question = soup(ask)
    assert "吊销评价器 4号窗口" in question.get_text() and "不能撤销" in question.get_text()
    assert question.select_one("button[name=confirm][value='1']").get_text(strip=True) == "确认吊销"
    assert (await RatingPad.select(RatingPad.revoked_at).where(RatingPad.id == pad_id).first())["revoked_at"] is None

    done = await manager_client.post(f"/ratings/pads/{pad_id}/revoke", data={"_csrf_token": csrf, "confirm": "1"},
                                     follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/ratings/pads"
    listing = soup(await manager_client.get("/ratings/pads"))
    row = listing.select_one(f"tr[data-pad='{pad_id}']")
    assert "已吊销" in row.get_text() and row.select_one("form") is None  # no second revoke, no undo
    assert await AuditLog.exists().where(
        (AuditLog.action == "rating_pad.revoke") & (AuditLog.object_id == str(pad_id)))
    # The bound tablet is refused at once.
    tablet = await client.get(unquote(address.split("?")[0]))
    assert "评价器未登记" in tablet.text
    # Asking again about a revoked pad changes nothing and says so.
    again = await manager_client.post(f"/ratings/pads/{pad_id}/revoke", data={"_csrf_token": csrf},
                                      follow_redirects=True)
    assert "已经吊销" in again.text


async def test_a_worker_sees_the_pads_but_cannot_register_or_revoke(worker_client, db):
    page = soup(await worker_client.get("/ratings/pads"))
    assert page.select("table.pads tbody tr[data-pad]") and page.select_one("form[action='/ratings/pads']") is None
    assert page.select_one("table.pads form") is None
    csrf = await csrf_token(worker_client, "/ratings/pads")
    before = await RatingPad.count()
    assert (await worker_client.post("/ratings/pads", data={"_csrf_token": csrf, "window": "2号窗口"})).status_code == 403
    pad_id = (await RatingPad.select(RatingPad.id).first())["id"]
    for data in ({}, {"confirm": "1"}):
        answer = await worker_client.post(f"/ratings/pads/{pad_id}/revoke", data={"_csrf_token": csrf, **data})
        assert answer.status_code == 403
    assert await RatingPad.count() == before
    assert (await RatingPad.select(RatingPad.revoked_at).where(RatingPad.id == pad_id).first())["revoked_at"] is None


async def test_another_centers_pad_is_404_to_a_manager(manager_client, db):
    from center.tables import Center

    other = (await Center.select(Center.id).where(Center.slug == "huanghe").first())["id"]
    from datetime import datetime, timezone

    pad_id = (await RatingPad.insert(RatingPad(center=other, window="1号窗口", token_hash="x" * 64,
                                               created_at=datetime.now(timezone.utc))).returning(RatingPad.id))[0]["id"]
    csrf = await csrf_token(manager_client, "/ratings/pads")
    for data in ({}, {"confirm": "1"}):
        answer = await manager_client.post(f"/ratings/pads/{pad_id}/revoke", data={"_csrf_token": csrf, **data})
        assert answer.status_code == 404
