"""民情诉求 over HTTP, every step a plain form post: taken at the counter with its visit in one step, signed and
closed by the grid worker, called back by the manager; irreversible steps asked to be confirmed; Chinese errors
with what was typed kept; the 12345 upload's preview, its row errors and its confirmation; who may open what."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from center.config import DEMO_PASSWORD
from center.domain.demand_import import HOTLINE_HEADER
from center.tables import AuditLog, Demand, DemandEvent, Staff, Visit
from tests.factories import csrf_token, login, logout, soup, xlsx_bytes




async def post(client, path: str, page: str, **fields):
    token = await csrf_token(client, page)
    return await client.post(path, data={"_csrf_token": token, **fields}, follow_redirects=False)


async def act(client, demand_id: int, **fields):
    version = (await Demand.select(Demand.version).where(Demand.id == demand_id).first())["version"]
    return await post(client, f"/demands/{demand_id}/act", f"/demands/{demand_id}", version=str(version), **fields)


async def as_user(client, username: str):
    await logout(client)
    assert (await login(client, username, DEMO_PASSWORD)).status_code == 302


async def test_a_counter_visit_becomes_a_demand_the_grid_worker_signs_and_closes_and_the_manager_calls_back(
        worker_client):
    client = worker_client
    panel = soup(await client.get("/counter/?demand=1"))
    form = panel.select_one("form.demand-form")
    assert form["action"] == "/counter/demand"
    assert panel.select_one("input[name=channel]")["value"] == "counter"
    visits = await Visit.count()
    answer = await post(client, "/counter/demand", "/counter/?demand=1", channel="counter", kind="repair",
                        content="楼道灯坏了三天", address="纸箱厂小区2号楼1单元301", resident_name="赵凤英",
                        phone="13912345678")
    assert answer.status_code in (302, 303), answer.text
    demand_id = int(answer.headers["location"].rstrip("/").rsplit("/", 1)[1])
    assert await Visit.count() == visits + 1
    d = await Demand.select().where(Demand.id == demand_id).first()
    worker = await Staff.select(Staff.id).where(Staff.username == "worker").first()
    assert d["channel"] == "counter" and d["assignee"] == worker["id"]  # 纸箱厂小区 is the demo worker's grid
    page = soup(await client.get(f"/demands/{demand_id}"))
    assert "赵凤英" not in page.text and "139****5678" in page.text  # masked until revealed
    assert [i["value"] for i in page.select("input[name=action]")] == ["sign", "send_back"]

    assert (await act(client, demand_id, action="sign")).status_code in (302, 303)
    assert (await act(client, demand_id, action="contact", note="电话联系，约好下午上门")).status_code in (302, 303)
    refused = await act(client, demand_id, action="resolve", note="已更换灯泡")  # not confirmed
    assert refused.status_code == 422 and "确认：提交后不能撤回" in refused.text
    assert "已更换灯泡" in refused.text  # what was typed is kept
    assert (await act(client, demand_id, action="resolve", note="已更换灯泡", confirm="1")).status_code in (302, 303)
    mine = soup(await client.get(f"/demands/{demand_id}"))
    assert mine.select("input[name=action]") == []  # the handler does not call back on their own work

    await as_user(client, "manager")
    assert (await act(client, demand_id, action="callback", solved="1", satisfaction="satisfied",
                      confirm="1")).status_code in (302, 303)
    d = await Demand.select().where(Demand.id == demand_id).first()
    assert (d["state"], d["solved"], d["satisfaction"]) == ("visited", True, "satisfied")
    events = [e["action"] for e in await DemandEvent.select(DemandEvent.action).where(
        DemandEvent.demand == demand_id).order_by(DemandEvent.id)]
    assert events == ["open", "sign", "contact", "resolve", "callback"]
    timeline = soup(await client.get(f"/demands/{demand_id}")).select("[data-demand=events] li")
    assert len(timeline) == 5 and "已回访" in timeline[-1].text


async def test_a_bad_demand_is_refused_in_chinese_and_the_form_comes_back_filled(worker_client):
    before = await Demand.count()
    answer = await post(worker_client, "/demands", "/demands/new", channel="phone", kind="repair", content="",
                        address="纸箱厂小区1号楼", phone="138")
    assert answer.status_code == 422
    page = soup(answer)
    assert "请填写诉求内容" in page.text
    assert page.select_one("#d-address")["value"] == "纸箱厂小区1号楼"
    assert await Demand.count() == before


async def test_the_contact_is_revealed_on_request_and_the_reveal_audited(worker_client):
    demand = await Demand.select(Demand.id, Demand.phone).where(
        (Demand.center.slug == "daxi") & (Demand.phone != "")).first()
    before = await AuditLog.count().where(AuditLog.action == "pii.reveal")
    answer = await post(worker_client, f"/demands/{demand['id']}/reveal", f"/demands/{demand['id']}")
    assert answer.status_code == 200 and demand["phone"] in answer.text
    assert await AuditLog.count().where(AuditLog.action == "pii.reveal") == before + 1


async def test_a_worker_cannot_import_nor_read_the_figures_nor_see_another_centers_order(worker_client):
    assert (await worker_client.get("/demands/import")).status_code == 403
    assert (await worker_client.get("/demands/figures")).status_code == 403
    other = await Demand.select(Demand.id).where(Demand.center.slug == "huanghe").first()
    assert (await worker_client.get(f"/demands/{other['id']}")).status_code == 403


async def upload(client, content: bytes, filename="12345.xlsx"):
    token = await csrf_token(client, "/demands/import")
    return await client.post("/demands/import", data={"_csrf_token": token, "kind": "hotline"},
                             files={"file": (filename, content, "application/octet-stream")})


async def test_the_hotline_upload_lists_bad_rows_then_previews_and_imports_a_good_file_once(manager_client):
    client = manager_client
    rows = [["2612990001", "2026-12-01 09:10", "王秀兰", "13900001111", "纸箱厂小区3号楼", "投诉", "夜市噪音", 13],
            ["2612990002", "2026-12-01 10:20", "李建华", "", "滨河小区5号楼", "报修", "楼顶漏水", ""],
            ["2612990003", "某天", "张志强", "13900001113", "不知道哪", "咨询", "医保怎么报", 3]]
    bad = await upload(client, xlsx_bytes(HOTLINE_HEADER, rows))
    assert bad.status_code == 422
    errors = soup(bad).select("[data-upload=errors] tr")
    assert len(errors) == 2 and "第 4 行" in errors[1].text and "受理时间“某天”无法识别" in errors[1].text
    assert await Demand.count().where(Demand.source_no.like("261299%")) == 0

    rows[2][1] = "2026-12-01 11:00"
    good = await upload(client, xlsx_bytes(HOTLINE_HEADER, rows))
    assert good.status_code == 200
    preview = soup(good)
    assert preview.select_one("[data-count=new]").text == "3"
    token = preview.select_one("input[name=token]")["value"]
    confirmed = await post(client, "/demands/import/confirm", "/demands/import", token=token, kind="hotline")
    assert confirmed.status_code in (302, 303)
    listed = await client.get("/demands/")
    assert "已导入 12345 工单 3 件" in listed.text and "2612990002" in listed.text
    again = soup(await upload(client, xlsx_bytes(HOTLINE_HEADER, rows)))
    assert again.select_one("[data-count=new]").text == "0" and again.select_one("[data-count=existing]").text == "3"
    assert await Demand.count().where(Demand.source_no.like("261299%")) == 3


async def test_a_wrong_header_and_a_non_excel_file_are_refused_with_a_message(manager_client):
    wrong = await upload(manager_client, xlsx_bytes(["编号", "时间"], [["1", "2"]]))
    assert wrong.status_code == 422 and "表头缺少列" in wrong.text
    junk = await upload(manager_client, b"not a workbook", "x.xlsx")
    assert junk.status_code == 422 and "无法读取这个文件" in junk.text
    nothing = await post(manager_client, "/demands/import", "/demands/import", kind="hotline")
    assert nothing.status_code == 422 and "请选择要导入的 .xlsx 文件" in nothing.text


async def test_the_manager_reads_the_three_rates_and_exports_them(manager_client):
    page = soup(await manager_client.get("/demands/figures"))
    for figure in ("response_rate", "solve_rate", "satisfaction_rate"):
        assert page.select_one(f"[data-figure={figure}]").text.strip()
    assert page.select("table.heat tbody tr")
    export = await manager_client.get("/demands/figures.xlsx")
    wb = load_workbook(io.BytesIO(export.content))
    assert "按网格" in wb.sheetnames and wb["工单明细"].max_row > 2


async def test_a_refused_demand_at_the_counter_comes_back_in_the_counters_panel_with_every_error(worker_client):
    answer = await post(worker_client, "/counter/demand", "/counter/?demand=1", channel="counter", kind="",
                        content="",
                        address="纸箱厂小区2号楼", phone="1380013")
    assert answer.status_code == 422
    page = soup(answer)
    panel = page.select_one("#work-panel .demand-panel")
    assert panel is not None and page.select_one("#sidebar") is not None  # still the counter
    errors = {e["id"]: e.text for e in panel.select(".field-error")}
    assert set(errors) == {"kind-error", "content-error", "phone-error"}
    assert panel.select_one("#d-address")["value"] == "纸箱厂小区2号楼"


async def test_only_the_intake_channels_are_taken_from_the_form(worker_client):
    before = await Demand.count()
    answer = await post(worker_client, "/demands", "/demands/new", channel="hotline", kind="repair", content="x")
    assert answer.status_code == 422 and "请选择诉求来源渠道" in answer.text
    assert await Demand.count() == before


async def test_the_counters_search_lists_a_residents_demands_and_the_proactive_list_is_the_managers(worker_client):
    demand = await Demand.select(Demand.code, Demand.phone).where(
        (Demand.center.slug == "daxi") & (Demand.phone != "")).order_by(Demand.id).first()
    results = soup(await worker_client.get(f"/counter/?q={demand['phone'][-4:]}"))
    group = results.select_one("[data-found=demands]")
    assert group is not None and demand["code"] in group.text and demand["phone"] not in group.text
    by_number = await worker_client.get(f"/demands/?q={demand['code'][1:]}")  # the number without its D
    assert demand["code"] in by_number.text
    assert (await worker_client.get("/demands/proactive")).status_code == 403
