"""Against a real `center serve` (SQLite, or PostgreSQL in the second pass): concurrent meals and replays."""

import asyncio

import httpx
import pytest

from center.services.dining.checks import verify_ledger
from center.tables import Meal
from center.timeutil import local_today
from tests.support.dining import canteen_with_terminal
from tests.factories import make_senior
from tests.support.live_server import LiveServer


@pytest.fixture
def server(db, tmp_root):
    live = LiveServer({"DATABASE_URL": db.database_url, "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0"},
                      tmp_root / "dining-live.log").start()
    yield live
    live.stop()


async def test_fifty_concurrent_meals_for_one_senior(server, db):
    canteen_id, token, center = await canteen_with_terminal()
    senior = await make_senior(center, granted_on=local_today())
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=httpx.Limits(max_connections=50)) as client:
        async def one(i):
            return await client.post("/api/v1/meals", headers={**headers, "Idempotency-Key": f"burst-{i}"},
                                     json={"card_no": senior["card_no"], "kind": "lunch", "price_fen": 1500})

        responses = await asyncio.gather(*[one(i) for i in range(50)])
        assert [r.status_code for r in responses] == [201] * 50
        subsidies = sorted((r.json()["subsidy_fen"] for r in responses), reverse=True)
        assert subsidies[:13] == [1500] * 13 and subsidies[13] == 500 and subsidies[14:] == [0] * 36
        assert all(r.json()["balance_fen"] >= 0 for r in responses)
        balance = (await client.get(f"/api/v1/seniors/{senior['card_no']}/balance", headers=headers)).json()
        assert balance["balance_fen"] == 0 and balance["used_fen"] == 20000

        # Replaying one request five times deducts once.
        other = await make_senior(center, granted_on=local_today())
        replays = await asyncio.gather(*[
            client.post("/api/v1/meals", headers={**headers, "Idempotency-Key": "replay-me"},
                        json={"card_no": other["card_no"], "kind": "lunch", "price_fen": 1500}) for _ in range(5)])
        assert {r.status_code for r in replays} == {201}
        assert len({r.json()["meal_id"] for r in replays}) == 1
        after = (await client.get(f"/api/v1/seniors/{other['card_no']}/balance", headers=headers)).json()
        assert after["balance_fen"] == 18500
    assert await Meal.count().where(Meal.senior == other["id"]) == 1
    assert await verify_ledger() == []
