"""/hall over HTTP: the manager sets up queues, windows and ticket printers; refusals keep what was typed."""

import json

import pytest

from center.domain.queue import ADDRESS_LIMIT
from center.tables import HallQueue, HallWindow
from center.config import DEMO_PASSWORD
from tests.factories import JOURNEY_NOW, csrf_token, load_demo, login, soup, vary


@pytest.fixture
async def printer_manager(client, db, frozen_clock):
    """The demo manager on a Wednesday at 10:00 in Asia/Shanghai, when the hall hands out tickets (the clock is
    frozen before the login, so the session does not end when the clock moves)."""
    frozen_clock(JOURNEY_NOW)
    await load_demo(db)
    assert (await login(client, "manager", DEMO_PASSWORD)).status_code == 302
    return client


async def post(client, path: str, data: dict, headers: dict | None = None):
    token = await csrf_token(client, "/hall")
    return await client.post(path, data={"_csrf_token": token, **data}, headers=headers or {},
                             follow_redirects=False)


async def category_ids(client) -> list[str]:
    page = soup(await client.get("/hall"))
    return [box["value"] for box in page.select("#queue-form input[name=categories]")]


async def test_the_manager_sees_queues_windows_and_printers(manager_client):
    response = await manager_client.get("/hall")
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True).startswith("取号叫号设置")
    codes = [th.get_text(strip=True) for th in page.select("#queues tbody th[scope=row]")]
    assert codes == ["A", "B", "C", "D"]  # the demo's queues
    assert len(page.select("#windows form.window-card")) == 6
    assert "大厅取号机" in page.select_one("#printers").get_text()
    assert "/screen/daxi" in page.select_one(".addresses").get_text()  # the screen's address, to type into a TV
    assert "HX-Request" in vary(response)


async def test_the_roster_page_leads_to_the_hall_settings(manager_client):
    page = soup(await manager_client.get("/rosters"))
    assert page.find("a", string="取号叫号设置")["href"] == "/hall"


async def test_a_worker_may_not_set_up_the_hall(worker_client):
    response = await worker_client.get("/hall")
    assert response.status_code == 403 and "只有中心负责人和区级管理员可以设置取号叫号" in response.text
    refused = await worker_client.post("/hall/queues", data={"code": "E"}, follow_redirects=False)
    assert refused.status_code == 403


async def test_the_manager_adds_a_queue_with_a_plain_form(manager_client):
    first = (await category_ids(manager_client))[0]
    response = await post(manager_client, "/hall/queues", {
        "code": "e", "name": "就业创业", "categories": first, "daily_max": "120", "priority_run": "2"})
    assert response.status_code == 303 and response.headers["location"] == "/hall"
    after = await manager_client.get("/hall")
    assert "队列 E 已保存" in after.text  # the flash
    row = await HallQueue.select().where((HallQueue.code == "E") & (HallQueue.center.slug == "daxi")).first()
    assert (row["name"], json.loads(row["categories"]), row["daily_max"], row["priority_run"]) == (
        "就业创业", [int(first)], 120, 2)
    assert "E" in [q["code"] for q in (await manager_client.get("/api/v1/centers/daxi/queues")).json()]


async def test_a_bad_code_is_refused_in_chinese_with_what_was_typed(manager_client):
    ids = await category_ids(manager_client)
    response = await post(manager_client, "/hall/queues", {
        "code": "a1", "name": "青年就业", "categories": [ids[0], ids[1]], "daily_max": "0", "priority_run": "2"})
    assert response.status_code == 422
    form = soup(response).select_one("#queue-form")
    assert form.select_one("input[name=code]")["value"] == "a1"
    assert form.select_one("input[name=code]")["aria-invalid"] == "true"
    assert form.select_one("#q-code-error").get_text() == "队列代码须为一个大写字母（A–Z）"
    assert form.select_one("#q-daily_max-error").get_text().startswith("每日上限须为")  # every wrong field told
    assert form.select_one("input[name=name]")["value"] == "青年就业"
    assert form.select_one("input[name=priority_run]")["value"] == "2"
    assert sorted(box["value"] for box in form.select("input[name=categories][checked]")) == sorted(ids[:2])
    assert not await HallQueue.exists().where(HallQueue.name == "青年就业")


async def test_an_htmx_post_gets_the_queues_block_back(manager_client):
    headers = {"HX-Request": "true", "HX-Target": "queues"}
    refused = await post(manager_client, "/hall/queues", {"code": "", "name": "", "daily_max": "5",
                                                          "priority_run": "1"}, headers)
    assert refused.status_code == 422 and "<html" not in refused.text and "queue-form" in refused.text
    assert "HX-Target" in vary(refused)
    saved = await post(manager_client, "/hall/queues", {"code": "F", "name": "法律咨询", "daily_max": "50",
                                                        "priority_run": "1"}, headers)
    assert saved.status_code == 200 and "<html" not in saved.text
    assert "队列 F 已保存" in saved.text and "法律咨询" in saved.text
    # The windows' checkboxes list the queues: the answer tells the windows block to fetch itself again.
    assert saved.headers["hx-trigger"] == "hall-queues-changed"
    windows = await manager_client.get("/hall", headers={"HX-Request": "true", "HX-Target": "windows"})
    assert "<html" not in windows.text and "window-card" in windows.text and "F 法律咨询" in windows.text


