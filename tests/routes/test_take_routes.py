"""The take-a-number page at the hall door, its printed ticket and the resident's ticket page, as the person at the
door and the resident's phone get them: plain form posts, no login, no session, nothing personal."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest

from center.services.hall import tickets as ticket_service
from center.tables import HallQueue, Ticket, TicketCounter
from tests.factories import JOURNEY_NOW, soup, vary

DEMO_QUEUES = ["A 社保医保", "B 民政老龄", "C 户籍居住", "D 综合咨询"]
LIVE = {"HX-Request": "true", "HX-Target": "ticket-live"}
BOARD = {"HX-Request": "true", "HX-Target": "take-board"}
TOKEN_PATH = re.compile(r"^/take/daxi/ticket/([A-Za-z0-9_-]{20,})$")
_minutes = itertools.count()


@pytest.fixture
def open_hall(frozen_clock, monkeypatch):
    """A Wednesday morning in service hours (the e2e clock), a minute later for each test. All of a module's posts
    come from the test client's one address: its per-address limit is lifted here and tested on its own."""
    monkeypatch.setattr(ticket_service, "ADDRESS_LIMIT", 10_000)
    return frozen_clock(JOURNEY_NOW + timedelta(minutes=next(_minutes)))


def queue_buttons(response) -> dict[str, dict]:
    page = soup(response)
    return {" ".join(b.select_one(".take-queue-name").get_text(" ", strip=True).split()): b
            for b in page.select("button[name=queue]")}


async def take(client, queue: str = "A", priority: bool = False):
    data = {"queue": queue, **({"priority": "1"} if priority else {})}
    return await client.post("/take/daxi", data=data, follow_redirects=False)


async def take_token(client, queue: str = "A", priority: bool = False) -> str:
    answer = await take(client, queue, priority)
    assert answer.status_code == 303, answer.text
    return TOKEN_PATH.match(answer.headers["location"]).group(1)


async def tickets_taken() -> int:
    return await Ticket.count()


# ---------------------------------------------------------------- the take page

async def test_the_take_page_offers_one_button_per_demo_queue_with_its_waiting_count(demo_client, open_hall):
    answer = await demo_client.get("/take/daxi")
    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers  # public: no session
    buttons = queue_buttons(answer)
    assert list(buttons) == DEMO_QUEUES
    assert all(re.fullmatch(r"等候 \d+ 人", b.select_one(".take-queue-count").get_text(strip=True))
               for b in buttons.values())
    page = soup(answer)
    assert page.select_one("form")["method"] == "post" and page.select_one("form")["action"] == "/take/daxi"
    assert page.select_one("input[type=checkbox][name=priority]") is not None
    assert "老年人、残疾人优先" in page.select_one(".take-priority").get_text()
    assert re.search(r"今日取号截至 \d\d:\d\d", page.select_one(".take-until").get_text(" ", strip=True))


async def test_the_board_is_also_served_alone_for_its_refresh(demo_client, open_hall):
    answer = await demo_client.get("/take/daxi", headers=BOARD)
    assert answer.status_code == 200 and "<html" not in answer.text
    assert len(queue_buttons(answer)) == 4
    assert {"HX-Request", "HX-Target"} <= vary(answer)


async def test_an_unknown_center_gets_the_public_404_in_chinese(demo_client, open_hall):
    answer = await demo_client.get("/take/no-such-center")
    assert answer.status_code == 404
    page = soup(answer)
    assert page.select_one("h1").get_text(strip=True) == "页面不存在"
    assert "没有这个中心" in page.get_text()
    assert page.select_one(".topbar") is None and "/login" not in answer.text  # no staff header, no way in


async def test_a_queue_whose_daily_maximum_is_reached_is_shown_taken_and_refuses(demo_client, open_hall):
    today = open_hall.date()
    counter = await TicketCounter.select(TicketCounter.last_no).where(
        (TicketCounter.queue_code == "C") & (TicketCounter.day == today)
        & (TicketCounter.center.slug == "daxi")).first()
    issued = counter["last_no"] if counter else 0
    daxi_c = HallQueue.center.slug == "daxi"
    await HallQueue.update({HallQueue.daily_max: max(issued, 1)}).where((HallQueue.code == "C") & daxi_c)
    try:
        if issued == 0:
            await take_token(demo_client, "C")
        button = queue_buttons(await demo_client.get("/take/daxi"))["C 户籍居住"]
        assert button.has_attr("disabled") and button.get_text(" ", strip=True).endswith("今日已取完")
        before = await tickets_taken()
        refused = await take(demo_client, "C")
        assert refused.status_code == 409
        assert "号已取完" in soup(refused).select_one("[role=alert]").get_text()
        assert await tickets_taken() == before
    finally:
        await HallQueue.update({HallQueue.daily_max: 300}).where((HallQueue.code == "C") & daxi_c)


