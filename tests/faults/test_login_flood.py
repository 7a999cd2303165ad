"""Issue #11, finding 2, as the review did it: a flood of wrong logins against a real `center serve`, and the hall
screen and a canteen terminal meanwhile. Both still answer, and right: the screen its page, the meal its ledger
entry once. (How fast they answer is a `make bench` figure: /screen p99 during a 20-client flood.)"""

import asyncio
import re

import httpx
import pytest

from center.services.dining.checks import verify_ledger
from center.tables import LoginAttempt, Meal
from center.timeutil import local_today
from tests.support.dining import canteen_with_terminal
from tests.factories import load_demo, make_senior
from tests.support.live_server import LiveServer

FLOOD_CLIENTS, ATTEMPTS_EACH = 20, 4


@pytest.fixture
def server(db, tmp_root):
    live = LiveServer({"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0",
                       "CENTER_TRUSTED_PROXIES": "127.0.0.1"}, tmp_root / "login-flood.log").start()
    yield live
    live.stop()


async def test_the_screen_and_a_terminal_answer_during_a_login_flood(server, db):
    await load_demo(db)
    canteen_id, token, center = await canteen_with_terminal()
    senior = await make_senior(center, granted_on=local_today())
    flooding = asyncio.Event()

    async def flood(index: int, client: httpx.AsyncClient) -> list[int]:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get("/login")).text).group(1)
        answers = []
        for n in range(ATTEMPTS_EACH):  # a new account from a new address each time: no lock cuts argon2 short
            flooding.set()
            answer = await client.post("/login", headers={"X-Forwarded-For": f"10.{index}.0.{n}"},
                                       data={"_csrf_token": token, "username": f"flood{index}x{n}", "password": "x"})
            answers.append(answer.status_code)
        return answers

    async def resident_and_terminal(client: httpx.AsyncClient):
        await flooding.wait()
        screen = await client.get("/screen/daxi")
        meal = await client.post("/api/v1/meals", headers={"Authorization": f"Bearer {token}",
                                                            "Idempotency-Key": "during-the-flood"},
                                 json={"card_no": senior["card_no"], "kind": "lunch", "price_fen": 1500})
        return screen, meal

    async with httpx.AsyncClient(base_url=server.url, timeout=120) as terminal:
        browsers = [httpx.AsyncClient(base_url=server.url, timeout=120) for _ in range(FLOOD_CLIENTS)]
        try:
            *floods, (screen, meal) = await asyncio.gather(*(flood(i, b) for i, b in enumerate(browsers)),
                                                          resident_and_terminal(terminal))
        finally:
            for browser in browsers:
                await browser.aclose()

    assert screen.status_code == 200 and "黛溪" in screen.text
    assert meal.status_code == 201 and meal.json()["subsidy_fen"] > 0
    assert all(status == 422 for answers in floods for status in answers)
    assert await LoginAttempt.count().where(LoginAttempt.outcome == "failure") == FLOOD_CLIENTS * ATTEMPTS_EACH
    assert await LoginAttempt.count().where(LoginAttempt.outcome == "pending") == 0
    assert await Meal.count().where(Meal.senior == senior["id"]) == 1
    assert await verify_ledger() == []
    assert server.process.poll() is None
