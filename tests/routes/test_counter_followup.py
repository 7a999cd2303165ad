"""The counter over HTTP after the outside tester's report (issue #10 follow-up): 转交 and 材料已补齐 ask first,
reason fields leave their check to the server's Chinese message, every wrong intake field is marked at once."""

import pytest

from center.tables import Case, CaseEvent, Staff
from tests.factories import accept_case, act_on_case, csrf_token, item_id, load_demo, soup

HTMX = {"hx-request": "true", "hx-target": "work-panel"}
ID_NUMBER = "11010519491231002X"


async def accept(client, code="MZ01", brought=("0", "1", "2")) -> int:
    return await accept_case(client, code, brought=list(brought))


act = act_on_case


async def case_row(case_id) -> dict:
    return await Case.select(Case.status, Case.owner, Case.missing, Case.received).where(Case.id == case_id).first()


async def colleague() -> dict:
    return await Staff.select(Staff.id, Staff.display_name).where(
        (Staff.center.slug == "daxi") & (Staff.username != "worker") & (Staff.role == "worker")).first()


def confirm_step(response) -> tuple[str, str, dict]:
    step = soup(response).select_one("[data-confirm-step]")
    assert step is not None and step["role"] == "alertdialog"
    title = step.select_one(f"#{step['aria-labelledby']}").get_text()
    body = step.select_one(f"#{step['aria-describedby']}").get_text()
    hidden = {i["name"]: i["value"] for i in step.select("input[type=hidden]")}
    return title, body, {"ok": step.select_one("[data-confirm-ok]").get_text(), **hidden}


# ---- 4. 转交 asks first, naming the colleague

@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
async def test_a_hand_over_asks_first_naming_the_colleague_and_changes_nothing(worker_client, headers):
    case_id = await accept(worker_client)
    other = await colleague()
    events = await CaseEvent.count().where(CaseEvent.case == case_id)
    response = await act(worker_client, case_id, headers, action="hand_over", new_owner_id=str(other["id"]),
                         reason="本人下午外出培训")
    assert response.status_code == 200
    title, body, fields = confirm_step(response)
    name = other["display_name"]
    assert title == f"确认转交给 {name}？" and fields["ok"] == f"确认转交给 {name}"
    assert "本人下午外出培训" in body and "不能再办理此件" in body
    assert fields["new_owner_id"] == str(other["id"]) and fields["reason"] == "本人下午外出培训"
    assert (await case_row(case_id))["owner"] != other["id"]
    assert await CaseEvent.count().where(CaseEvent.case == case_id) == events

    done = await act(worker_client, case_id, headers, **{k: v for k, v in fields.items() if k != "ok"}, confirm="1")
    assert done.status_code in (200, 302)
    assert (await case_row(case_id))["owner"] == other["id"]


async def test_cancelling_a_hand_over_keeps_the_colleague_and_the_reason(worker_client):
    case_id = await accept(worker_client)
    other = await colleague()
    response = await act(worker_client, case_id, HTMX, action="hand_over", new_owner_id=str(other["id"]),
                         reason="轮休", confirm="0")
    form = soup(response).select_one("form.action-hand_over")
    assert form.select_one("option[selected]")["value"] == str(other["id"])
    assert form.select_one("input[name=reason]")["value"] == "轮休"


async def test_a_hand_over_without_a_colleague_is_refused_at_once_not_confirmed(worker_client):
    case_id = await accept(worker_client)
    response = await act(worker_client, case_id, HTMX, action="hand_over", new_owner_id="", reason="轮休")
    assert response.status_code == 422
    assert soup(response).select_one("[data-confirm-step]") is None
    assert soup(response).select_one("form.action-hand_over select")["aria-invalid"] == "true"


# ---- 5. 材料已补齐 asks first, naming what it marks as received

@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
async def test_resuming_asks_first_listing_the_materials_it_will_mark_received(worker_client, headers):
    case_id = await accept(worker_client, brought=("0",))  # 户口簿 and the photos missing
    await act(worker_client, case_id, action="request_materials")
    assert (await case_row(case_id))["status"] == "awaiting"
    response = await act(worker_client, case_id, headers, action="supply_materials")
    assert response.status_code == 200
    title, body, fields = confirm_step(response)
    assert title == "将全部材料标记为已收？" and fields["ok"] == "确认材料已补齐"
    assert "户口簿、近期免冠一寸彩色照片" in body and "顺延至" in body
    row = await case_row(case_id)
    assert row["status"] == "awaiting" and row["received"] == "[0]"  # nothing ticked behind the worker's back

    await act(worker_client, case_id, headers, action="supply_materials", confirm="1")
    row = await case_row(case_id)
    assert row["status"] == "accepted" and row["received"] == "[0, 1, 2]" and row["missing"] == "[]"


async def test_cancelling_the_resume_leaves_the_case_awaiting(worker_client):
    case_id = await accept(worker_client, brought=("0",))
    await act(worker_client, case_id, action="request_materials")
    response = await act(worker_client, case_id, HTMX, action="supply_materials", confirm="0")
    assert soup(response).select_one("[data-confirm-step]") is None
    assert soup(response).select_one("form.action-supply_materials button").has_attr("data-focus")
    assert (await case_row(case_id))["status"] == "awaiting"


# ---- 8. the reason fields leave the check to the server (a Chinese message, not the browser's English bubble)