# ---------------------------------------------------------------- taking a ticket with the plain form

async def test_a_plain_form_post_takes_a_ticket_and_lands_on_the_printable_ticket(demo_client, open_hall):
    answer = await take(demo_client, "A")
    assert answer.status_code == 303
    ticket = await demo_client.get(answer.headers["location"])
    assert ticket.status_code == 200
    page = soup(ticket)
    number = page.select_one("h1").get_text(strip=True)
    assert re.fullmatch(r"A\d{3}", number)
    text = page.get_text(" ", strip=True)
    assert "A 社保医保" in text and re.search(r"前面还有 \d+ 人", text)
    assert re.search(r"预计等候约 \d+ 分钟|暂无窗口开放，请留意叫号", text)
    assert re.search(r"今日取号截至 \d\d:\d\d", text) and "扫码查看排队进度" in text
    assert page.select_one("time")["datetime"].endswith("+08:00")  # Asia/Shanghai
    # The QR points at the resident's ticket page, absolute, and that page opens without a login.
    qr = page.select_one("figure.ticket-qr")
    assert qr.select_one("svg") is not None
    token = TOKEN_PATH.match(answer.headers["location"]).group(1)
    assert qr["data-url"] == f"http://testserver.local/q/{token}"
    mine = await demo_client.get(f"/q/{token}")
    assert mine.status_code == 200 and soup(mine).select_one("h1").get_text(strip=True) == number
    # It prints itself and returns by a static script (no inline script: the CSP), and links back by hand too.
    assert page.select_one("script[src*='/static/ticket.']") is not None and not page.select("script:not([src])")
    assert page.select_one("a.ticket-back")["href"] == "/take/daxi"
    assert "@page" in (await demo_client.get(page.select_one("link[rel=stylesheet]")["href"])).text


async def test_two_posts_give_consecutive_numbers(demo_client, open_hall):
    first = await ticket_service.ticket_status(await take_token(demo_client, "B"))
    second = await ticket_service.ticket_status(await take_token(demo_client, "B"))
    assert int(second["ticket_no"][1:]) == int(first["ticket_no"][1:]) + 1
    assert second["waiting_before"] == first["waiting_before"] + 1


async def test_the_priority_choice_is_taken_with_the_ticket(demo_client, open_hall):
    status = await ticket_service.ticket_status(await take_token(demo_client, "D", priority=True))
    assert status["priority"] is True
    assert (await ticket_service.ticket_status(await take_token(demo_client, "D")))["priority"] is False


async def test_outside_the_taking_hours_the_page_says_when_it_opens_and_nothing_is_taken(demo_client, frozen_clock):
    frozen_clock(JOURNEY_NOW.replace(hour=22))  # Wednesday night
    shown = await demo_client.get("/take/daxi")
    assert shown.status_code == 200
    assert queue_buttons(shown) == {} and soup(shown).select_one("input[name=priority]") is None
    assert re.search(r"现在不在取号时间，明日 \d\d:\d\d 起可以取号", soup(shown).select_one(".take-closed").get_text())
    before = await tickets_taken()
    refused = await take(demo_client, "A", priority=True)
    assert refused.status_code == 409
    page = soup(refused)
    assert "现在不在取号时间" in page.select_one("[role=alert]").get_text()
    assert page.select_one("h1") is not None and "取号" in page.select_one("h1").get_text()  # the page, not an error
    assert await tickets_taken() == before


