"""Finding cases on a real database: by code, phone tail, phone and name at the counter (one indexed query), and the
case list's filters and pages (/cases)."""

from datetime import date, datetime, time

import pytest

from center import db as center_db
from center.db import statements
from center.services import cases
from center.services.cases import CaseFilter, ReceiveForm
from center.tables import Case, Visit
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, item_id, load_demo_catalog, make_center, make_staff

DAY = date(2026, 11, 24)


@pytest.fixture
async def desk(db):
    """Two centers with a worker each; the demo catalog."""
    await load_demo_catalog()
    here, there = await make_center(), await make_center()
    worker = await as_user(await make_staff(db, role="worker", center=here, display_name="窗口社工"))
    colleague = await as_user(await make_staff(db, role="worker", center=here, display_name="同事"))
    elsewhere = await as_user(await make_staff(db, role="worker", center=there, display_name="别处社工"))
    return {"worker": worker, "colleague": colleague, "elsewhere": elsewhere}


async def accept(actor, code="MZ01", name="张桂英", phone="13812345678", day=DAY, hour=10):
    form = ReceiveForm(item_id=await item_id(code), action="accept", resident_name=name, phone=phone,
                       brought=tuple(range(12)))  # everything brought: 已受理
    result = await cases.receive(actor, form, now=datetime.combine(day, time(hour), tzinfo=LOCAL_TZ))
    return result


async def test_receiving_stores_the_phone_tail(desk):
    result = await accept(desk["worker"], phone="13900001234")
    visit = await Visit.select(Visit.phone_tail).where(Visit.id == result["visit_id"]).first()
    assert visit["phone_tail"] == "1234"


@pytest.mark.parametrize("typed", ["{code}", "{code_lower}", "4567", "139 0000 4567", "欧阳桂英"])
async def test_a_case_is_found_by_code_phone_tail_phone_or_name(desk, typed):
    result = await accept(desk["worker"], name="欧阳桂英", phone="13900004567")
    query = typed.format(code=result["code"], code_lower=result["code"].lower())
    found = await cases.lookup_cases(desk["worker"], query, today=DAY)
    assert result["case_id"] in [c["id"] for c in found]
    row = next(c for c in found if c["id"] == result["case_id"])
    assert row["resident_name"] == "欧***" and row["phone"] == "139****4567"  # still masked
    assert row["item_name"] == "老年人优待证办理（老年证）" and row["status_label"] == "已受理"


async def test_newest_first_and_only_the_workers_center(desk):
    older = await accept(desk["worker"], phone="13900007777", day=date(2026, 11, 20))
    newer = await accept(desk["colleague"], phone="13800007777", day=DAY)
    foreign = await accept(desk["elsewhere"], phone="13900007777", day=DAY)
    found = [c["id"] for c in await cases.lookup_cases(desk["worker"], "7777", today=DAY)]
    assert found[:2] == [newer["case_id"], older["case_id"]]  # a colleague's case too: the center's cases
    assert foreign["case_id"] not in found
    assert await cases.lookup_cases(desk["worker"], foreign["code"]) == []
    assert await cases.lookup_cases(desk["elsewhere"], newer["code"]) == []


async def test_what_is_not_a_lookup_runs_no_query(desk, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("a query ran")

    monkeypatch.setattr(center_db.Prepared, "rows", fail)
    for typed in ("lnz", "SB04", "社", "567", ""):
        assert await cases.lookup_cases(desk["worker"], typed) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("prepared", "values", "index"), [
    ("CASES_BY_CODE", {"center": 1, "code": "K7M2QX"}, "(code=?)"),  # the unique key
    ("CASES_BY_PHONE_TAIL", {"center": 1, "tail": "4567"}, "visit_center_phone_tail"),
    ("CASES_BY_PHONE", {"center": 1, "tail": "4567", "phone": "13900004567"}, "visit_center_phone_tail"),
    ("CASES_BY_NAME", {"center": 1, "name": "张桂英"}, "visit_center_resident_name"),
])
async def test_each_lookup_is_one_indexed_query(desk, prepared, values, index):
    sql, args = getattr(statements, prepared).bound("sqlite", **values)
    plan = " | ".join(row["detail"] for row in await Case.raw("EXPLAIN QUERY PLAN " + sql.replace("?", "{}"), *args))
    assert index in plan, plan
    assert "SCAN service_case" not in plan and "SCAN visit" not in plan, plan


