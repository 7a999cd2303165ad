"""The terminal API under a per-meal policy loaded today (issue #16): a meal beyond a cap is still sold (201 with
subsidy_fen 0 and the full price paid); a senior in no scheme is 422 with a Chinese detail, as before."""

import pytest

from center.services.dining.policies import load_policy
from center.timeutil import local_today
from tests.factories import load_demo

TOKEN = {"Authorization": "Bearer demo-terminal-1"}


@pytest.fixture
async def per_meal_client(client, db):
    await load_demo(db)
    await load_policy(f"""
effective = {local_today().isoformat()}
[[scheme]]
name = "每餐三元"
min_age = 65
pays = "per_meal"
amount_fen = 300
max_meals_per_day = 1
source = "区财政"
""", actor=None, origin="file")
    return client


async def post_meal(client, key, body):
    return await client.post("/api/v1/meals", json=body, headers={**TOKEN, "Idempotency-Key": key})


async def test_a_meal_beyond_the_cap_is_201_with_no_subsidy_and_the_full_price_paid(per_meal_client):
    first = await post_meal(per_meal_client, "cap-1", {"card_no": "D0200", "kind": "lunch", "price_fen": 1500})
    assert first.status_code == 201 and (first.json()["subsidy_fen"], first.json()["paid_fen"]) == (300, 1200)
    second = await post_meal(per_meal_client, "cap-2", {"card_no": "D0200", "kind": "dinner", "price_fen": 1200})
    assert second.status_code == 201 and (second.json()["subsidy_fen"], second.json()["paid_fen"]) == (0, 1200)
    young = await post_meal(per_meal_client, "cap-3", {"card_no": "D0495", "kind": "lunch", "price_fen": 1500})
    assert young.status_code == 422 and "未满 65 周岁" in young.json()["detail"]
