"""Numbers typed into forms over HTTP: −5 and 99999999 get different, clear Chinese messages and the form keeps
what was typed (the catalog's 承诺时限 and 份数, the desk's 餐费, a shift's 每班人数)."""

import pytest
from bs4 import BeautifulSoup

from center.config import DEMO_PASSWORD
from tests.factories import csrf_token, login


def alert(response) -> str:
    return BeautifulSoup(response.text, "html.parser").select_one("[role=alert]").get_text().strip()


async def new_item(client, **changes):
    token = await csrf_token(client, "/catalog/new")
    data = {"_csrf_token": token, "code": "MZ98", "name": "测试事项", "category_id": "1", "department": "区民政局",
            "kind": "promised", "promised_days": "5", "fee": "", "m_name": ["居民身份证"], "m_form": ["both"],
            "m_copies": ["1"], "m_note": [""], **changes}
    return await client.post("/catalog", data=data)


@pytest.mark.parametrize(("typed", "message"), [
    ("-5", "承诺时限不能为负数"),
    ("99999999", "承诺时限最多 60 个工作日"),
    ("0", "承诺时限至少 1 个工作日（当场办结的请选“即办件”）"),
    ("abc", "承诺时限须为整数"),
    ("", "请填写承诺时限"),
])
async def test_the_catalog_promise_says_which_bound_was_crossed(demo_client, typed, message):
    await login(demo_client, "manager", DEMO_PASSWORD)
    response = await new_item(demo_client, promised_days=typed)
    assert response.status_code == 422
    assert alert(response).startswith(message)
    field = BeautifulSoup(response.text, "html.parser").select_one("input[name=promised_days]")
    assert field["value"] == typed  # what was typed stays


@pytest.mark.parametrize(("typed", "message"), [("-5", "第 1 项材料：份数不能为负数"),
                                                ("99999999", "第 1 项材料：份数最多 20 份"),
                                                ("x", "第 1 项材料：份数须为整数")])
async def test_material_copies_say_which_bound_was_crossed(demo_client, typed, message):
    await login(demo_client, "manager", DEMO_PASSWORD)
    response = await new_item(demo_client, m_copies=[typed])
    assert response.status_code == 422 and alert(response).startswith(message)


@pytest.mark.parametrize(("typed", "message"), [("-5", "餐费不能为负数"), ("−5", "餐费不能为负数"),
                                                ("99999999", "餐费不能超过 1000 元"), ("0", "餐费须大于 0")])
async def test_the_desk_price_says_which_bound_was_crossed(demo_client, typed, message):
    await login(demo_client, "canteen", DEMO_PASSWORD)
    page = BeautifulSoup((await demo_client.get("/dining?card=D0203")).text, "html.parser")
    hidden = {i["name"]: i.get("value", "") for i in page.select("form.meal-form input[type=hidden]")}
    response = await demo_client.post("/dining/meals", data={**hidden, "kind": "lunch", "price": typed})
    assert response.status_code == 422 and alert(response) == message


@pytest.mark.parametrize(("typed", "message"), [("-5", "每班人数不能为负数"), ("99999999", "每班人数最多 20 人"),
                                                ("0", "每班人数至少 1 人")])
async def test_the_shift_size_says_which_bound_was_crossed(demo_client, typed, message):
    await login(demo_client, "manager", DEMO_PASSWORD)
    page = BeautifulSoup((await demo_client.get("/rosters/shifts")).text, "html.parser")
    token = page.select_one("input[name=_csrf_token]")["value"]
    staff = [i["value"] for i in page.select("form.shift-form")[-1].select("input[name=eligible]")][:2]
    response = await demo_client.post("/rosters/shifts", data={
        "_csrf_token": token, "name": "错时早班", "start": "07:30", "end": "08:30", "needed": typed,
        "day_kinds": ["workday"], "eligible": staff})
    assert response.status_code == 422 and alert(response) == message
