"""The counter over HTTP, with and without htmx: irreversible actions are confirmed first, typed work survives an
ended session, errors point at their field, hand-overs name the colleague, the admin_client is not offered the intake."""

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from center.config import DEMO_PASSWORD
from center.tables import Case, CaseEvent, Center, Staff, WebSession
from center.web.sessions import SESSION_COOKIE
from tests.factories import PASSWORD, accept_case, act_on_case, csrf_token, item_id, load_demo, login, make_staff, soup

HTMX = {"hx-request": "true", "hx-target": "work-panel"}
ID_NUMBER = "11010519491231002X"  # a valid GB 11643 number
BAD_CHECKSUM = "110105194912310021"


async def accept(client, code="MZ01", **fields) -> int:
    return await accept_case(client, code, **{"id_number": ID_NUMBER, "phone": "13812345678", **fields})


act = act_on_case


async def status_of(case_id) -> str:
    return (await Case.select(Case.status).where(Case.id == case_id).first())["status"]


# ---- 4. 办结 and 不予受理 ask first, with and without htmx


@pytest.mark.parametrize(("action", "reason", "title", "button"), [
    ("complete", "", "确认办结？", "确认办结"),
    ("refuse", "材料不符合办理条件", "确认不予受理？", "确认不予受理"),
])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
async def test_an_irreversible_action_asks_first_naming_the_case_and_changes_nothing(worker_client, action, reason, title,
                                                                                    button, headers):
    case_id = await accept(worker_client)
    code = (await Case.select(Case.code).where(Case.id == case_id).first())["code"]
    events = await CaseEvent.count().where(CaseEvent.case == case_id)
    response = await act(worker_client, case_id, headers, action=action, reason=reason)
    assert response.status_code == 200
    assert ("<html" in response.text) == (not headers)  # the confirmation page, or the panel in place
    step = soup(response).select_one("[data-confirm-step]")
    assert step["role"] == "alertdialog"
    assert step.select_one(f"#{step['aria-labelledby']}").get_text() == title
    body = step.select_one(f"#{step['aria-describedby']}").get_text()
    assert code in body and "老年人优待证办理" in body and "不能撤销" in body
    if reason:
        assert reason in body
    ok = step.select_one("button[data-confirm-ok]")
    assert ok.get_text() == button and ok["name"] == "confirm" and ok["value"] == "1" and ok.has_attr("autofocus")
    hidden = {i["name"]: i["value"] for i in step.select("input[type=hidden]")}
    assert hidden["action"] == action and hidden["reason"] == reason and hidden["_csrf_token"]
    assert step.select_one("[data-confirm-cancel]").get_text().startswith("取消")
    assert await status_of(case_id) == "accepted"
    assert await CaseEvent.count().where(CaseEvent.case == case_id) == events


async def test_confirming_applies_the_action_once(worker_client):
    case_id = await accept(worker_client)
    done = await act(worker_client, case_id, action="refuse", reason="不符合条件", confirm="1")
    assert done.status_code == 302 and done.headers["location"] == f"/cases/{case_id}"
    assert await status_of(case_id) == "refused"
    event = await CaseEvent.select(CaseEvent.action, CaseEvent.note).where(CaseEvent.case == case_id).order_by(
        CaseEvent.id, ascending=False).first()
    assert event == {"action": "refuse", "note": "不符合条件"}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
async def test_cancelling_the_confirmation_goes_back_keeping_the_typed_reason(worker_client, headers):
    case_id = await accept(worker_client)
    response = await act(worker_client, case_id, headers, action="refuse", reason="居民撤回申请", confirm="0")
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("[data-confirm-step]") is None
    assert page.select_one("form.action-refuse input[name=reason]")["value"] == "居民撤回申请"
    assert page.select_one("form.action-refuse button").has_attr("data-focus")  # back where the worker_client was
    assert await status_of(case_id) == "accepted"


