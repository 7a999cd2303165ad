"""The window strip on /counter: what the worker sees and gets from 叫号, 重呼, 过号/回来了, 转队, 开始办理, 暂停."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from center.app import create_app
from center.config import DEMO_PASSWORD
from center.domain.queue import TicketState
from center.services.hall.setup import DEMO_PRINTER_TOKEN
from center.tables import Center, HallQueue, HallWindow, Staff, Ticket, Visit
from tests.factories import JOURNEY_NOW, csrf_token, item_id, login, soup, vary

STRIP = {"HX-Request": "true", "HX-Target": "window-strip"}


_MOMENTS = itertools.count()


@pytest.fixture
async def hall(demo_db, frozen_clock):
    """Daxi's hall on the journey's Wednesday morning with nobody waiting or at a window (what earlier tests of
    the module left is served), every window open. Each test starts a few minutes after the one before, so the
    calls it makes are the latest (the priority run counts back from the latest call). Returns the start."""
    start = frozen_clock(JOURNEY_NOW + timedelta(minutes=5 * next(_MOMENTS)))
    await Ticket.update({Ticket.state: TicketState.done.value}).where(Ticket.state != TicketState.done.value)
    await HallWindow.update({HallWindow.paused: False}).where(HallWindow.paused == True)  # noqa: E712
    return start


@pytest.fixture
async def worker(hall, worker_client):
    """The demo worker, logged in at the counter: window 2 (queues A, B, D)."""
    return worker_client


@pytest.fixture
async def manager(db, hall):
    """The demo manager in a browser of their own: window 1 (queues A, D)."""
    async with AsyncTestClient(app=create_app(db), base_url="http://testserver.local") as other:
        assert (await login(other, "manager", DEMO_PASSWORD)).status_code == 302
        yield other


async def take(client, queue: str = "A", priority: bool = False) -> dict:
    """A ticket from the hall's printer, as a resident takes it."""
    response = await client.post("/api/v1/centers/daxi/tickets", json={"queue": queue, "priority": priority},
                                 headers={"Authorization": f"Bearer {DEMO_PRINTER_TOKEN}"})
    assert response.status_code == 201, response.text
    return response.json()


async def state_of(client, ticket: dict) -> str:
    return (await client.get(f"/api/v1/tickets/{ticket['token']}")).json()["state"]


async def strip(client):
    response = await client.get("/counter", headers=STRIP)
    assert response.status_code == 200
    return soup(response)


def serving_no(page) -> str | None:
    number = page.select_one("#window-strip .ticket-no") or page.select_one(".strip-current .ticket-no")
    return number.get_text(strip=True) if number else None


def message(page) -> str:
    found = page.select_one(".strip-message")
    return found.get_text(" ", strip=True) if found else ""


async def post(client, path: str, htmx: bool = False, **fields):
    token = await csrf_token(client, "/counter")
    return await client.post(path, data={"_csrf_token": token, **fields}, headers=STRIP if htmx else {},
                             follow_redirects=False)


async def call(client, htmx: bool = False):
    return await post(client, "/counter/window/call", htmx=htmx)


async def press(client, label_action: str, htmx: bool = False, ticket_no: str | None = None, **fields):
    """Submit the strip's form for `label_action` (recall, no_show, transfer, start, finish, come_back) as it is
    on the page now: its own address and hidden version."""
    page = await strip(client)
    forms = [f for f in page.select("form") if f.get("action", "").endswith("/" + label_action)]
    if ticket_no is not None:
        forms = [f for f in forms if ticket_no in f.get_text()]
    assert forms, f"no {label_action} form in the strip:\n{page}"
    hidden = {i["name"]: i["value"] for i in forms[0].select("input[type=hidden]") if i["name"] != "_csrf_token"}
    return await post(client, forms[0]["action"], htmx=htmx, **hidden, **fields)


async def ticket_row(ticket: dict) -> dict:
    return await Ticket.select().where(Ticket.token == ticket["token"]).first()


