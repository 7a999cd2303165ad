"""Search over HTTP: the counter finds items by everyday words and cases by code, phone tail or name; the case list
(/cases) with its filters and pages, full page and htmx fragment; managers edit an item's everyday words."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from center.config import DEMO_PASSWORD
from center.tables import AuditLog, Case, Item, ItemVersion, Visit
from tests.factories import csrf_token, item_id, load_demo, login, soup, vary, without_csrf_tokens

HTMX = {"hx-request": "true"}
RESULTS = {**HTMX, "hx-target": "search-results"}
ROWS = {**HTMX, "hx-target": "case-rows"}
FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


async def receive(client, code="MZ01", name="欧阳秀英", phone="13955554321"):
    token = await csrf_token(client, "/counter")
    response = await client.post("/counter/receive", data={
        "_csrf_token": token, "item_id": str(await item_id(code)), "action": "accept", "resident_name": name,
        "phone": phone}, follow_redirects=False)
    case_id = int(response.headers["location"].rsplit("/", 1)[1])
    return (await Case.select(Case.id, Case.code).where(Case.id == case_id).first())


def item_names(response):
    return [a.select_one(".result-name").get_text() for a in soup(response).select("a[data-result]:not(.result-case)")]


@pytest.mark.parametrize(("word", "first"), [
    ("社保", "城乡居民基本养老保险参保登记"), ("医保", "城乡居民基本医疗保险参保登记"), ("低保", "最低生活保障申请"),
    ("社保卡", "社会保障卡申领"),
])
async def test_the_counter_finds_the_words_residents_say(worker_client, word, first):
    response = await worker_client.get(f"/counter?q={word}", headers=RESULTS)
    assert response.status_code == 200 and "<html" not in response.text
    assert vary(response) == {"HX-Request", "HX-Target"}
    assert item_names(response)[0] == first
    assert f"俗称“{word}”" in soup(response).select_one("a[data-result]").get_text()
    full = await worker_client.get(f"/counter?q={word}")
    assert "<html" in full.text and item_names(full)[0] == first


@pytest.mark.parametrize("typed", ["{code}", "{code_lower}", "4321", "欧阳秀英"])
async def test_the_counter_finds_a_case_that_opens_in_the_work_panel(worker_client, typed):
    case = await receive(worker_client)
    query = typed.format(code=case["code"], code_lower=case["code"].lower())
    for headers in (RESULTS, {}):
        response = await worker_client.get("/counter", params={"q": query}, headers=headers)
        found = soup(response).select("#search-results a.result-case" if not headers else "a.result-case")
        link = next(a for a in found if a["href"] == f"/cases/{case['id']}")
        assert link["data-hx-get"] == f"/cases/{case['id']}" and link["data-hx-target"] == "#work-panel"
        assert link.has_attr("data-result")  # ↓ and Enter reach it like an item
        text = link.get_text()
        assert case["code"] in text and "欧***" in text and "139****4321" in text
        assert "欧阳秀英" not in text and not FULL_PHONE.search(without_csrf_tokens(response.text))
    panel = await worker_client.get(f"/cases/{case['id']}", headers={**HTMX, "hx-target": "work-panel"})
    assert "<html" not in panel.text and case["code"] in soup(panel).select_one(".case-code").get_text()


async def test_a_code_of_another_center_finds_nothing_and_says_so(worker_client):
    foreign = await Case.select(Case.code).where(Case.center.slug == "huanghe").first()
    response = await worker_client.get(f"/counter?q={foreign['code']}", headers=RESULTS)
    assert not soup(response).select("a.result-case")
    assert f"本中心没有编号为 {foreign['code']} 的办件" in soup(response).select_one(".empty").get_text()


async def test_a_phone_tail_nobody_has_says_so(worker_client):
    taken = {r["phone_tail"] for r in await Visit.select(Visit.phone_tail)}
    tail = next(f"{n:04d}" for n in range(10000) if f"{n:04d}" not in taken)
    response = await worker_client.get(f"/counter?q={tail}", headers=RESULTS)
    assert f"没有电话尾号 {tail} 的办件" in soup(response).select_one(".empty").get_text()


# The case list


def rows_of(response):
    return soup(response).select("#case-rows tr") if "<html" in response.text else soup(response).select("tr")


def count_of(response):
    return int(soup(response).select_one("#case-count strong").get_text())


async def test_the_case_list_full_page_and_the_rows_fragment(worker_client):
    page = await worker_client.get("/cases")
    assert page.status_code == 200 and vary(page) == {"HX-Request", "HX-Target"}
    form = soup(page).select_one("form#case-filters")
    assert form["action"] == "/cases" and form["method"] == "get"  # works without JavaScript
    assert form["data-hx-get"] == "/cases" and form["data-hx-target"] == "#case-rows"
    assert {f["name"] for f in form.select("[name]")} >= {"q", "state", "item", "view", "overdue"}
    total = count_of(page)
    assert total > 20 and len(rows_of(page)) == 20  # the center's open cases, 20 a page
    fragment = await worker_client.get("/cases", headers=ROWS)
    assert fragment.status_code == 200 and vary(fragment) == {"HX-Request", "HX-Target"}
    assert fragment.text.strip().startswith("<tr") and "<html" not in fragment.text
    assert fragment.headers["hx-push-url"] == "/cases"
    oob = soup(fragment)
    assert oob.select_one("#case-count")["data-hx-swap-oob"] == "innerHTML"  # the count and pages travel along
    assert oob.select_one("#case-pager")["data-hx-swap-oob"] == "true"
    assert len(oob.select("tr")) == 20


async def test_page_links_keep_the_filters(worker_client):
    page = await worker_client.get("/cases?state=all&view=center")
    assert count_of(page) > 20
    next_link = soup(page).select_one("#case-pager a[rel=next]")
    assert parse_qs(urlsplit(next_link["href"]).query) == {"state": ["all"], "page": ["2"]}
    assert next_link["data-hx-get"] == next_link["href"] and next_link["data-hx-target"] == "#case-rows"
    second = await worker_client.get(next_link["href"], headers=ROWS)
    assert second.headers["hx-push-url"] == "/cases?state=all&page=2"
    assert "第 2 /" in soup(second).select_one("#case-count").get_text()
    first_ids = {a["href"] for a in soup(page).select("#case-rows a")}
    second_ids = {a["href"] for a in soup(second).select("tr a")}
    assert second_ids and not first_ids & second_ids


async def test_closed_cases_are_a_filter(worker_client):
    closed = await worker_client.get("/cases?state=closed")
    statuses = {r.select("td")[3].get_text() for r in rows_of(closed)}
    assert statuses and statuses <= {"已办结", "不予受理", "咨询已答复"}
    default = await worker_client.get("/cases")
    assert not {r.select("td")[3].get_text() for r in rows_of(default)} & {"已办结", "不予受理", "咨询已答复"}


async def test_filters_combine_and_the_count_matches(worker_client):
    case = await receive(worker_client, code="ZF09", phone="13955559876")
    target = await item_id("ZF09")
    by_item = await worker_client.get(f"/cases?item={target}&view=mine", headers=ROWS)
    assert case["code"] in by_item.text
    assert count_of(by_item) == len(rows_of(by_item))
    assert {r.select("td")[1].get_text() for r in rows_of(by_item)} == {"个人住房状况查询证明"}
    tail = await worker_client.get("/cases?q=9876", headers=ROWS)
    assert case["code"] in tail.text and "139****9876" in tail.text and not FULL_PHONE.search(without_csrf_tokens(tail.text))
    overdue = await worker_client.get("/cases?overdue=1&state=all")
    marks = {r.select("td")[6].get_text(strip=True) for r in rows_of(overdue)}
    assert marks == {"已超期"} and count_of(overdue) == len(rows_of(overdue))


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "page=99999999999", "item=x", "state=nonsense",
                                   "overdue=maybe", "q=" + "长" * 200, "view=everyone"])
async def test_bad_filters_fall_back_without_an_error(worker_client, query):
    response = await worker_client.get(f"/cases?{query}")
    assert response.status_code == 200 and soup(response).select_one("#case-count")


# Managers edit the everyday words


async def test_a_manager_edits_an_items_words_and_the_counter_finds_it_by_the_new_one(client, db):
    await load_demo(db)
    await login(client, "manager", DEMO_PASSWORD)
    target = await item_id("ZF07")
    assert item_names(await client.get("/counter?q=老楼加梯", headers=RESULTS)) == []
    edit = soup(await client.get(f"/catalog/{target}/edit"))
    words = edit.select_one("textarea[name=keywords]")
    assert "加装电梯" in words.get_text()
    data = {field["name"]: field.get("value", "") for field in edit.select("input[name]") if field.get("type") != "checkbox"}
    data.update({"category_id": edit.select_one("select[name=category_id] option[selected]")["value"],
                 "kind": edit.select_one("select[name=kind] option[selected]")["value"],
                 "legal_basis": edit.select_one("textarea[name=legal_basis]").get_text(),
                 "m_form": [s.select_one("option[selected]")["value"] for s in edit.select("select[name=m_form]")],
                 "m_name": [i["value"] for i in edit.select("input[name=m_name]")],
                 "m_copies": [i["value"] for i in edit.select("input[name=m_copies]")],
                 "m_note": [i["value"] for i in edit.select("input[name=m_note]")]})
    bad = await client.post(f"/catalog/{target}", data={**data, "keywords": "老楼加梯、" + "长" * 21})
    assert bad.status_code == 422 and "每个不超过 20 个字" in soup(bad).select_one("[role=alert]").get_text()
    assert "老楼加梯、" in soup(bad).select_one("textarea[name=keywords]").get_text()  # what was typed is kept
    saved = await client.post(f"/catalog/{target}", data={**data, "keywords": words.get_text() + "，老楼加梯"},
                              follow_redirects=False)
    assert saved.status_code == 302
    assert (await Item.select(Item.keywords).where(Item.id == target).first())["keywords"].endswith("、老楼加梯")
    assert await ItemVersion.count().where(ItemVersion.item == target) == 2  # the version history as before
    assert await AuditLog.exists().where((AuditLog.action == "catalog.item_update") & (AuditLog.object_id == str(target)))
    show = soup(await client.get(saved.headers["location"]))
    assert "老楼加梯" in show.select_one(".keywords").get_text()
    found = await client.get("/counter?q=老楼加梯", headers=RESULTS)
    assert item_names(found)[0] == "老旧小区加装电梯意见征询登记"