async def test_a_refusal_without_a_reason_is_refused_at_once_not_confirmed(worker_client):
    case_id = await accept(worker_client)
    response = await act(worker_client, case_id, HTMX, action="refuse", reason=" ")
    assert response.status_code == 422
    page = soup(response)
    assert page.select_one("[data-confirm-step]") is None
    field = page.select_one("form.action-refuse input[name=reason]")
    assert field["aria-invalid"] == "true"
    assert page.select_one(f"#{field['aria-describedby']}").get_text() == "请填写不予受理的原因"


async def test_a_confirmation_of_a_case_changed_meanwhile_shows_the_fresh_case(worker_client):
    case_id = await accept(worker_client)
    version = (await Case.select(Case.version).where(Case.id == case_id).first())["version"]
    await act(worker_client, case_id, action="forward", reason="区民政局")
    token = await csrf_token(worker_client, f"/cases/{case_id}")
    stale = await worker_client.post(f"/cases/{case_id}/actions", headers=HTMX, data={
        "_csrf_token": token, "action": "complete", "version": str(version), "confirm": "1"})
    assert stale.status_code == 409 and "刚被他人更新" in stale.text
    assert await status_of(case_id) == "forwarded"


# ---- small things: 转办 needs its 说明, 转交 names the colleague


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize(("typed", "message"), [("", "请填写转办说明：转往哪个部门、办理什么"), ("   ", "请填写转办说明"),
                                                ("区医保局" * 130, "说明不能超过 500 个字")])
async def test_forwarding_needs_a_note_and_keeps_what_was_typed(worker_client, headers, typed, message):
    case_id = await accept(worker_client)
    response = await act(worker_client, case_id, headers, action="forward", reason=typed)
    assert response.status_code == 422
    field = soup(response).select_one("form.action-forward input[name=reason]")
    assert field["value"] == typed and field["aria-invalid"] == "true" and field.has_attr("autofocus")
    assert message in soup(response).select_one(f"#{field['aria-describedby']}").get_text()
    assert await status_of(case_id) == "accepted"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
async def test_the_hand_over_message_names_the_colleague(worker_client, headers):
    case_id = await accept(worker_client)
    colleague = await Staff.select(Staff.id, Staff.display_name).where(
        (Staff.center.slug == "daxi") & (Staff.username != "worker") & (Staff.role == "worker")).first()
    response = await act(worker_client, case_id, headers, action="hand_over", new_owner_id=str(colleague["id"]),
                         reason="本人下午请假", confirm="1")  # 转交 is confirmed first (test_counter_followup.py)
    if headers:
        notice = soup(response).select_one(".flash-success").get_text()
    else:
        assert response.status_code == 302
        notice = soup(await worker_client.get(response.headers["location"])).select_one(".flash-success").get_text()
    assert notice == f"已转交给 {colleague['display_name']}"


# ---- a wrong ID checksum is marked on its field and gets the focus


@pytest.mark.parametrize(("field", "value", "message"), [
    ("id_number", BAD_CHECKSUM, "身份证号校验位不正确，请核对"),
    ("id_number", "12345", "身份证号须为 18 位"),
    ("phone", "999", "请填写 11 位手机号或带区号的固定电话"),
    ("resident_name", "", "请填写居民姓名"),
])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
async def test_the_wrong_field_is_marked_described_and_focused(worker_client, headers, field, value, message):
    token = await csrf_token(worker_client, "/counter")
    data = {"_csrf_token": token, "item_id": str(await item_id("MZ01")), "action": "accept", "resident_name": "张桂英",
            "id_number": ID_NUMBER, "phone": "13812345678", field: value}
    response = await worker_client.post("/counter/receive", data=data, headers=headers)
    assert response.status_code == 422
    page = soup(response)
    wrong = page.select_one(f"input[name={field}]")
    assert wrong["aria-invalid"] == "true" and wrong["value"] == value
    assert wrong.has_attr("autofocus") and wrong.has_attr("data-focus")
    described = page.select_one(f"#{wrong['aria-describedby']}")
    assert described.get_text().startswith(message) and described["role"] == "alert"
    assert len(page.select("[aria-invalid]")) == 1 and len(page.select("[autofocus]")) == 1  # not the search box
    others = [i for i in page.select(".resident input") if i["name"] != field]
    assert all(i["value"] == data[i["name"]] for i in others)  # nothing typed is lost