async def test_plain_call_calls_the_oldest_ticket_and_the_strip_shows_it(worker):
    first, second = await take(worker), await take(worker, "B")
    response = await call(worker)
    assert response.status_code == 303
    assert response.headers["location"] == "/counter"
    page = soup(await worker.get("/counter"))
    assert serving_no(page) == first["ticket_no"]
    assert first["ticket_no"] in page.select_one(".flash").get_text()  # 已叫号：请 A… 号到 2 号窗口
    assert await state_of(worker, first) == "called"
    assert await state_of(worker, second) == "waiting"
    # What waits is counted per queue the window serves.
    queues = {q.get_text(" ", strip=True).split()[0]: q for q in page.select(".strip-queue")}
    assert set(queues) == {"A", "B", "D"}
    assert queues["B"].select_one("b").get_text() == "1"


async def test_htmx_call_answers_with_the_strip_block(worker):
    ticket = await take(worker)
    response = await call(worker, htmx=True)
    assert response.status_code == 200
    assert {"HX-Request", "HX-Target"} <= vary(response)
    page = soup(response)
    assert page.select_one("html") is None and page.select_one(".strip-number")  # the block, not the page
    assert serving_no(page) == ticket["ticket_no"]
    assert ticket["ticket_no"] in message(page)
    # The same strip on the full page.
    full = await worker.get("/counter")
    assert {"HX-Request", "HX-Target"} <= vary(full)
    assert serving_no(soup(full)) == ticket["ticket_no"]


async def test_nobody_waiting_says_so_instead_of_a_dead_button(worker):
    button = (await strip(worker)).select_one(".btn-call")
    assert button.has_attr("disabled") and "无人等候" in button.get_text()
    response = await call(worker, htmx=True)  # pressed anyway (a stale page): refused in Chinese
    assert response.status_code == 422
    assert "当前没有等候的号" in message(soup(response))


async def test_priority_first_but_never_two_priority_in_a_row_while_an_ordinary_one_waits(worker):
    await take(worker)  # an ordinary ticket called first: the run of priority calls starts at 0
    await call(worker)
    await press(worker, "finish")
    ordinary_1 = await take(worker)
    priority_1 = await take(worker, priority=True)
    priority_2 = await take(worker, priority=True)
    ordinary_2 = await take(worker)
    called = []
    for _ in range(4):
        assert (await call(worker)).status_code == 303
        called.append(serving_no(await strip(worker)))
        await press(worker, "finish")
    assert called == [priority_1["ticket_no"], ordinary_1["ticket_no"], priority_2["ticket_no"],
                      ordinary_2["ticket_no"]]


async def test_recall_within_30_seconds_is_refused_and_allowed_after(worker, frozen_clock):
    ticket = await take(worker)
    await call(worker)
    button = (await strip(worker)).select_one("form[action$='/recall'] button")
    assert button.has_attr("disabled") and "秒后" in button.get_text()  # greyed, saying why
    refused = await press(worker, "recall", htmx=True)
    assert refused.status_code == 422
    assert re.search(r"刚刚叫过，请 \d+ 秒后再重呼", message(soup(refused)))
    frozen_clock((await ticket_row(ticket))["last_called_at"] + timedelta(seconds=31))
    assert not (await strip(worker)).select_one("form[action$='/recall'] button").has_attr("disabled")
    allowed = await press(worker, "recall", htmx=True)
    assert allowed.status_code == 200
    assert f"已重呼 {ticket['ticket_no']}" in message(soup(allowed))
    assert (await ticket_row(ticket))["calls"] == 2


