"""Catalog (API and editing), the calendar (API, overrides, warning), the manager's figures and Excel export."""

import io
from datetime import date
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from center.config import DEMO_PASSWORD
from center.domain.calendar import WorkCalendar, next_year_warning
from center.tables import AuditLog, CalendarOverride, Item, ItemVersion
from center.timeutil import local_today
from tests.factories import csrf_token, item_id, login, logout

FULL_ID = r"[1-9]\d{16}[\dX]"


async def test_catalog_api_returns_43_items_in_4_categories_each_with_materials(demo_client):
    response = await demo_client.get("/api/v1/catalog")
    assert response.status_code == 200
    items = response.json()
    assert len(items) == 43
    assert {i["category"] for i in items} == {"社会保障", "民政与养老", "住房与公积金", "公安与户政"}
    assert all(i["materials"] for i in items)
    senior = next(i for i in items if i["code"] == "MZ01")
    assert senior["kind"] == "promised" and senior["promised_days"] == 5
    assert senior["materials"][0] == {"name": "居民身份证", "form": "both", "form_label": "原件及复印件", "copies": 1,
                                      "note": "", "required": True}


@pytest.mark.parametrize(("start", "days", "due"), [("2026-02-13", 1, "2026-02-14"), ("2026-02-14", 1, "2026-02-24"),
                                                    ("2026-09-30", 1, "2026-10-08"), ("2026-11-24", 0, "2026-11-24")])
async def test_workdays_api(client, start, days, due):
    response = await client.get(f"/api/v1/calendar/workdays?start={start}&days={days}")
    assert response.status_code == 200
    assert response.json() == {"start": start, "days": days, "due": due, "provisional": False}


@pytest.mark.parametrize("query", ["start=2026-02-30&days=1", "start=x&days=1", "start=2026-02-13&days=-1",
                                   "start=2026-02-13&days=99999", "start=2026-02-13", "days=1"])
async def test_workdays_api_refuses_bad_input_without_a_500(client, query):
    response = await client.get(f"/api/v1/calendar/workdays?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")


