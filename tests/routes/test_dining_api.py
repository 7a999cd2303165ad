"""The terminal API: meals with Idempotency-Key, replays, conflicts, voids, balances; bad bodies never 500."""

import json
import re
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from center.app import create_app
from center.tables import Senior
from center.timeutil import LOCAL_TZ
from tests.factories import load_demo

TOKEN = {"Authorization": "Bearer demo-terminal-1"}


def chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


@pytest.fixture
async def demo_client(client, db):
    await load_demo(db)
    return client


async def post_meal(client, key, body, token=TOKEN):
    return await client.post("/api/v1/meals", json=body, headers={**token, "Idempotency-Key": key} if key else token)


async def test_meal_replay_conflict_and_balance(demo_client):
    before = (await demo_client.get("/api/v1/seniors/D0100/balance", headers=TOKEN)).json()
    body = {"card_no": "D0100", "kind": "lunch", "price_fen": 1500}
    first = await post_meal(demo_client, "api-1", body)
    assert first.status_code == 201
    data = first.json()
    assert set(data) == {"meal_id", "subsidy_fen", "paid_fen", "balance_fen"}
    assert data["subsidy_fen"] + data["paid_fen"] == 1500
    for _ in range(5):
        again = await post_meal(demo_client, "api-1", body)
        assert again.status_code == 201 and again.json() == data
    conflict = await post_meal(demo_client, "api-1", {**body, "price_fen": 1600})
    assert conflict.status_code == 409 and chinese(conflict.json()["detail"])
    after = (await demo_client.get("/api/v1/seniors/D0100/balance", headers=TOKEN)).json()
    assert after["balance_fen"] == before["balance_fen"] - data["subsidy_fen"]
    assert after["year"] == datetime.now(LOCAL_TZ).year and after["card_no"] == "D0100"


async def test_void_same_day_restores_the_balance(demo_client):
    before = (await demo_client.get("/api/v1/seniors/D0101/balance", headers=TOKEN)).json()["balance_fen"]
    meal = (await post_meal(demo_client, "api-void", {"card_no": "D0101", "kind": "dinner", "price_fen": 1200})).json()
    voided = await demo_client.post(f"/api/v1/meals/{meal['meal_id']}/void", headers=TOKEN)
    assert voided.status_code == 200 and voided.json() == {"meal_id": meal["meal_id"], "voided": True,
                                                            "balance_fen": before}
    twice = await demo_client.post(f"/api/v1/meals/{meal['meal_id']}/void", headers=TOKEN)
    assert twice.status_code == 422 and "已撤销" in twice.json()["detail"]
    assert (await demo_client.post("/api/v1/meals/99999999/void", headers=TOKEN)).status_code == 404


@pytest.mark.parametrize(
    ("body", "key", "status", "detail"),
    [
        ({"card_no": "NOPE", "kind": "lunch", "price_fen": 1500}, "e1", 404, "就餐卡"),
        ({"card_no": "D0495", "kind": "lunch", "price_fen": 1500}, "e2", 422, "未满 65"),
        ({"card_no": "D0100", "kind": "brunch", "price_fen": 1500}, "e3", 400, "kind"),  # not in the schema's enum
        ({"card_no": "D0100", "kind": "lunch", "price_fen": -5}, "e4", 422, "价格"),
        ({"card_no": "D0100", "kind": "lunch", "price_fen": "fifteen"}, "e5", 400, "参数"),
        ({"card_no": "D0100", "kind": "lunch"}, "e6", 400, "参数"),
        ({"card_no": "D0100", "kind": "lunch", "price_fen": 1500}, None, 400, "Idempotency-Key"),
        ({"card_no": "D0100", "kind": "lunch", "price_fen": 1500, "eaten_at": "2099-01-01T12:00:00+08:00"}, "e7", 422, "晚于"),
    ],
)
async def test_bad_requests_get_4xx_with_a_chinese_detail(demo_client, body, key, status, detail):
    response = await post_meal(demo_client, key, body)
    assert response.status_code == status
    assert detail in response.json()["detail"] and chinese(response.json()["detail"])