# The case list (/cases)


@pytest.fixture
async def ledger_of_cases(desk):
    """At the worker's center: 25 open cases of the worker's (MZ01, 3 of them overdue), 2 of a colleague's,
    1 completed; and one at another center."""
    worker, colleague = desk["worker"], desk["colleague"]
    mine = [await accept(worker, name=f"李{i:02d}", phone=f"1390000{i:04d}", hour=9) for i in range(25)]
    for result in mine[:3]:
        await Case.update({Case.due_on: date(2026, 11, 20)}).where(Case.id == result["case_id"])
    theirs = [await accept(colleague, code="ZF01", name="王芳", phone="13800008888") for _ in range(2)]
    done = await accept(worker, code="GA01", name="赵敏", phone="13700006666")
    await cases.act(worker, done["case_id"], "complete", now=datetime.combine(DAY, time(15), tzinfo=LOCAL_TZ))
    await accept(desk["elsewhere"], code="ZF01", name="王芳", phone="13800008888")
    return {"mine": mine, "theirs": theirs, "done": done}


async def listed(desk, today=DAY, **wanted):
    return await cases.list_cases(desk["worker"], CaseFilter(**wanted), today=today, page_size=10)


async def test_the_default_list_is_the_centers_open_cases_most_urgent_first(desk, ledger_of_cases):
    found = await listed(desk)
    assert found["total"] == 27 and found["pages"] == 3 and len(found["rows"]) == 10
    assert [r["mark"] for r in found["rows"][:3]] == ["overdue"] * 3
    assert all(r["status"] in ("accepted", "awaiting", "forwarded") for r in found["rows"])


@pytest.mark.parametrize(("wanted", "total"), [
    ({"state": "closed"}, 1),
    ({"state": "completed"}, 1),
    ({"state": "all"}, 28),
    ({"mine": True}, 25),
    ({"overdue": True}, 3),
    ({"overdue": True, "state": "all"}, 3),
    ({"q": "王芳"}, 2),  # a name: only this center's
    ({"q": "8888"}, 2),  # a phone tail
    ({"q": "公积金"}, 2),  # an item, as the counter finds it
    ({"q": "zf01"}, 2),  # an item code
    ({"q": "居住证", "state": "all"}, 1),
    ({"q": "nothing-like-this"}, 0),
])
async def test_filters_count_what_they_show(desk, ledger_of_cases, wanted, total):
    found = await listed(desk, **wanted)
    assert found["total"] == total
    assert len(found["rows"]) == min(total, 10)


async def test_filter_by_item_and_by_code(desk, ledger_of_cases):
    found = await listed(desk, item_id=await item_id("ZF01"))
    assert {r["item_name"] for r in found["rows"]} == {"住房公积金提取（离退休）"} and found["total"] == 2
    code = ledger_of_cases["done"]["code"]
    assert [r["code"] for r in (await listed(desk, q=code.lower(), state="all"))["rows"]] == [code]
    assert (await listed(desk, q=code))["total"] == 0  # closed: not among the open ones


async def test_pages_split_the_rows_without_overlap_and_a_page_past_the_end_shows_the_last(desk, ledger_of_cases):
    pages = [await listed(desk, page=n) for n in (1, 2, 3)]
    ids = [r["id"] for p in pages for r in p["rows"]]
    assert len(ids) == len(set(ids)) == 27
    beyond = await listed(desk, page=99)
    assert beyond["page"] == 3 and [r["id"] for r in beyond["rows"]] == [r["id"] for r in pages[2]["rows"]]


async def test_names_and_phones_in_the_list_are_masked(desk, ledger_of_cases):
    row = (await listed(desk, q="王芳"))["rows"][0]
    assert row["resident_name"] == "王*" and row["phone"] == "138****8888"


async def test_a_district_admin_has_no_center_list(db, desk):
    admin = await as_user(await make_staff(db, role="admin"))
    assert (await cases.list_cases(admin, CaseFilter()))["rows"] == []
    assert await cases.lookup_cases(admin, "8888") == []