async def test_no_show_then_come_back_once_a_second_time_refused(worker):
    ticket = await take(worker)
    await call(worker)
    assert (await press(worker, "no_show")).status_code == 303
    assert await state_of(worker, ticket) == "no_show"
    page = await strip(worker)
    assert serving_no(page) is None
    assert f"{ticket['ticket_no']} 回来了" in page.select_one(".strip-no-shows").get_text(" ", strip=True)
    assert (await press(worker, "come_back", ticket_no=ticket["ticket_no"])).status_code == 303
    assert await state_of(worker, ticket) == "waiting"
    await call(worker)  # back at its old place: called at once
    assert serving_no(await strip(worker)) == ticket["ticket_no"]
    await press(worker, "no_show")
    # Once only: the strip no longer offers 回来了, and a post of it anyway is refused.
    assert (await strip(worker)).select_one(".strip-no-shows") is None
    row = await ticket_row(ticket)
    refused = await post(worker, f"/counter/window/tickets/{row['id']}/come_back", htmx=True,
                         version=str(row["version"]))
    assert refused.status_code == 422
    assert "此号已过号回来过一次，请重新取号" in message(soup(refused))


async def test_transfer_to_queue_b_keeps_the_number_and_the_place(worker, hall, frozen_clock):
    transferred = await take(worker, "A")
    frozen_clock(hall + timedelta(minutes=1))
    newer_b = await take(worker, "B")
    await call(worker)
    assert serving_no(await strip(worker)) == transferred["ticket_no"]
    done = await press(worker, "transfer", htmx=True, to_queue="B", to_window="")
    assert done.status_code == 200
    assert f"{transferred['ticket_no']} 已转到 B 队列" in message(soup(done))
    row = await ticket_row(transferred)
    assert row["ticket_no"] == transferred["ticket_no"] and row["state"] == "waiting"
    # Window 2 serves B: the older ticket comes before the newer B ticket.
    await call(worker)
    assert serving_no(await strip(worker)) == transferred["ticket_no"]
    await press(worker, "finish")
    await call(worker)
    assert serving_no(await strip(worker)) == newer_b["ticket_no"]


async def test_a_transfer_goes_only_where_a_window_will_call_the_ticket(worker, hall):
    """转队 into a queue no window serves, or to a window that does not serve the ticket's queue, would strand the
    resident: refused in Chinese, and the ticket stays the window's."""
    center = await Center.select(Center.id).where(Center.slug == "daxi").first()
    if not await HallQueue.exists().where((HallQueue.center == center["id"]) & (HallQueue.code == "E")):
        await HallQueue.insert(HallQueue(center=center["id"], code="E", name="就业创业"))
    ticket = await take(worker, "B")
    await call(worker)
    nowhere = await press(worker, "transfer", htmx=True, to_queue="E", to_window="")
    assert nowhere.status_code == 422 and "没有窗口办理 E 队列的业务" in message(soup(nowhere))
    wrong_window = await press(worker, "transfer", htmx=True, to_queue="", to_window="1")  # window 1: A and D
    assert wrong_window.status_code == 422 and "1 号窗口不办理 B 队列的业务" in message(soup(wrong_window))
    assert (await ticket_row(ticket))["state"] == "called"


async def test_start_opens_a_visit_and_the_case_received_into_it_finishes_the_ticket(worker):
    ticket = await take(worker, "D")
    await call(worker)
    started = await press(worker, "start")
    assert started.status_code == 303
    location = started.headers["location"]
    assert location.startswith("/counter?visit=")
    visit_id = int(location.rsplit("=", 1)[1])
    visit = await Visit.select(Visit.staff, Visit.resident_name).where(Visit.id == visit_id).first()
    worker_id = (await Staff.select(Staff.id).where(Staff.username == "worker").first())["id"]
    assert visit["staff"] == worker_id
    assert await state_of(worker, ticket) == "serving"
    # The counter continues with that visit: the item form carries it, and asks who the resident is.
    item = await item_id("MZ01")
    form = soup(await worker.get(f"/counter?visit={visit_id}&item={item}")).select_one("form.receive-form")
    assert form.select_one("input[name=visit_id]")["value"] == str(visit_id)
    assert form.select_one("input[name=resident_name]") is not None
    token = await csrf_token(worker, "/counter")
    received = await worker.post("/counter/receive", data={
        "_csrf_token": token, "item_id": str(item), "action": "consult", "visit_id": str(visit_id),
        "note": "咨询低保申请条件"}, follow_redirects=False)
    assert received.status_code == 302, received.text
    case_id = int(received.headers["location"].rsplit("/", 1)[1])
    row = await ticket_row(ticket)
    assert row["state"] == TicketState.done.value
    assert row["case"] == case_id
    assert await state_of(worker, ticket) == "done"