async def test_terminals_need_a_valid_token(demo_client, db):
    body = {"card_no": "D0100", "kind": "lunch", "price_fen": 1500}
    assert (await post_meal(demo_client, "t", body, token={})).status_code == 401
    assert (await post_meal(demo_client, "t", body, token={"Authorization": "Bearer wrong"})).status_code == 401
    assert (await demo_client.get("/api/v1/seniors/D0100/balance")).status_code == 401
    # Outside demo mode the demo token is refused.
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=create_app(db.with_(demo=False))) as production:
        assert (await production.get("/api/v1/seniors/D0100/balance", headers=TOKEN)).status_code == 401


async def test_a_meal_dated_in_a_closed_month_is_refused(demo_client, db):
    from center.services.dining.months import close_month
    from center.services.identity import load_user
    from center.tables import Staff

    admin = await load_user((await Staff.select(Staff.id).where(Staff.username == "admin").first())["id"])
    now = datetime.now(LOCAL_TZ)
    last_month = (now.replace(day=1) - timedelta(days=1)).replace(hour=12)
    if (now - last_month).days > 30:
        pytest.skip("the last day of last month is more than 31 days ago")
    await close_month(admin, last_month.date().replace(day=1), now.date())
    response = await post_meal(demo_client, "closed-1", {"card_no": "D0102", "kind": "lunch", "price_fen": 1500,
                                                  "eaten_at": last_month.isoformat()})
    assert response.status_code == 422 and "已结账" in response.json()["detail"]


@pytest.fixture
def terminal_client(demo_db):
    with TestClient(app=create_app(demo_db), base_url="http://testserver.local") as client:
        yield client


bodies = st.one_of(
    st.dictionaries(st.sampled_from(["card_no", "kind", "price_fen", "eaten_at", "extra"]),
                    st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.text(max_size=30),
                              st.floats(allow_nan=False, allow_infinity=False), st.lists(st.integers(), max_size=3),
                              st.sampled_from(["D0001", "D0495", "lunch", "breakfast", "2026-11-24T12:00:00",
                                               "2026-02-30T25:00"])), max_size=5),
    st.lists(st.integers(), max_size=3), st.text(max_size=20), st.none(),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, key=st.one_of(st.none(), st.text(alphabet="abcdefghij0123456789-", min_size=1, max_size=130)))
def test_no_body_ever_gets_a_500(terminal_client, body, key):
    headers = {**TOKEN, "content-type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    response = terminal_client.post("/api/v1/meals", content=json.dumps(body), headers=headers)
    assert response.status_code in (201, 400, 404, 409, 422), response.text
    if response.status_code >= 400:
        assert chinese(response.json()["detail"]), response.text


async def test_seniors_demo_data(demo_client):
    assert await Senior.count() == 500
    young = await Senior.select(Senior.card_no).where(Senior.card_no >= "D0491")
    assert len(young) == 10


@pytest.mark.parametrize("price", ['"1500"', "1500.0", "15e2", "1e2", "true", "null"])
async def test_a_price_that_is_not_a_json_integer_is_refused_and_nothing_is_recorded(demo_client, price):
    """Issue #11, finding 7: "15", 15.0 and 1e2 were accepted as fen. Money from a terminal is a JSON integer."""
    from center.tables import Meal

    before = await Meal.count()
    raw = '{"card_no": "D0100", "kind": "lunch", "price_fen": %s}' % price
    response = await demo_client.post("/api/v1/meals", content=raw,
                               headers={**TOKEN, "Idempotency-Key": f"strict-{price}", "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert "price_fen" in response.json()["detail"] and chinese(response.json()["detail"])
    assert await Meal.count() == before


async def test_the_schema_says_what_a_terminal_must_send(demo_client):
    schema = (await demo_client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/meals"]["post"]
    key = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert key["in"] == "header" and key["required"] is True
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    meal = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]] if "$ref" in body else body
    assert sorted(meal["properties"]["kind"]["enum"]) == ["breakfast", "dinner", "lunch"]
    assert meal["properties"]["price_fen"]["type"] == "integer"
