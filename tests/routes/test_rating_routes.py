"""好差评 over HTTP as the contract names it: POST /api/v1/ratings (201, 409, 404, 422, 429, Chinese details,
nothing recorded on a refusal), the resident's form on /s/{token} as a plain form post, and the manager's /ratings
where a 差评 is worked to 已反馈 and the resident then reads the feedback."""

from __future__ import annotations

import re

import pytest

from center.config import DEMO_PASSWORD
from center.services import ratings as rating_service
from center.tables import Case, Rating, RatingFollowup
from tests.factories import accept_case, act_on_case, csrf_token, login, logout, soup


@pytest.fixture(autouse=True)
def no_address_limit(monkeypatch):
    """Every post of the module comes from the test client's one address: that limit is tested on its own."""
    monkeypatch.setattr(rating_service, "MAX_PER_ADDRESS", 10_000)


async def finished_token(client) -> tuple[int, str]:
    """A case accepted and completed by the signed-in worker: its id and its slip's token."""
    case_id = await accept_case(client)
    answer = await act_on_case(client, case_id, action="complete", confirm="1")  # 办结, confirmed
    case = await Case.select(Case.status, Case.public_token).where(Case.id == case_id).first()
    assert case["status"] == "completed", answer.text
    return case_id, case["public_token"]


async def test_the_api_answers_as_the_contract_says(worker_client):
    case_id, token = await finished_token(worker_client)
    open_id = await accept_case(worker_client)
    open_token = (await Case.select(Case.public_token).where(Case.id == open_id).first())["public_token"]
    before = await Rating.count()

    unknown = await worker_client.post("/api/v1/ratings", json={"token": "nope", "score": 5})
    assert unknown.status_code == 404 and "没有找到" in unknown.json()["detail"]
    unfinished = await worker_client.post("/api/v1/ratings", json={"token": open_token, "score": 5})
    assert unfinished.status_code == 422 and "尚未办结" in unfinished.json()["detail"]
    out_of_range = await worker_client.post("/api/v1/ratings", json={"token": token, "score": 6})
    assert out_of_range.status_code == 400
    assert await Rating.count() == before

    created = await worker_client.post("/api/v1/ratings", json={"token": token, "score": 2, "reasons": ["trips"],
                                                                 "comment": "<script>alert(1)</script>"})
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"rating_id", "bad"} and body["bad"] is True
    again = await worker_client.post("/api/v1/ratings", json={"token": token, "score": 5})
    assert again.status_code == 409 and "已经评价过" in again.json()["detail"]
    assert await Rating.count() == before + 1
    assert await RatingFollowup.count().where(RatingFollowup.rating == body["rating_id"]) == 1


async def test_too_many_tries_from_one_token_get_429(worker_client):
    for _ in range(rating_service.MAX_PER_TOKEN):
        assert (await worker_client.post("/api/v1/ratings", json={"token": "guess", "score": 5})).status_code == 404
    answer = await worker_client.post("/api/v1/ratings", json={"token": "guess", "score": 5})
    assert answer.status_code == 429 and "频繁" in answer.json()["detail"]