async def test_the_action_forms_leave_their_checks_to_the_server(worker_client):
    case_id = await accept(worker_client)
    page = soup(await worker_client.get(f"/cases/{case_id}"))
    for action in ("forward", "refuse", "hand_over"):
        form = page.select_one(f"form.action-{action}")
        assert form.has_attr("novalidate"), action
        assert not form.select("[required]"), action
        for field in form.select("input[name=reason], select"):
            assert field["aria-required"] == "true"


@pytest.mark.parametrize(("action", "message"), [("refuse", "请填写不予受理的原因"), ("hand_over", "请填写转交原因"),
                                                 ("forward", "请填写转办说明：转往哪个部门、办理什么")])
async def test_an_empty_reason_gets_the_chinese_message_on_its_field(worker_client, action, message):
    case_id = await accept(worker_client)
    other = await colleague()
    response = await act(worker_client, case_id, HTMX, action=action, reason="", new_owner_id=str(other["id"]))
    assert response.status_code == 422
    field = soup(response).select_one(f"form.action-{action} input[name=reason]")
    assert field["aria-invalid"] == "true"
    assert soup(response).select_one(f"#{field['aria-describedby']}").get_text() == message


# ---- 6 and 7. every wrong intake field is marked at once, with its own message; the first takes the focus

FUTURE_BIRTH = "370302205001011230"  # a valid checksum, born 1 Jan 2050


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
async def test_every_wrong_intake_field_is_marked_at_once_and_the_first_is_focused(worker_client, headers):
    token = await csrf_token(worker_client, "/counter")
    typed = {"resident_name": "", "id_number": FUTURE_BIRTH, "phone": "138 1234 567a", "note": "补办"}
    response = await worker_client.post("/counter/receive", headers=headers, data={
        "_csrf_token": token, "item_id": str(await item_id("MZ01")), "action": "accept", **typed})
    assert response.status_code == 422
    page = soup(response)
    expected = {"resident_name": "请填写居民姓名", "id_number": "身份证号中的出生日期无效",
                "phone": "电话号码只能包含数字、空格和连字符（-）"}
    assert [f["name"] for f in page.select("[aria-invalid=true]")] == list(expected)
    for name, message in expected.items():
        field = page.select_one(f".receive-form [name={name}]")
        assert page.select_one(f"#{field['aria-describedby']}").get_text() == message
    assert [f["name"] for f in page.select("[autofocus]")] == ["resident_name"]  # the first wrong one only
    assert [f["name"] for f in page.select("[data-focus]")] == ["resident_name"]
    assert page.select_one("[name=id_number]")["value"] == FUTURE_BIRTH  # nothing typed is lost
    assert page.select_one("[name=phone]")["value"] == "138 1234 567a"
    assert page.select_one("[name=note]").get_text() == "补办"
    assert page.select_one(".flash-error") is None


async def test_spaces_in_a_phone_are_accepted_as_the_message_says(worker_client):
    token = await csrf_token(worker_client, "/counter")
    response = await worker_client.post("/counter/receive", follow_redirects=False, data={
        "_csrf_token": token, "item_id": str(await item_id("MZ01")), "action": "accept", "resident_name": "张桂英",
        "phone": "138 1234 5678"})
    assert response.status_code == 302


# ---- 10. small things

@pytest.mark.parametrize(("path", "current"), [("/counter/stats", "窗口统计"), ("/counter", "前台受理"),
                                               ("/catalog", "事项目录")])
async def test_one_menu_entry_is_marked_as_the_current_page(manager_client, path, current):
    page = soup(await manager_client.get(path))
    assert [a.get_text() for a in page.select("nav.mainnav [aria-current=page]")] == [current]


@pytest.mark.parametrize("headers", [{}, {"hx-request": "true", "hx-target": "search-results"}], ids=["page", "htmx"])
async def test_a_query_of_spaces_is_no_query(worker_client, headers):
    page = soup(await worker_client.get("/counter", params={"q": "   "}, headers=headers))
    results = page.select_one("#search-results") or page
    assert results.select_one(".empty") is None and "没有找到" not in results.get_text()
    assert results.select_one(".hint") is not None


async def test_a_mistyped_status_link_gets_the_residents_404_without_staff_links(client, db):
    await load_demo(db)
    response = await client.get("/s/not-a-real-token")
    assert response.status_code == 404
    page = soup(response)
    assert "public" in page.body["class"]
    assert page.select_one("nav") is None and page.select_one("header.topbar") is None
    assert not [a for a in page.select("a[href]") if a["href"] in ("/", "/login") or "login" in a["href"]]
    assert page.h1.get_text() == "页面不存在"


async def test_the_sidebar_and_the_list_mark_a_provisional_deadline_and_separate_the_mark(worker_client):
    case_id = await accept(worker_client, code="MZ05")  # 30 working days: in December, into a year nobody knows yet
    case = soup(await worker_client.get(f"/cases/{case_id}"))
    code = case.select_one(".case-code").get_text()
    provisional = case.select_one(".case-due .due-provisional") is not None
    counter = soup(await worker_client.get("/counter"))
    entry = next(li for li in counter.select("#sidebar .case-list li") if code in li.get_text())
    assert (entry.select_one(".due-provisional") is not None) == provisional
    for meta in counter.select("#sidebar .case-meta"):
        text = " ".join(meta.get_text().split())
        assert not any(ch.isdigit() and nxt in "已即暂" for ch, nxt in zip(text, text[1:])), text  # "12/8已超期"
    listed = soup(await worker_client.get("/cases", params={"q": code}))
    row = next(tr for tr in listed.select("#case-rows tr") if code in tr.get_text())
    assert (row.select_one(".due-provisional") is not None) == provisional