async def test_too_many_tickets_from_one_address_is_told_and_the_choice_kept(demo_client, open_hall, monkeypatch):
    monkeypatch.setattr(ticket_service, "ADDRESS_LIMIT", 0)
    before = await tickets_taken()
    refused = await take(demo_client, "A", priority=True)
    assert refused.status_code == 429
    page = soup(refused)
    assert "取号过于频繁" in page.select_one("[role=alert]").get_text()
    assert page.select_one("input[name=priority]").has_attr("checked")
    assert len(queue_buttons(refused)) == 4
    assert await tickets_taken() == before


async def test_an_unknown_queue_is_a_chinese_404(demo_client, open_hall):
    answer = await take(demo_client, "Z")
    assert answer.status_code == 404
    assert "没有“Z”这个队列" in soup(answer).get_text()


async def test_the_take_post_needs_no_session_or_csrf_token(demo_client, open_hall):
    answer = await demo_client.post("/take/daxi", data={"queue": "A"}, follow_redirects=False,
                                    headers={"Sec-Fetch-Site": "none"})
    assert answer.status_code == 303 and "set-cookie" not in answer.headers


async def test_a_ticket_of_another_center_is_not_printed_under_this_one(demo_client, open_hall):
    token = await take_token(demo_client, "A")
    assert (await demo_client.get(f"/take/huanghe/ticket/{token}")).status_code == 404


# ---------------------------------------------------------------- the resident's ticket page

async def set_state(token: str, state: str, window: str = "") -> None:
    await Ticket.update({Ticket.state: state, Ticket.window: window}).where(Ticket.token == token)


def live_text(response) -> str:
    return " ".join(soup(response).select_one("#ticket-live").get_text(" ", strip=True).split())


async def test_the_ticket_page_while_waiting_shows_the_place_and_the_estimate(demo_client, open_hall):
    token = await take_token(demo_client, "A")
    answer = await demo_client.get(f"/q/{token}")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    text = live_text(answer)
    assert text.startswith("等候中") and re.search(r"前面还有 \d+ 人", text)
    assert re.search(r"预计等候约 \d+ 分钟|暂无窗口开放，请留意叫号", text)
    live = soup(answer).select_one("#ticket-live")
    assert live["data-hx-get"] == f"/q/{token}" and live["data-hx-trigger"] == "every 10s, sse:hall"
    assert soup(answer).select_one("[data-sse-connect]")["data-sse-connect"] == "/screen/daxi/events"


@pytest.mark.parametrize(("state", "words"), [("called", "请到窗口"), ("serving", "办理中")])
async def test_once_called_the_ticket_page_names_the_window(demo_client, open_hall, state, words):
    token = await take_token(demo_client, "B")
    await set_state(token, state, "3")
    text = live_text(await demo_client.get(f"/q/{token}"))
    assert text.startswith(words) and "请到 3 号窗口" in text and "前面还有" not in text


async def test_a_no_show_says_so_and_keeps_listening_for_its_return(demo_client, open_hall):
    """过号 is not the end: the resident may come back (回来了) and be called again, so the page goes on updating."""
    token = await take_token(demo_client, "B")
    await set_state(token, "no_show", "2")
    answer = await demo_client.get(f"/q/{token}")
    assert live_text(answer).startswith("已过号")
    assert soup(answer).select_one("#ticket-live").has_attr("data-hx-get")
    await set_state(token, "waiting", "")
    poll = await demo_client.get(f"/q/{token}", headers=LIVE)
    assert poll.status_code == 200 and "等候中" in poll.text


@pytest.mark.parametrize(("state", "words"), [("done", "窗口服务已结束")])
async def test_a_finished_ticket_says_so_and_its_page_stops_polling(demo_client, open_hall, state, words):
    token = await take_token(demo_client, "B")
    await set_state(token, state, "2")
    answer = await demo_client.get(f"/q/{token}")
    assert live_text(answer).startswith(words) and "号窗口" not in live_text(answer)
    assert not soup(answer).select_one("#ticket-live").has_attr("data-hx-get")
    poll = await demo_client.get(f"/q/{token}", headers=LIVE)  # a page opened before it finished
    assert poll.status_code == 286 and words in poll.text  # htmx swaps it in and stops polling