async def test_the_resident_rates_on_the_status_page_and_reads_the_feedback(worker_client, db):
    case_id, token = await finished_token(worker_client)
    await logout(worker_client)
    page = soup(await worker_client.get(f"/s/{token}"))
    form = page.select_one("form.rating-form")
    assert form is not None and form["action"] == f"/s/{token}/rate"
    assert [i["value"] for i in form.select("input[name=score]")] == ["5", "4", "3", "2", "1"]
    assert "首问" not in page.get_text()

    # Bad input: the page again with the message, what was ticked kept, nothing recorded.
    refused = await worker_client.post(f"/s/{token}/rate", data={"reasons": ["trips"], "comment": "排队太久"})
    assert refused.status_code == 422
    again = soup(refused)
    assert "请选择满意程度" in again.select_one("#rating-error").get_text()
    assert again.select_one("input[value=trips]").has_attr("checked")
    assert again.select_one("#rating-comment").get_text() == "排队太久"
    assert await Rating.count().where(Rating.case == case_id) == 0

    rated = await worker_client.post(f"/s/{token}/rate", data={"score": "1", "reasons": ["trips"],
                                                               "comment": "<b>跑了两趟</b>"}, follow_redirects=False)
    assert rated.status_code == 303 and rated.headers["location"] == f"/s/{token}?rated=1#rating"
    shown = soup(await worker_client.get(f"/s/{token}?rated=1"))
    assert "您的评价：非常不满意" in shown.get_text() and shown.select_one("form.rating-form") is None
    assert shown.select_one("[data-rating=in-progress]") is not None
    # A second post is no second rating: back to the page, which says it was rated.
    second = await worker_client.post(f"/s/{token}/rate", data={"score": "5"}, follow_redirects=False)
    assert second.status_code == 303 and await Rating.count().where(Rating.case == case_id) == 1
    told = soup(await worker_client.get(second.headers["location"].split("#")[0]))
    assert "已经评价过了" in told.select_one("[data-rating=already]").get_text()  # not silently dropped

    # The manager works the 差评 to 已反馈 with plain form posts.
    assert (await login(worker_client, "manager", DEMO_PASSWORD)).status_code == 302
    # The new 差评 waits for 核实 by the next working day: it is among the manager's reminders at the counter.
    code = (await Case.select(Case.code).where(Case.id == case_id).first())["code"]
    reminders = [a for a in soup(await worker_client.get("/counter")).select("[data-reminder=rating] a")
                 if code in a.get_text()]
    assert len(reminders) == 1 and "差评待核实 · 即将到期" in reminders[0].get_text()
    listing = soup(await worker_client.get("/ratings"))
    rows = [r for r in listing.select("tr[data-state=pending]") if r.select_one("a").get_text() == code]
    assert len(rows) == 1
    link = rows[0].select_one("a")["href"]
    followup_id = int(link.rsplit("/", 1)[1])
    detail = soup(await worker_client.get(link))
    assert "<b>跑了两趟</b>" in detail.select_one(".rating-comment").get_text()  # inert: shown as text
    assert detail.select_one(".rating-comment b") is None

    async def post_step(**fields):
        csrf = await csrf_token(worker_client, link)
        version = (await RatingFollowup.select(RatingFollowup.version).where(
            RatingFollowup.id == followup_id).first())["version"]
        return await worker_client.post(f"{link}/step", data={"_csrf_token": csrf, "version": str(version), **fields},
                                        follow_redirects=False)

    missing = await post_step(step="verify", note="电话联系")
    assert missing.status_code == 422 and "属实或不属实" in soup(missing).select_one("#followup-error").get_text()
    assert soup(missing).select_one("#note-verify").get_text() == "电话联系"  # what was typed stays
    # Each step is asked first (it is not taken back); 返回修改 brings the form back with the text; nothing moved.
    asked = soup(await post_step(step="verify", founded="1", note="电话联系群众，属实"))
    assert "确认核实？" in asked.select_one(".followup-confirm h2").get_text()
    assert "整改中" in asked.select_one("#confirm-what").get_text()
    back = soup(await post_step(step="verify", founded="1", note="电话联系群众，属实", confirm="0"))
    assert back.select_one(".followup-confirm") is None
    assert back.select_one("#note-verify").get_text() == "电话联系群众，属实"
    assert (await RatingFollowup.select(RatingFollowup.state).where(
        RatingFollowup.id == followup_id).first())["state"] == "pending"
    assert (await post_step(step="verify", founded="1", note="电话联系群众，属实", confirm="1")).status_code == 302
    assert (await post_step(step="fix", note="已对窗口人员进行一次性告知培训", confirm="1")).status_code == 302
    told = soup(await post_step(step="feedback", note="已整改，感谢您的监督"))
    assert "群众的办件查询页" in told.select_one("#confirm-what").get_text()
    assert (await post_step(step="feedback", note="已整改，感谢您的监督", confirm="1")).status_code == 302
    detail = soup(await worker_client.get(link))
    assert detail.select_one("[data-followup=state]").get_text(strip=True).startswith("已反馈")
    assert len(detail.select("[data-followup=events] li")) == 4
    await logout(worker_client)

    feedback = soup(await worker_client.get(f"/s/{token}"))
    assert "您的评价已处理：" in feedback.get_text()
    assert "已整改，感谢您的监督" in feedback.select_one("[data-rating=feedback]").get_text()


async def test_an_unknown_followup_is_404_and_a_canteen_operator_has_no_ratings(manager_client, db):
    assert (await manager_client.get("/ratings")).status_code == 200
    assert (await manager_client.get("/ratings/followups/999999")).status_code == 404
    await logout(manager_client)
    assert (await login(manager_client, "canteen", DEMO_PASSWORD)).status_code == 302
    assert (await manager_client.get("/ratings")).status_code == 403