# ---- the district admin_client is not offered the intake form


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
async def test_the_admin_reads_an_item_at_the_counter_without_an_intake_form(admin_client, headers):
    response = await admin_client.get(f"/counter?item={await item_id('MZ01')}", headers=headers)
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("form.receive-form") is None and page.select_one("button[name=action]") is None
    assert "不能在窗口受理" in page.select_one(".admin-note").get_text()
    assert "居民身份证" in page.select_one(".material-list").get_text()  # the materials can still be read


async def test_the_admin_counter_and_case_page_offer_nothing_they_cannot_do(admin_client):
    counter = soup(await admin_client.get("/counter"))
    assert "不能在窗口受理" in counter.select_one(".admin-note").get_text()
    assert "我的在办" not in counter.select_one("#sidebar").get_text()
    case = await Case.select(Case.id).where((Case.center.slug == "daxi") & (Case.status == "accepted")).first()
    page = soup(await admin_client.get(f"/cases/{case['id']}"))
    assert not page.find("a", string=re.compile("为该居民办理其他事项"))
    assert page.select_one(".case-actions")  # what the admin_client may do on a case (首问负责 allows the district) stays


# ---- 10. typed work survives an ended session


def lose_session(client):
    """The session ends (idle timeout, or the row is gone): the browser's cookie names nothing any more."""
    client.cookies.delete(SESSION_COOKIE)


# What a browser sends with a post from one of our pages. With the session gone its token has nothing to be checked
# against, and only this lets the post through to be kept (center.web.csrf).
FROM_OUR_PAGE = {"origin": "http://testserver.local"}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
async def test_a_form_sent_after_the_session_ended_is_filled_in_again_after_login(worker_client, headers):
    item = await item_id("MZ02")
    me = await Staff.select(Staff.id).where(Staff.username == "worker").first()
    token = await csrf_token(worker_client, f"/counter?item={item}")
    before = await Case.count().where(Case.note == "代母亲办理")
    lose_session(worker_client)
    typed = {"_csrf_token": token, "_draft_by": str(me["id"]), "item_id": str(item), "action": "accept",
             "resident_name": "赵秀兰", "id_number": ID_NUMBER, "phone": "13912345678", "note": "代母亲办理",
             "brought": ["0", "2"]}
    response = await worker_client.post("/counter/receive", data=typed, headers={**headers, **FROM_OUR_PAGE},
                                 follow_redirects=False)
    login_url = response.headers["hx-redirect"] if headers else response.headers["location"]
    assert response.status_code == (401 if headers else 302)
    for secret in ("赵秀兰", ID_NUMBER, "13912345678", "代母亲"):
        assert secret not in unquote(login_url)  # nothing personal in a URL
    query = parse_qs(urlsplit(login_url).query)
    assert query["next"] == [f"/counter?item={item}"] and query["kept"] == ["1"]
    assert await Case.count().where(Case.note == "代母亲办理") == before  # nothing was received

    form_page = await worker_client.get(login_url)
    assert "您刚才填写的内容已保留" in soup(form_page).select_one("[role=status]").get_text()
    again = await login(worker_client, "worker", DEMO_PASSWORD, next=query["next"][0])
    assert again.status_code == 302 and again.headers["location"] == f"/counter?item={item}"  # a GET page
    page = soup(await worker_client.get(again.headers["location"]))
    assert "已填回登录超时前填写的内容" in page.select_one("#work-panel [role=status]").get_text()
    form = page.select_one("form.receive-form")
    values = {i["name"]: i.get("value") for i in form.select("input[type=text], input:not([type])")}
    assert values == {"resident_name": "赵秀兰", "id_number": ID_NUMBER, "phone": "13912345678"}
    assert form.select_one("textarea[name=note]").get_text() == "代母亲办理"
    assert [c["value"] for c in form.select("input[name=brought][checked]")] == ["0", "2"]

    # Given back once: a second visit shows an empty form; submitting the filled one accepts the case.
    assert soup(await worker_client.get(f"/counter?item={item}")).select_one("input[name=resident_name]")["value"] == ""
    case_id = await accept(worker_client, "MZ02", resident_name="赵秀兰", phone="13912345678", note="代母亲办理",
                           brought=["0", "2"])
    assert (await Case.select(Case.visit.resident_name).where(Case.id == case_id).first())["visit.resident_name"] == "赵秀兰"