async def test_another_window_acting_on_a_called_ticket_gets_409_and_the_fresh_strip(worker, manager):
    ticket = await take(worker)
    assert (await call(manager)).status_code == 303  # window 1 calls it
    row = await ticket_row(ticket)
    assert row["window"] == "1"
    refused = await post(worker, f"/counter/window/tickets/{row['id']}/no_show", htmx=True,
                         version=str(row["version"]))
    assert refused.status_code == 409
    page = soup(refused)
    assert "此号已由 1 号窗口叫号，不能过号" in message(page)
    assert page.select_one(".strip-number").get_text(strip=True) == "2 号窗口"  # the worker's own strip, fresh
    # A stale version (the manager acted since the worker's page was drawn): 409 too, and the page re-drawn.
    await press(manager, "start")
    stale = await post(worker, f"/counter/window/tickets/{row['id']}/finish", version=str(row["version"]))
    assert stale.status_code == 409
    assert "刚有变化" in message(soup(stale))
    assert await state_of(worker, ticket) == "serving"


async def test_pause_sets_the_window_paused_and_call_works_after_resume(worker):
    ticket = await take(worker)
    paused = await post(worker, "/counter/window/pause", htmx=True)
    assert paused.status_code == 200
    window = await HallWindow.select(HallWindow.paused).where(
        (HallWindow.number == "2") & (HallWindow.center.slug == "daxi")).first()
    assert window["paused"] is True
    page = soup(paused)
    assert "已暂停" in page.get_text()
    assert page.select_one("form[action='/counter/window/call']") is None  # the big button resumes instead
    assert page.select_one(".btn-call").get_text(" ", strip=True).startswith("恢复叫号")
    assert (await post(worker, "/counter/window/resume")).status_code == 303
    assert (await call(worker)).status_code == 303
    assert serving_no(await strip(worker)) == ticket["ticket_no"]


async def test_a_worker_without_a_window_is_told_why(client, demo_db, settings):
    from tests.factories import make_staff

    staff = await make_staff(settings, center={"slug": "daxi"})
    await login(client, staff["username"], staff["password"])
    page = soup(await client.get("/counter"))
    assert "还没有分配窗口" in page.select_one("#window-strip .strip-problem").get_text()
    assert page.select_one("#window-strip button") is None


async def test_an_unknown_action_is_404(worker):
    ticket = await take(worker)
    await call(worker)
    row = await ticket_row(ticket)
    assert (await post(worker, f"/counter/window/tickets/{row['id']}/explode")).status_code == 404


async def test_the_strip_refreshing_itself_does_not_keep_an_idle_kiosk_logged_in(worker):
    from center.tables import WebSession
    from center.timeutil import utcnow
    from center.web.sessions import SESSION_COOKIE

    await worker.get("/counter")  # (the login's welcome shown)
    key = worker.cookies.get(SESSION_COOKIE)
    soon = utcnow() + timedelta(minutes=10)
    await WebSession.update({WebSession.expires_at: soon}).where(WebSession.key == key)

    async def expires_at():
        return (await WebSession.select(WebSession.expires_at).where(WebSession.key == key).first())["expires_at"]

    polled = await worker.get("/counter", headers={**STRIP, "HX-Trigger": "window-strip"})
    assert polled.status_code == 200 and polled.text.strip()
    assert await expires_at() == soon  # the poll is not the worker at work
    await worker.get("/counter")  # the worker is
    assert await expires_at() > soon