async def test_the_window_pad_asks_about_the_service_just_finished_there(worker_client, db):
    from center.services.identity import load_user
    from center.tables import Center, Staff

    manager = await Staff.select(Staff.id).where(Staff.username == "manager").first()
    worker = await Staff.select(Staff.window, Staff.center).where(Staff.username == "worker").first()
    center = await Center.select(Center.slug).where(Center.id == worker["center"]).first()
    number = worker["window"].removesuffix("号窗口")
    token = await rating_service.register_pad(await load_user(manager["id"]), worker["center"], number, "评价器")
    pad_url = f"/rate/{center['slug']}/{number}"

    # Not bound yet: the page says so and a post is refused.
    assert "评价器未登记" in (await worker_client.get(pad_url)).text
    assert (await worker_client.post(pad_url, data={"score": "5", "case": "1"})).status_code == 403
    wrong = await worker_client.get(f"{pad_url}?pad=not-a-token")
    assert wrong.status_code == 403 and "令牌无效" in wrong.text
    bound = await worker_client.get(f"{pad_url}?pad={token}", follow_redirects=False)
    assert bound.status_code == 303 and "center_pad=" in bound.headers["set-cookie"]
    assert "httponly" in bound.headers["set-cookie"].lower()
    await worker_client.get(bound.headers["location"])

    waiting = await worker_client.get(f"{pad_url}?showing=0", headers={"HX-Request": "true"})
    shown_before = waiting.status_code
    case_id, _ = await finished_token(worker_client)
    # The pad's poll: a reload as soon as a service other than the one shown has finished here, else nothing.
    if shown_before == 204:
        changed = await worker_client.get(f"{pad_url}?showing=0", headers={"HX-Request": "true"})
        assert changed.status_code == 200 and changed.headers["hx-refresh"] == "true"
    same = await worker_client.get(f"{pad_url}?showing={case_id}", headers={"HX-Request": "true"})
    assert same.status_code == 204 and "hx-refresh" not in same.headers
    older = await worker_client.get(f"{pad_url}?showing={case_id - 1}", headers={"HX-Request": "true"})
    assert older.headers["hx-refresh"] == "true"
    pad = soup(await worker_client.get(pad_url))
    assert pad.select_one("input[name=case]")["value"] == str(case_id)
    assert "张桂英" not in pad.get_text()  # nothing personal on the pad
    done = await worker_client.post(pad_url, data={"case": str(case_id), "score": "4"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("done=1")
    row = await Rating.select(Rating.channel, Rating.score).where(Rating.case == case_id).first()
    assert row == {"channel": "pad", "score": 4}
    # Rated: the pad no longer asks about it, and a replay of the post is refused, recording nothing more.
    assert soup(await worker_client.get(pad_url)).select_one("input[name=case]") is None
    replay = await worker_client.post(pad_url, data={"case": str(case_id), "score": "1"})
    assert replay.status_code == 409 and await Rating.count().where(Rating.case == case_id) == 1
    # Another window's pad (same cookie, other address) is not this pad.
    assert (await worker_client.post(f"/rate/{center['slug']}/99", data={"case": str(case_id), "score": "1"})
            ).status_code == 403


async def test_an_appeal_and_its_decision_are_asked_first(worker_client, db):
    _, token = await finished_token(worker_client)
    rated = (await worker_client.post("/api/v1/ratings", json={"token": token, "score": 1})).json()
    followup = await RatingFollowup.select(RatingFollowup.id).where(RatingFollowup.rating == rated["rating_id"]).first()
    link = f"/ratings/followups/{followup['id']}"
    page = soup(await worker_client.get(link))  # the worker who received the case sees it and may appeal
    assert page.select_one("form.followup-appeal") is not None and page.select_one("form.followup-verify") is None

    async def post(path, **fields):
        csrf = await csrf_token(worker_client, link)
        return await worker_client.post(path, data={"_csrf_token": csrf, **fields}, follow_redirects=False)

    asked = soup(await post(f"{link}/appeal", reason="群众要求的材料确属法定必需"))
    assert "确认提交申诉？" in asked.select_one(".followup-confirm h2").get_text()
    assert (await RatingFollowup.select(RatingFollowup.appeal).where(
        RatingFollowup.id == followup["id"]).first())["appeal"] == ""
    assert (await post(f"{link}/appeal", reason="群众要求的材料确属法定必需", confirm="1")).status_code == 302

    await logout(worker_client)
    assert (await login(worker_client, "admin", DEMO_PASSWORD)).status_code == 302
    refused = await post(f"{link}/decide", reason="录像显示已一次性告知")
    assert refused.status_code == 422 and "申诉成立或驳回" in soup(refused).select_one("#followup-error").get_text()
    asked = soup(await post(f"{link}/decide", upheld="1", reason="录像显示已一次性告知"))
    assert "申诉成立" in asked.select_one("#confirm-what").get_text()
    assert (await post(f"{link}/decide", upheld="1", reason="录像显示已一次性告知", confirm="1")).status_code == 302
    assert (await RatingFollowup.select(RatingFollowup.appeal).where(
        RatingFollowup.id == followup["id"]).first())["appeal"] == "upheld"
    assert "申诉成立" in soup(await worker_client.get(link)).select_one("dl.facts").get_text()