async def test_a_kept_form_is_given_back_only_to_the_person_who_typed_it(worker_client, db):
    item = await item_id("MZ03")
    me = await Staff.select(Staff.id).where(Staff.username == "worker").first()
    daxi = await Center.select(Center.id, Center.slug).where(Center.slug == "daxi").first()
    colleague = await make_staff(db, role="worker", center=daxi)
    token = await csrf_token(worker_client, f"/counter?item={item}")
    lose_session(worker_client)
    kept = await worker_client.post("/counter/receive", data={
        "_csrf_token": token, "_draft_by": str(me["id"]), "item_id": str(item), "action": "accept",
        "resident_name": "钱玉珍"}, headers=FROM_OUR_PAGE, follow_redirects=False)
    assert kept.status_code == 302 and "kept=1" in kept.headers["location"]
    assert (await login(worker_client, colleague["username"], PASSWORD)).status_code == 302
    page = await worker_client.get(f"/counter?item={item}")
    assert "钱玉珍" not in page.text and "已填回" not in page.text
    assert not any(b"\xe9\x92\xb1" in bytes(r["data"]) for r in await WebSession.select(WebSession.data))  # 钱: gone


async def test_a_case_action_sent_after_the_session_ended_comes_back_unapplied(worker_client):
    case_id = await accept(worker_client)
    token = await csrf_token(worker_client, f"/cases/{case_id}")
    version = (await Case.select(Case.version).where(Case.id == case_id).first())["version"]
    lose_session(worker_client)
    response = await worker_client.post(f"/cases/{case_id}/actions", follow_redirects=False, headers=FROM_OUR_PAGE, data={
        "_csrf_token": token, "action": "refuse", "reason": "居民撤回申请", "version": str(version), "confirm": "1"})
    assert response.status_code == 302 and response.headers["location"].startswith("/login?next=%2Fcases%2F")
    again = await login(worker_client, "worker", DEMO_PASSWORD, next=f"/cases/{case_id}")
    page = soup(await worker_client.get(again.headers["location"]))
    assert page.select_one("form.action-refuse input[name=reason]")["value"] == "居民撤回申请"
    assert "操作尚未执行" in page.select_one("[role=status]").get_text()
    assert await status_of(case_id) == "accepted"  # never re-posted by itself


async def test_a_post_without_a_valid_csrf_token_keeps_nothing(client, db):
    await load_demo(db)
    response = await client.post("/counter/receive", data={"item_id": "1", "resident_name": "孙某"},
                                 follow_redirects=False)
    assert response.status_code == 403
    assert not any("孙某".encode() in bytes(r["data"]) for r in await WebSession.select(WebSession.data))


async def test_pages_without_a_draft_still_ask_to_log_in(client, db):
    await load_demo(db)
    response = await client.get("/counter", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"].startswith("/login?next=")
    assert (await client.get("/cases/1", follow_redirects=False)).status_code == 302