async def test_changing_a_queue_keeps_its_code_and_the_edit_link_fills_the_form(manager_client):
    form = soup(await manager_client.get("/hall?edit=B")).select_one("#queue-form")
    assert form.select_one("input[name=code]")["value"] == "B"
    assert form.select_one("input[name=name]")["value"] == "民政老龄"


async def test_a_new_queue_typed_with_a_code_in_use_does_not_rename_that_queue(manager_client):
    """A typo in the add form ("a" for a new queue) must not turn A 社保医保 into something else for the whole day;
    changing A is done from its 修改 link, which the form then names."""
    ids = await category_ids(manager_client)
    refused = await post(manager_client, "/hall/queues", {
        "code": "a", "name": "就业创业", "categories": [ids[0]], "daily_max": "300", "priority_run": "1"})
    assert refused.status_code == 422
    assert soup(refused).select_one("#q-code-error").get_text() == \
        "队列 A（社保医保）已存在；要修改它，请在上面的列表中点“修改”"
    assert await HallQueue.exists().where((HallQueue.code == "A") & (HallQueue.name == "社保医保")
                                          & (HallQueue.center.slug == "daxi"))
    editing = soup(await manager_client.get("/hall?edit=A")).select_one("#queue-form input[name=editing]")
    assert editing["value"] == "A"
    changed = await post(manager_client, "/hall/queues", {
        "code": "A", "editing": "A", "name": "社保医保", "categories": [ids[0]], "daily_max": "250",
        "priority_run": "1"})
    assert changed.status_code == 303
    assert await HallQueue.exists().where((HallQueue.code == "A") & (HallQueue.daily_max == 250)
                                          & (HallQueue.center.slug == "daxi"))


async def test_retiring_a_queue_asks_first(manager_client):
    asked = await post(manager_client, "/hall/queues/C/retire", {})
    assert asked.status_code == 200 and "停用队列 C 户籍居住？" in asked.text
    assert await HallQueue.exists().where((HallQueue.code == "C") & (HallQueue.active == True))  # noqa: E712
    done = await post(manager_client, "/hall/queues/C/retire", {"confirm": "1"})
    assert done.status_code == 303
    codes = [q["code"] for q in (await manager_client.get("/api/v1/centers/daxi/queues")).json()]
    assert "C" not in codes


async def test_the_manager_changes_the_queues_a_window_serves_today(manager_client):
    response = await post(manager_client, "/hall/windows", {"number": "6", "queues": ["A", "B"]})
    assert response.status_code == 303
    row = await HallWindow.select().where((HallWindow.number == "6") & (HallWindow.center.slug == "daxi")).first()
    assert json.loads(row["queues"]) == ["A", "B"]
    card = next(f for f in soup(await manager_client.get("/hall")).select("form.window-card")
                if f.select_one("input[name=number]")["value"] == "6")
    assert sorted(b["value"] for b in card.select("input[name=queues][checked]")) == ["A", "B"]


async def test_a_window_with_no_queue_is_refused_at_its_own_form(manager_client):
    response = await post(manager_client, "/hall/windows", {"number": "3", "extended": "1"},
                          {"HX-Request": "true", "HX-Target": "windows"})
    assert response.status_code == 422
    page = soup(response)
    card = next(f for f in page.select("form.window-card") if f.select_one("input[name=number]")["value"] == "3")
    assert "请至少选择一个服务的队列" in card.get_text()
    assert card.select_one("input[name=extended]").has_attr("checked")  # what was ticked stays ticked
    assert not card.select("input[name=queues][checked]")


async def test_adding_a_window(manager_client):
    response = await post(manager_client, "/hall/windows", {"new": "1", "number": "7", "queues": ["D"]})
    assert response.status_code == 303
    assert await HallWindow.exists().where((HallWindow.number == "7") & (HallWindow.center.slug == "daxi"))


async def test_the_admin_chooses_the_center(admin_client):
    page = soup(await admin_client.get("/hall?center=huanghe"))
    assert page.select_one("select[name=center] option[selected]")["value"] == "huanghe"
    assert page.select_one("#queue-form input[name=center]")["value"] == "huanghe"
    assert (await admin_client.get("/hall?center=nowhere")).status_code == 404


async def test_a_printer_token_is_shown_once_and_lifts_the_address_limit(printer_manager):
    manager_client = printer_manager
    response = await post(manager_client, "/hall/printers", {"name": "东门取号机"})
    assert response.status_code == 201
    token = soup(response).select_one("[data-token]").get_text(strip=True)
    assert len(token) >= 32 and "只显示这一次" in response.text
    assert token not in (await manager_client.get("/hall")).text  # once
    take = {"queue": "A", "priority": False}
    for _ in range(ADDRESS_LIMIT + 3):
        answer = await manager_client.post("/api/v1/centers/daxi/tickets", json=take,
                                           headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 201, answer.text
    # Without the token the same address is past its limit already: the printer's tickets were taken from it.
    refused = await manager_client.post("/api/v1/centers/daxi/tickets", json=take)
    assert refused.status_code == 429 and "取号过于频繁" in refused.json()["detail"]
    wrong = await manager_client.post("/api/v1/centers/daxi/tickets", json=take,
                                      headers={"Authorization": "Bearer not-a-registered-printer"})
    assert wrong.status_code == 429


@pytest.mark.parametrize("name", ["", "   "])
async def test_a_printer_needs_a_name(manager_client, name):
    response = await post(manager_client, "/hall/printers", {"name": name})
    assert response.status_code == 422 and "请填写取号机名称" in response.text
