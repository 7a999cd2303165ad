"""A finished service is rated from the case page too (issue #14): a consultation's printable 评价回执 whose QR
opens the status page with the rating form, and a 回访 form on a finished case not rated yet."""

from __future__ import annotations

import pytest

from center.domain.ratings import CALLBACK_METHODS
from center.services import ratings as rating_service
from center.tables import AuditLog, Case, Rating
from center.config import DEMO_PASSWORD
from tests.factories import accept_case, act_on_case, csrf_token, login, logout, soup
from tests.support.qr import decode_svg_qr


@pytest.fixture(autouse=True)
def no_address_limit(monkeypatch):
    monkeypatch.setattr(rating_service, "MAX_PER_ADDRESS", 10_000)


async def _token(case_id: int) -> str:
    return (await Case.select(Case.public_token).where(Case.id == case_id).first())["public_token"]


async def test_a_consultation_prints_a_rating_receipt_whose_qr_opens_the_rating_form(worker_client, db):
    case_id = await accept_case(worker_client, action="consult")
    page = soup(await worker_client.get(f"/cases/{case_id}"))
    link = page.select_one("a[data-receipt]")
    assert link.get_text(strip=True) == "打印评价回执" and link["href"] == f"/cases/{case_id}/slip?variant=receipt"

    answer = await worker_client.get(link["href"])
    assert answer.status_code == 200
    receipt = soup(answer)
    assert receipt.select_one(".slip-title").get_text(strip=True) == "服务评价回执"
    assert receipt.select_one(".slip-materials") is None  # short: no materials table
    token = await _token(case_id)
    status_url = f"http://testserver.local/s/{token}"
    # What a phone's camera reads on the receipt, and the page it gets: the rating form, no login.
    assert decode_svg_qr(str(receipt.select_one("figure.receipt-qr svg"))) == [status_url]
    assert receipt.select_one("figure.receipt-qr")["data-url"] == status_url
    assert "张桂英" not in answer.text
    await logout(worker_client)
    status = soup(await worker_client.get(f"/s/{token}"))
    assert status.select_one("form.rating-form")["action"] == f"/s/{token}/rate"


async def test_a_case_still_open_has_no_receipt_and_no_callback(worker_client, db):
    case_id = await accept_case(worker_client)
    page = soup(await worker_client.get(f"/cases/{case_id}"))
    assert page.select_one("a[data-receipt]") is None and page.select_one("[data-rating]") is None
    slip = soup(await worker_client.get(f"/cases/{case_id}/slip?variant=receipt"))
    assert slip.select_one(".slip-title").get_text(strip=True) == "“一窗通办”一次性告知单"  # the slip, as before


async def test_a_finished_case_not_rated_takes_a_callback_rating_once(worker_client, db):
    case_id = await accept_case(worker_client)
    assert (await act_on_case(worker_client, case_id, action="complete", confirm="1")).status_code in (200, 302)
    page = soup(await worker_client.get(f"/cases/{case_id}"))
    assert page.select_one("a[data-receipt]") is None  # a completed case's slip already carries the QR
    # The worker who served does not record the resident's word about it: a colleague or the manager calls back.
    assert page.select_one("[data-rating=callback]") is None
    assert "其他工作人员" in page.select_one("[data-rating=not-by-receiver]").get_text()
    csrf = await csrf_token(worker_client, f"/cases/{case_id}")
    own = await worker_client.post(f"/ratings/callback/{case_id}", data={
        "_csrf_token": csrf, "score": "5", "method": "phone", "confirm": "1"}, follow_redirects=True)
    assert "首问人不能" in own.text and await Rating.count().where(Rating.case == case_id) == 0
    await logout(worker_client)
    assert (await login(worker_client, "manager", DEMO_PASSWORD)).status_code == 302
    page = soup(await worker_client.get(f"/cases/{case_id}"))
    form = page.select_one("[data-rating=callback] form")
    assert form["action"] == f"/ratings/callback/{case_id}" and form["method"] == "post"
    assert [i["value"] for i in form.select("input[name=score]")] == ["5", "4", "3", "2", "1"]
    assert [i["value"] for i in form.select("input[name=reasons]")] == [
        r["code"] for r in await rating_service.reasons()]
    assert [o["value"] for o in form.select("select[name=method] option")] == list(CALLBACK_METHODS)
    assert form.select_one("textarea[name=comment]") is not None

    csrf = await csrf_token(worker_client, f"/cases/{case_id}")
    # Not ticked as checked with the resident: nothing recorded, said why.
    unticked = await worker_client.post(form["action"], data={
        "_csrf_token": csrf, "score": "2", "method": "visit"}, follow_redirects=True)
    assert "请勾选" in unticked.text and await Rating.count().where(Rating.case == case_id) == 0
    answer = await worker_client.post(form["action"], data={
        "_csrf_token": csrf, "score": "2", "reasons": ["waiting", "trips"], "comment": "等太久", "method": "visit",
        "confirm": "1"}, follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["location"] == f"/cases/{case_id}"
    rating = await Rating.select(Rating.channel, Rating.score, Rating.method, Rating.entered_by.username.as_alias(
        "caller"), Rating.reasons, Rating.id).where(Rating.case == case_id).first()
    assert (rating["channel"], rating["score"], rating["method"]) == ("callback", 2, "visit")
    assert rating["caller"] == "manager"
    assert await AuditLog.exists().where(
        (AuditLog.action == "rating.record") & (AuditLog.object_id == str(rating["id"])))

    shown = soup(await worker_client.get(f"/cases/{case_id}"))
    assert shown.select_one("[data-rating=callback]") is None
    rated = shown.select_one("[data-rating=rated]").get_text(" ", strip=True)
    assert "不满意" in rated and "回访" in rated and "上门" in rated
    # A second callback is refused with a message, and nothing more is recorded.
    again = await worker_client.post(form["action"], data={"_csrf_token": csrf, "score": "5", "method": "phone",
                                                           "confirm": "1"},
                                     follow_redirects=True)
    assert "已经评价过了" in again.text and await Rating.count().where(Rating.case == case_id) == 1


async def test_a_rated_consultation_still_prints_its_receipt_but_takes_no_callback(worker_client, db):
    case_id = await accept_case(worker_client, action="consult")
    await rating_service.rate_by_token(await _token(case_id), 5, [], "")
    page = soup(await worker_client.get(f"/cases/{case_id}"))
    assert page.select_one("a[data-receipt]") is not None
    assert page.select_one("[data-rating=callback]") is None
    assert "非常满意" in page.select_one("[data-rating=rated]").get_text()