async def test_openapi_schema_lists_the_api(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/catalog" in schema["paths"] and "/api/v1/calendar/workdays" in schema["paths"]
    assert not any(path.startswith(("/counter", "/cases", "/login")) for path in schema["paths"])


async def test_catalog_page_search_and_fragment(demo_client):
    await login(demo_client, "worker", DEMO_PASSWORD)
    page = BeautifulSoup((await demo_client.get("/catalog")).text, "html.parser")
    assert len(page.select("section.catalog-group")) == 4
    assert not page.select("a[href='/catalog/new']")  # workers read, managers edit
    fragment = await demo_client.get("/catalog?q=gjj", headers={"hx-request": "true", "hx-target": "catalog-groups"})
    assert "<html" not in fragment.text and "住房公积金提取（离退休）" in fragment.text and "老年证" not in fragment.text
    assert (await demo_client.get(f"/catalog/{await item_id('MZ01')}/edit")).status_code == 403


async def test_manager_edits_an_item_reorders_materials_and_a_version_is_kept(demo_client):
    await login(demo_client, "manager", DEMO_PASSWORD)
    target = await item_id("MZ03")
    edit = BeautifulSoup((await demo_client.get(f"/catalog/{target}/edit")).text, "html.parser")
    token = edit.select_one("input[name=_csrf_token]")["value"]
    base = {"_csrf_token": token, "version": edit.select_one("input[name=version]")["value"], "code": "MZ03",
            "name": "老年人助餐服务登记", "category_id": edit.select_one("select[name=category_id] option[selected]")["value"],
            "department": "街道民政办", "kind": "immediate", "promised_days": "0", "fee": "不收费", "legal_basis": "",
            "m_name": ["居民身份证", "户口簿或居住证", "联系电话"], "m_form": ["both", "copy", "original"],
            "m_copies": ["1", "1", "1"], "m_note": ["", "", ""]}
    moved = await demo_client.post(f"/catalog/{target}", data={**base, "op": "down:0"})
    assert moved.status_code == 200  # re-rendered form, nothing saved yet
    names = [i["value"] for i in BeautifulSoup(moved.text, "html.parser").select("input[name=m_name]")]
    assert names == ["户口簿或居住证", "居民身份证", "联系电话"]
    bad = await demo_client.post(f"/catalog/{target}", data={**base, "m_name": ["", "户口簿或居住证", "联系电话"]})
    assert bad.status_code == 422 and "第 1 项材料名称" in bad.text
    saved = await demo_client.post(f"/catalog/{target}", data={**base, "m_name": ["户口簿或居住证", "居民身份证", "联系电话"],
                                                        "m_form": ["copy", "both", "original"]}, follow_redirects=False)
    assert saved.status_code == 302
    assert await ItemVersion.count().where(ItemVersion.item == target) == 2
    assert await AuditLog.exists().where((AuditLog.action == "catalog.item_update") & (AuditLog.object_id == str(target)))
    show = await demo_client.get(saved.headers["location"])
    assert "第 2 版" in show.text
    stale = await demo_client.post(f"/catalog/{target}", data=base)
    assert stale.status_code == 422 and "已被他人修改" in stale.text


@pytest.mark.parametrize(("field", "value", "message"), [("code", "M-9", "事项编码"), ("name", "", "事项名称"),
                                                         ("kind", "promised", "承诺时限"), ("category_id", "999", "类别")])
async def test_new_item_form_refuses_bad_input_in_chinese(demo_client, field, value, message):
    await login(demo_client, "manager", DEMO_PASSWORD)
    token = await csrf_token(demo_client, "/catalog/new")
    data = {"_csrf_token": token, "code": "MZ99", "name": "测试事项", "category_id": "1", "department": "区民政局",
            "kind": "immediate", "promised_days": "0", "fee": "", "m_name": ["居民身份证"], "m_form": ["both"],
            "m_copies": ["1"], "m_note": [""]}
    data[field] = value
    response = await demo_client.post("/catalog", data=data)
    assert response.status_code == 422
    assert message in BeautifulSoup(response.text, "html.parser").select_one("[role=alert]").get_text()


async def test_deactivated_items_leave_the_counter_search(demo_client):
    await login(demo_client, "manager", DEMO_PASSWORD)
    target = await item_id("GA11")
    token = await csrf_token(demo_client, f"/catalog/{target}")
    await demo_client.post(f"/catalog/{target}/active", data={"_csrf_token": token, "active": "0"})
    assert (await Item.select(Item.active).where(Item.id == target).first())["active"] is False
    results = await demo_client.get("/counter?q=出入境", headers={"hx-request": "true", "hx-target": "search-results"})
    assert "出入境证件办理预约" not in results.text
    await demo_client.post(f"/catalog/{target}/active", data={"_csrf_token": token, "active": "1"})


async def test_admin_adds_a_calendar_override_that_the_deadlines_follow(demo_client):
    await login(demo_client, "admin", DEMO_PASSWORD)
    page = await demo_client.get("/calendar?year=2026")
    assert "春节" in page.text and "国庆节" in page.text
    token = await csrf_token(demo_client, "/calendar?year=2031")
    bad = await demo_client.post("/calendar/overrides", data={"_csrf_token": token, "day": "2031-02-30", "kind": "holiday"})
    assert bad.status_code == 422 and "有效日期" in bad.text
    unnamed = await demo_client.post("/calendar/overrides", data={"_csrf_token": token, "day": "2031-01-02", "kind": "holiday"})
    assert unnamed.status_code == 422 and "名称" in unnamed.text
    ok = await demo_client.post("/calendar/overrides", data={"_csrf_token": token, "day": "2031-01-02", "kind": "holiday",
                                                      "name": "元旦"}, follow_redirects=False)
    assert ok.status_code == 302
    assert await CalendarOverride.exists().where(CalendarOverride.day == date(2031, 1, 2))
    due = (await demo_client.get("/api/v1/calendar/workdays?start=2031-01-01&days=1")).json()["due"]
    assert due == "2031-01-03"  # Thu 2 Jan is now a holiday
    await logout(demo_client)
    await login(demo_client, "worker", DEMO_PASSWORD)
    assert (await demo_client.get("/calendar")).status_code == 403


async def test_managers_see_the_next_year_warning_when_it_applies(demo_client):
    await login(demo_client, "manager", DEMO_PASSWORD)
    page = BeautifulSoup((await demo_client.get("/counter")).text, "html.parser")
    expected = next_year_warning(local_today(), WorkCalendar())
    banner = page.select_one(".banner")
    assert (banner is not None) == (expected is not None)
    await logout(demo_client)
    await login(demo_client, "worker", DEMO_PASSWORD)
    assert BeautifulSoup((await demo_client.get("/counter")).text, "html.parser").select_one(".banner") is None


async def test_stats_page_and_excel_export(demo_client):
    await login(demo_client, "manager", DEMO_PASSWORD)
    month = local_today().strftime("%Y-%m")
    page = BeautifulSoup((await demo_client.get(f"/counter/stats?month={month}")).text, "html.parser")
    numbers = {s.get_text(): d.select_one("strong").get_text() for d in page.select(".big-numbers div") for s in d.select("span")}
    assert int(numbers["受理办件"]) > 0
    assert page.select("svg.chart rect")
    export = await demo_client.get(f"/counter/stats/export.xlsx?month={month}")
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["汇总", "按类别", "按事项", "按社工", "办件明细", "取号叫号", "取号每日", "好差评"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["受理"] == int(numbers["受理办件"])
    detail = [r for r in book["办件明细"].iter_rows(min_row=2, values_only=True) if r[0] != "合计"]
    by_category = [r for r in book["按类别"].iter_rows(min_row=2, values_only=True) if r[0] != "合计"]
    assert sum(r[1] + r[2] for r in by_category) == len(detail)
    import re
    for row in detail:
        assert not any(re.fullmatch(FULL_ID, str(v or "")) for v in row)
    assert any("*" in str(row[5]) for row in detail)
    await logout(demo_client)
    await login(demo_client, "worker", DEMO_PASSWORD)
    assert (await demo_client.get("/counter/stats")).status_code == 403


async def test_the_year_view_sums_its_months(demo_client):
    """?month=2026 is the whole year, charted by month: its totals are the sum of the months' totals."""
    await login(demo_client, "manager", DEMO_PASSWORD)
    today = local_today()

    def figures(html: str) -> dict[str, str]:
        page = BeautifulSoup(html, "html.parser")
        return {s.get_text(): d.select_one("strong").get_text() for d in page.select(".big-numbers div")
                for s in d.select("span")}

    year_page = await demo_client.get(f"/counter/stats?month={today.year}")
    assert year_page.status_code == 200 and "全年" in year_page.text and "每月接待量" in year_page.text
    assert len(BeautifulSoup(year_page.text, "html.parser").select("#visits-chart rect")) == 12
    year = figures(year_page.text)
    months = [figures((await demo_client.get(f"/counter/stats?month={today.year}-{m:02d}")).text) for m in range(1, 13)]
    for label in ("咨询答复", "受理办件", "已办结"):
        assert int(year[label]) == sum(int(m[label]) for m in months) > 0
    export = await demo_client.get(f"/counter/stats/export.xlsx?month={today.year}")
    assert export.headers["content-disposition"].startswith(f'attachment; filename="one-window-{today.year}-center-daxi.xlsx"; ')
    assert unquote(export.headers["content-disposition"].split("filename*=UTF-8''")[1]) == \
        f"窗口统计-{today.year}年-黛溪街道纸箱厂社区党群服务中心.xlsx"
    summary = {row[0]: row[1] for row in load_workbook(io.BytesIO(export.content))["汇总"].iter_rows(
        min_row=2, values_only=True)}
    assert summary["期间"] == f"{today.year} 年" and summary["受理"] == int(year["受理办件"])