async def test_the_ticket_poll_answers_its_block_only(demo_client, open_hall):
    token = await take_token(demo_client, "C")
    poll = await demo_client.get(f"/q/{token}", headers=LIVE)
    assert poll.status_code == 200 and "<html" not in poll.text and "等候中" in poll.text
    assert {"HX-Request", "HX-Target"} <= vary(poll)
    await set_state(token, "called", "4")
    assert "请到 4 号窗口" in " ".join((await demo_client.get(f"/q/{token}", headers=LIVE)).text.split()).replace(
        "<strong>", "").replace("</strong>", "")


async def test_a_ticket_of_an_earlier_day_says_it_is_not_todays(demo_client, open_hall):
    old = await Ticket.select(Ticket.token, Ticket.ticket_no).where(
        (Ticket.day < open_hall.date()) & (Ticket.center.slug == "daxi")).first()
    answer = await demo_client.get(f"/q/{old['token']}")
    assert answer.status_code == 200
    assert soup(answer).select_one("h1").get_text(strip=True) == old["ticket_no"]
    assert "此号票不是今天的" in live_text(answer)


async def test_an_unknown_ticket_gets_the_public_404_in_chinese(demo_client, open_hall):
    answer = await demo_client.get("/q/no-such-ticket-token-at-all")
    assert answer.status_code == 404
    assert soup(answer).select_one("h1").get_text(strip=True) == "页面不存在" and "没有这张号票" in answer.text
    assert soup(answer).select_one(".topbar") is None


async def test_no_personal_data_and_no_session_on_the_public_ticket_pages(demo_client, open_hall):
    answer = await take(demo_client, "A")
    token = TOKEN_PATH.match(answer.headers["location"]).group(1)
    for path in (answer.headers["location"], f"/q/{token}"):
        shown = await demo_client.get(path)
        assert "set-cookie" not in shown.headers and shown.headers["x-robots-tag"] == "noindex"
        assert "127.0.0.1" not in shown.text and "testclient" not in shown.text  # the taker's address stays inside


# ---------------------------------------------------------------- the JSON API the ticket printers use

async def test_the_api_takes_a_ticket_whose_status_url_opens_the_ticket_page(demo_client, open_hall):
    answer = await demo_client.post("/api/v1/centers/daxi/tickets", json={"queue": "D", "priority": False})
    assert answer.status_code == 201
    body = answer.json()
    assert re.fullmatch(r"D\d{3}", body["ticket_no"]) and body["queue"] == "D"
    assert body["status_url"] == f"http://testserver.local/q/{body['token']}"
    page = await demo_client.get(body["status_url"].removeprefix("http://testserver.local"))
    assert page.status_code == 200 and soup(page).select_one("h1").get_text(strip=True) == body["ticket_no"]
    state = await demo_client.get(f"/api/v1/tickets/{body['token']}")
    assert state.status_code == 200
    assert state.json()["ticket_no"] == body["ticket_no"] and state.json()["state"] == "waiting"
    assert state.json()["waiting_before"] == body["waiting_before"]


async def test_the_api_refuses_outside_the_taking_hours_in_chinese(demo_client, frozen_clock):
    frozen_clock(JOURNEY_NOW.replace(hour=22))
    answer = await demo_client.post("/api/v1/centers/daxi/tickets", json={"queue": "A"})
    assert answer.status_code == 409 and "现在不在取号时间" in answer.json()["detail"]


async def test_the_door_tablet_registered_with_a_printer_token_is_not_held_to_the_address_limit(
        demo_client, frozen_clock):
    """One tablet serves a whole morning from one address: registered once with ?device=<token>, its posts count as
    a ticket printer's; a wrong token registers nothing."""
    from center.domain import queue as rules
    from center.services.hall.setup import DEMO_PRINTER_TOKEN

    frozen_clock(JOURNEY_NOW)
    wrong = await demo_client.get("/take/daxi?device=not-a-token", follow_redirects=False)
    assert wrong.status_code == 403 and "取号机令牌无效" in wrong.text
    registered = await demo_client.get(f"/take/daxi?device={DEMO_PRINTER_TOKEN}", follow_redirects=False)
    assert registered.status_code == 303 and registered.headers["location"] == "/take/daxi"
    assert "本机已登记为取号机" in (await demo_client.get("/take/daxi")).text
    for _ in range(rules.ADDRESS_LIMIT + 2):
        answer = await demo_client.post("/take/daxi", data={"queue": "B"}, follow_redirects=False)
        assert answer.status_code == 303
