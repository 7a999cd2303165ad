"""民情诉求 on a real database: a demand taken at the counter with its visit and routed to its grid worker, each
step of its life written with its event, deadlines in the center's working hours, extensions, 退单, 吹哨, reveals
audited, reminders, the three rates against a recount, and the grid and 12345 imports (all or nothing, idempotent)."""

import io
import random
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook

from center.domain import AccessDenied
from center.domain.demand_import import FileRefused, GRID_HEADER, HOTLINE_HEADER, MAX_FILE_BYTES
from center.domain.demands import DemandError
from center.services import demand_export, demand_import, demands
from center.tables import AuditLog, Building, Compound, Demand, DemandEvent, Grid, Staff, Visit
from center.timeutil import LOCAL_TZ, to_local
from tests.factories import as_user, make_center, make_staff, xlsx_bytes


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


MON = date(2026, 12, 7)




GRID_ROWS = [
    ("01", "第一网格", "一网格员", "和平里小区", "1号楼", "王建国", "13900000001"),
    ("01", "第一网格", "一网格员", "和平里小区", "2号楼", "李桂兰", "13900000002"),
    ("02", "第二网格", "二网格员", "和平里小区", "3号楼", "张德明", ""),
    ("02", "第二网格", "二网格员", "幸福家园", "1号楼", "", ""),
]


@pytest.fixture
async def grid(db):
    center = await make_center()
    gw1 = await make_staff(db, role="worker", center=center, display_name="一网格员")
    gw2 = await make_staff(db, role="worker", center=center, display_name="二网格员")
    desk = await make_staff(db, role="worker", center=center, display_name="窗口社工")
    manager = await make_staff(db, role="manager", center=center, display_name="负责人")
    other = await make_center()
    stranger = await make_staff(db, role="manager", center=other, display_name="别的中心")
    admin = await make_staff(db, role="admin", center=None, display_name="区管理员")
    people = {"center": center["id"], "gw1": await as_user(gw1), "gw2": await as_user(gw2), "desk": await as_user(desk),
              "manager": await as_user(manager), "stranger": await as_user(stranger), "admin": await as_user(admin),
              "other": other}
    preview = await demand_import.upload(people["manager"], "grid", "网格.xlsx", xlsx_bytes(GRID_HEADER, GRID_ROWS),
                                         now=at(MON, 8))
    assert preview["ok"], preview
    await demand_import.confirm(people["manager"], preview["token"], now=at(MON, 8))
    return people


async def take(g, *, address="和平里小区2号楼3单元501", kind="repair", channel="phone", now=at(MON, 11),
               actor="desk", **kw):
    return await demands.create(g[actor], channel=channel, kind=kind, content="楼道灯坏了", address=address,
                                resident_name="张桂英", phone="13812345678", now=now, **kw)


async def row(demand_id):
    return await Demand.select().where(Demand.id == demand_id).first()


# ---- the grid -----------------------------------------------------------------------------------------------------

async def test_the_grid_import_places_buildings_in_grids_with_their_workers_and_again_changes_nothing(grid):
    grids = {g["code"]: g for g in await Grid.select().where(Grid.center == grid["center"])}
    assert grids["01"]["worker"] == grid["gw1"].id and grids["02"]["worker"] == grid["gw2"].id
    assert await Compound.count().where(Compound.center == grid["center"]) == 2
    assert await Building.count().where(Building.center == grid["center"]) == 4
    before = [await Grid.select().order_by(Grid.id), await Building.select().order_by(Building.id)]
    again = await demand_import.upload(grid["manager"], "grid", "网格.xlsx", xlsx_bytes(GRID_HEADER, GRID_ROWS))
    assert again["counts"]["unchanged"] == 4 and again["counts"]["buildings_new"] == 0
    await demand_import.confirm(grid["manager"], again["token"])
    assert [await Grid.select().order_by(Grid.id), await Building.select().order_by(Building.id)] == before


async def test_a_bad_grid_file_is_refused_row_by_row_and_nothing_is_written(grid):
    rows = GRID_ROWS + [("03", "第三网格", "nobody", "新村", "1号楼", "", ""), ("01", "别的名字", "一网格员", "新村", "2号楼", "", ""),
                        ("04", "第四网格", "", "和平里小区", "1号楼", "", "")]
    before = await Building.count()
    result = await demand_import.upload(grid["manager"], "grid", "网格.xlsx", xlsx_bytes(GRID_HEADER, rows))
    assert not result["ok"]
    messages = {e.row: e.message for e in result["errors"]}
    assert "不是本中心的工作人员" in messages[6]
    assert "与第 2 行不一致" in messages[7]
    assert "与第 2 行重复" in messages[8]
    assert await Building.count() == before


# ---- intake --------------------------------------------------------------------------------------------------------

async def test_a_counter_visit_becomes_a_demand_in_one_step_routed_to_the_buildings_grid_worker(grid):
    visits = await Visit.count()
    made = await take(grid, channel="counter", with_visit=True)
    d = await row(made["id"])
    assert await Visit.count() == visits + 1 and d["visit"] is not None
    assert (d["assignee"], d["state"], d["channel"]) == (grid["gw1"].id, "new", "counter")
    building = await Building.select().where(Building.id == d["building"]).first()
    assert building["name"] == "2号楼"
    # Monday 11:00: 2 working hours to sign (across lunch), 8 to contact, 5 working days for a repair
    assert to_local(d["sign_due"]) == at(MON, 15)
    assert to_local(d["contact_due"]) == at(MON + timedelta(days=1), 12)
    assert d["due_on"] == date(2026, 12, 14)
    events = await DemandEvent.select().where(DemandEvent.demand == made["id"])
    assert [e["action"] for e in events] == ["open"]
    assert made["code"].startswith("D261207")


async def test_an_address_of_no_known_building_goes_to_the_dispatcher(grid):
    made = await take(grid, address="人民路 88 号")
    d = await row(made["id"])
    assert d["grid"] is None and d["assignee"] is None
    view = await demands.demand_view(grid["manager"], made["id"], now=at(MON, 11, 5))
    assert view["actions"] == ["assign", "urge"]


async def test_bad_intake_is_refused_in_chinese_and_nothing_is_written(grid):
    before = await Demand.count()
    with pytest.raises(DemandError, match="请填写诉求内容"):
        await demands.create(grid["desk"], channel="phone", kind="repair", content=" ", now=at(MON))
    with pytest.raises(DemandError, match="联系电话格式不对"):
        await demands.create(grid["desk"], channel="phone", kind="repair", content="x", phone="12", now=at(MON))
    with pytest.raises(AccessDenied):
        await demands.create(grid["admin"], channel="phone", kind="repair", content="x", now=at(MON))
    assert await Demand.count() == before


# ---- the order's life ------------------------------------------------------------------------------------------

async def test_sign_contact_work_resolve_callback_each_written_with_its_event_and_audit(grid):
    made = await take(grid)
    gw1 = grid["gw1"]
    steps = [
        (gw1, "sign", {}, at(MON, 14, 30), "signed"),
        (gw1, "contact", {"note": "电话联系张阿姨，约定明早上门"}, at(MON, 16), "contacted"),
        (gw1, "start", {"note": "联系物业电工"}, at(MON + timedelta(days=1), 9), "working"),
        (gw1, "resolve", {"note": "已更换灯泡"}, at(MON + timedelta(days=1), 15), "resolved"),
        (grid["manager"], "callback", {"solved": True, "satisfaction": "satisfied"}, at(MON + timedelta(days=2), 10),
         "visited"),
    ]
    for actor, action, kwargs, now, state in steps:
        result = await demands.act(actor, made["id"], action, now=now, **kwargs)
        assert result["state"] == state
    d = await row(made["id"])
    assert d["signed_on_time"] is True and d["resolved_on_time"] is True
    assert d["callback_due"] == date(2026, 12, 9) and d["solved"] is True and d["satisfaction"] == "satisfied"
    assert d["result"] == "已更换灯泡"
    events = await DemandEvent.select().where(DemandEvent.demand == made["id"]).order_by(DemandEvent.id)
    assert [e["action"] for e in events] == ["open", "sign", "contact", "start", "resolve", "callback"]
    assert [e["to_state"] for e in events][1:] == ["signed", "contacted", "working", "resolved", "visited"]
    audited = await AuditLog.select(AuditLog.action).where(
        (AuditLog.object_type == "demand") & (AuditLog.object_id == str(made["id"])))
    assert [a["action"] for a in audited] == ["demand.open", "demand.sign", "demand.contact", "demand.start",
                                              "demand.resolve", "demand.callback"]


async def test_signing_after_the_working_hours_deadline_is_late(grid):
    made = await take(grid)  # due 15:00
    await demands.act(grid["gw1"], made["id"], "sign", now=at(MON, 15, 1))
    assert (await row(made["id"]))["signed_on_time"] is False


async def test_only_the_assignee_and_the_manager_handle_and_another_center_is_kept_out(grid):
    made = await take(grid)
    with pytest.raises(DemandError, match="只有承办的网格员"):
        await demands.act(grid["gw2"], made["id"], "sign", now=at(MON, 12))
    with pytest.raises(AccessDenied):
        await demands.act(grid["stranger"], made["id"], "urge", note="x", now=at(MON, 12))
    with pytest.raises(AccessDenied):
        await demands.act(grid["admin"], made["id"], "urge", note="x", now=at(MON, 12))
    assert (await row(made["id"]))["state"] == "new"


async def test_a_stale_page_is_told_someone_moved_the_order_on(grid):
    made = await take(grid)
    await demands.act(grid["gw1"], made["id"], "sign", now=at(MON, 12), expected_version=1)
    with pytest.raises(DemandError, match="刚刚有了新的进展"):
        await demands.act(grid["gw1"], made["id"], "contact", note="x", now=at(MON, 12), expected_version=1)


async def test_an_extension_asked_and_approved_moves_the_deadline_in_working_days(grid):
    made = await take(grid, kind="consult")  # due Thursday 12-10
    gw1, manager = grid["gw1"], grid["manager"]
    await demands.act(gw1, made["id"], "sign", now=at(MON, 12))
    await demands.act(gw1, made["id"], "contact", note="已联系", now=at(MON, 14, 30))
    await demands.act(gw1, made["id"], "extend", days=3, note="需等区医保局答复", now=at(MON, 15))
    assert (await row(made["id"]))["extension_days"] == 3
    await demands.act(manager, made["id"], "approve", now=at(MON, 16))
    d = await row(made["id"])
    assert d["due_on"] == date(2026, 12, 15) and d["extension_days"] is None  # Thu + 3 working days = next Tue
    await demands.act(gw1, made["id"], "extend", days=2, note="还要等", now=at(MON, 16, 30))
    await demands.act(manager, made["id"], "reject", note="请按期办结", now=at(MON, 17))
    assert (await row(made["id"]))["due_on"] == date(2026, 12, 15)


async def test_sent_back_to_the_dispatcher_and_assigned_again_with_a_new_signing_deadline(grid):
    made = await take(grid)
    await demands.act(grid["gw1"], made["id"], "send_back", note="2号楼已划入第二网格", now=at(MON, 11, 30))
    d = await row(made["id"])
    assert d["state"] == "returned" and d["assignee"] is None
    await demands.act(grid["manager"], made["id"], "assign", assignee_id=grid["gw2"].id, now=at(MON, 16))
    d = await row(made["id"])
    assert (d["state"], d["assignee"]) == ("new", grid["gw2"].id)
    assert to_local(d["sign_due"]) == at(MON + timedelta(days=1), 9)  # 16:00 + 2h: 1.5h to 17:30, then 08:30 + 0:30


async def test_a_whistle_waits_for_the_departments_answer_and_the_manager_urges(grid):
    made = await take(grid, kind="complaint")
    gw1 = grid["gw1"]
    await demands.act(gw1, made["id"], "sign", now=at(MON, 12))
    await demands.act(gw1, made["id"], "contact", note="已联系", now=at(MON, 14, 30))
    await demands.act(gw1, made["id"], "whistle", department="街道城管科", note="占道经营", now=at(MON, 15))
    await demands.act(grid["manager"], made["id"], "urge", note="请城管科今天到场", now=at(MON, 15, 30))
    with pytest.raises(DemandError, match="已经向部门吹哨"):
        await demands.act(gw1, made["id"], "whistle", department="区住建委", now=at(MON, 16))
    await demands.act(gw1, made["id"], "report", note="城管科已清理占道摊位", now=at(MON, 16, 30))
    d = await row(made["id"])
    assert d["whistle_department"] == "" and d["urge_count"] == 1
    notes = [e["note"] for e in await DemandEvent.select().where(DemandEvent.demand == made["id"])]
    assert "向 街道城管科 吹哨：占道经营" in notes and "街道城管科 答复：城管科已清理占道摊位" in notes


async def test_events_are_append_only(grid):
    made = await take(grid)
    with pytest.raises(Exception):
        await DemandEvent.update({DemandEvent.note: "改"}).where(DemandEvent.demand == made["id"])
    with pytest.raises(Exception):
        await DemandEvent.delete().where(DemandEvent.demand == made["id"])


async def test_the_contact_is_masked_and_each_reveal_is_audited(grid):
    made = await take(grid)
    view = await demands.demand_view(grid["gw1"], made["id"], now=at(MON, 12))
    assert view["demand"]["phone_masked"] == "138****5678" and view["demand"]["resident_masked"] == "张**"
    before = await AuditLog.count().where(AuditLog.action == "pii.reveal")
    shown = await demands.reveal_contact(grid["gw1"], made["id"], ip="10.0.0.9")
    assert shown["phone"] == "13812345678"
    assert await AuditLog.count().where(AuditLog.action == "pii.reveal") == before + 1
    with pytest.raises(AccessDenied):
        await demands.reveal_contact(grid["stranger"], made["id"])


async def test_reminders_tell_the_grid_worker_and_the_manager_what_is_due(grid):
    made = await take(grid)  # sign due 15:00
    soon = await demands.reminders(grid["gw1"], now=at(MON, 13, 30))
    assert [(r["id"], r["mark"], r["waiting"]) for r in soon] == [(made["id"], "due_soon", "待签收")]
    late = await demands.reminders(grid["manager"], now=at(MON, 16))
    assert [(r["id"], r["mark"]) for r in late] == [(made["id"], "overdue")]
    assert await demands.reminders(grid["gw2"], now=at(MON, 16)) == []


# ---- figures ---------------------------------------------------------------------------------------------------------

async def test_the_three_rates_match_a_recount_of_the_orders(grid):
    rng = random.Random(7)
    made = []
    for n in range(30):
        day = date(2026, 11, 2) + timedelta(days=rng.randrange(0, 25))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        address = rng.choice(["和平里小区1号楼", "和平里小区3号楼", "幸福家园1号楼"])
        d = await take(grid, address=address, kind=rng.choice(["repair", "complaint", "consult"]),
                       channel=rng.choice(["phone", "counter", "grid"]), now=at(day, 9))
        demand = await row(d["id"])
        handler = grid["gw1"] if demand["assignee"] == grid["gw1"].id else grid["gw2"]
        if demand["assignee"] is None:
            continue
        fate = rng.randrange(4)
        if fate == 0:
            continue  # never signed: past its deadline by the month's end, so not responded
        await demands.act(handler, d["id"], "sign", now=at(day, 10 if fate > 1 else 15))
        await demands.act(handler, d["id"], "contact", note="已联系", now=at(day, 15, 30))
        await demands.act(handler, d["id"], "resolve", note="已办", now=at(day, 16))
        if fate >= 2:
            await demands.act(grid["manager"], d["id"], "callback", solved=rng.random() < 0.7,
                              satisfaction=rng.choice(["satisfied", "basic", "dissatisfied"]), now=at(day, 17))
        made.append(d["id"])
    view = await demands.figures_view(grid["manager"], "2026-11", now=at(date(2026, 12, 7)))
    rows = await Demand.select().where(Demand.center == grid["center"])
    november = [r for r in rows if to_local(r["received_at"]).strftime("%Y-%m") == "2026-11"]
    called = [r for r in november if r["callback_at"] is not None]
    recount = {
        "orders": len(november),
        "responded": sum(1 for r in november if r["signed_at"] and r["signed_at"] <= r["sign_due"]),
        "decided": len(november),  # by December every November order is past its signing deadline
        "called": len(called),
        "solved": sum(1 for r in called if r["solved"]),
        "satisfied": sum(1 for r in called if r["satisfaction"] in ("satisfied", "basic")),
    }
    total = view["total"]
    assert {k: total[k] for k in recount} == recount
    assert total["response_rate"] == round(100 * recount["responded"] / recount["decided"], 1)
    assert total["solve_rate"] == round(100 * recount["solved"] / recount["called"], 1)
    assert total["satisfaction_rate"] == round(100 * recount["satisfied"] / recount["called"], 1)
    by_grid = {r["name"]: r for r in next(g for g in view["groups"] if g["key"] == "grid")["rows"]}
    assert sum(r["orders"] for r in by_grid.values()) == len(november)
    assert sum(r["responded"] for r in by_grid.values()) == recount["responded"]


async def test_the_export_reads_back_with_the_rates_and_masked_contacts(grid):
    made = await take(grid)
    await demands.act(grid["gw1"], made["id"], "sign", now=at(MON, 12))
    export = await demand_export.figures_workbook(grid["manager"], "2026-12", now=at(MON, 12, 30))
    wb = load_workbook(io.BytesIO(export.content))
    assert wb.sheetnames == ["汇总", "按网格", "按网格员", "按诉求类型", "按来源渠道", "小区热力", "工单明细"]
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["工单"] == 1 and summary["响应率(%)"] == 100
    detail = list(wb["工单明细"].iter_rows(min_row=2, values_only=True))
    assert detail[0][6] == "张**" and detail[0][7] == "138****5678"
    assert "13812345678" not in str([list(ws.values) for ws in wb.worksheets])
    # the district admin reads one center as its manager does, or the whole district
    mine = await demands.figures_view(grid["manager"], "2026-12", now=at(MON, 12, 30))
    admins = await demands.figures_view(grid["admin"], "2026-12", now=at(MON, 12, 30), center_id=grid["center"])
    assert admins["total"] == mine["total"]
    district = await demands.figures_view(grid["admin"], "2026-12", now=at(MON, 12, 30))
    assert district["total"]["orders"] >= mine["total"]["orders"] and district["center_id"] is None


# ---- the 12345 import ------------------------------------------------------------------------------------------------

ADDRESSES = ["和平里小区1号楼2单元301", "和平里小区2号楼1单元102", "和平里小区3号楼", "幸福家园1号楼5单元", "人民路88号"]
KINDS = ["投诉", "求助", "咨询", "建议", "报修", "举报"]


def hotline_rows(n: int, rng: random.Random, start=datetime(2026, 11, 20, 8, 30)):
    rows = []
    for i in range(n):
        received = start + timedelta(minutes=17 * i)  # over six days, as the hotline sends them
        rows.append([f"2612{i:06d}", received if i % 2 else received.strftime("%Y-%m-%d %H:%M"),
                     rng.choice(["王秀兰", "李建华", "张志强", ""]), f"139{rng.randrange(10 ** 8):08d}",
                     rng.choice(ADDRESSES), rng.choice(KINDS), f"诉求内容 {i}：小区路灯不亮", rng.choice([3, 13, ""])])
    return rows


async def test_a_realistic_hotline_file_with_ten_bad_rows_is_refused_row_by_row_then_imported_once(grid):
    rng = random.Random(12345)
    rows = hotline_rows(520, rng)
    bad = {  # row index in the list → what is wrong (the spreadsheet row is index + 2)
        3: ("受理时间", "昨天下午"), 40: ("诉求类型", "天气"), 77: ("诉求内容", ""), 120: ("工单编号", ""),
        150: ("工单编号", "2612000010"), 200: ("联系电话", "12345"), 260: ("办理时限（工作日）", "八天"),
        300: ("受理时间", "2027-06-01 09:00"), 380: ("工单编号", "单号#1"), 450: ("办理时限（工作日）", 99),
    }
    broken = [list(r) for r in rows]
    for index, (column, value) in bad.items():
        broken[index][HOTLINE_HEADER.index(column)] = value
    manager = grid["manager"]
    result = await demand_import.upload(manager, "hotline", "12345.xlsx", xlsx_bytes(HOTLINE_HEADER, broken),
                                        now=at(MON, 9))
    assert not result["ok"]
    assert sorted(e.row for e in result["errors"]) == sorted(i + 2 for i in bad)
    messages = {e.row: e.message for e in result["errors"]}
    assert "受理时间“昨天下午”无法识别" in messages[5]
    assert "诉求类型“天气”不认识" in messages[42]
    assert "与第 12 行重复" in messages[152]
    assert "晚于现在" in messages[302]
    assert await Demand.count().where(Demand.center == grid["center"]) == 0  # nothing half-imported
    # the fixed file: a preview, then everything in one go, each routed by its address
    result = await demand_import.upload(manager, "hotline", "12345.xlsx", xlsx_bytes(HOTLINE_HEADER, rows), now=at(MON, 9))
    assert result["ok"] and result["counts"] == {"rows": 520, "new": 520, "existing": 0}
    done = await demand_import.confirm(manager, result["token"], now=at(MON, 9, 5))
    assert done["created"] == 520 and done["skipped"] == 0
    assert await Demand.count().where(Demand.center == grid["center"]) == 520
    assert await DemandEvent.count().where(DemandEvent.demand.center == grid["center"]) == 520
    routed = await Demand.select(Demand.address, Demand.assignee, Demand.source_no, Demand.received_at,
                                 Demand.due_on, Demand.channel).where(Demand.source_no == "2612000001").first()
    assert routed["channel"] == "hotline"
    first = {r["address"]: r["assignee"] for r in await Demand.select(Demand.address, Demand.assignee).where(
        Demand.center == grid["center"])}
    assert first["和平里小区1号楼2单元301"] == grid["gw1"].id and first["和平里小区3号楼"] == grid["gw2"].id
    assert first["人民路88号"] is None
    # received_at is the hotline's time (local), and its 办理时限 is kept
    sample = next(r for r in rows if r[7] == 3)
    stored = await Demand.select().where(Demand.source_no == sample[0]).first()
    received = sample[1] if isinstance(sample[1], datetime) else datetime.strptime(sample[1], "%Y-%m-%d %H:%M")
    assert to_local(stored["received_at"]).replace(tzinfo=None) == received
    # importing the same file again, or confirming twice, creates nothing
    again = await demand_import.upload(manager, "hotline", "12345.xlsx", xlsx_bytes(HOTLINE_HEADER, rows), now=at(MON, 10))
    assert again["counts"] == {"rows": 520, "new": 0, "existing": 520}
    assert (await demand_import.confirm(manager, again["token"]))["created"] == 0
    assert (await demand_import.confirm(manager, result["token"]))["already"] is True
    assert await Demand.count().where(Demand.center == grid["center"]) == 520


async def test_a_wrong_header_a_huge_file_and_a_non_excel_file_are_refused_whole(grid):
    manager = grid["manager"]
    with pytest.raises(FileRefused, match="表头缺少列：诉求内容、办理时限（工作日）"):
        await demand_import.upload(manager, "hotline", "x.xlsx", xlsx_bytes(HOTLINE_HEADER[:6], [["1"] * 6]))
    with pytest.raises(FileRefused, match="文件太大"):
        await demand_import.upload(manager, "hotline", "x.xlsx", b"PK" + b"0" * MAX_FILE_BYTES)
    with pytest.raises(FileRefused, match="无法读取这个文件"):
        await demand_import.upload(manager, "hotline", "x.xlsx", "工单编号,受理时间".encode())
    with pytest.raises(FileRefused, match="表头下面是空的"):
        await demand_import.upload(manager, "hotline", "x.xlsx", xlsx_bytes(HOTLINE_HEADER, []))
    with pytest.raises(AccessDenied):
        await demand_import.upload(grid["gw1"], "hotline", "x.xlsx", xlsx_bytes(HOTLINE_HEADER, []))
    assert await Demand.count().where(Demand.center == grid["center"]) == 0


async def test_formula_cells_are_read_as_their_text(grid):
    rows = [["26120001", "2026-12-01 09:00", "=HYPERLINK(\"http://x\",\"点我\")", "13900000000", "和平里小区1号楼",
             "投诉", "=1+1", 3]]
    result = await demand_import.upload(grid["manager"], "hotline", "x.xlsx", xlsx_bytes(HOTLINE_HEADER, rows),
                                        now=at(MON, 9))
    await demand_import.confirm(grid["manager"], result["token"], now=at(MON, 9))
    d = await Demand.select().where(Demand.source_no == "26120001").first()
    assert d["content"] == "=1+1" and d["resident_name"].startswith("=HYPERLINK")


async def test_the_admin_sets_a_kinds_deadlines_for_orders_taken_from_then_on(grid):
    from center.tables import DemandKind

    before = await take(grid, kind="suggestion")  # 13 working days
    original = await DemandKind.select().where(DemandKind.code == "suggestion").first()
    with pytest.raises(AccessDenied, match="区级管理员"):
        await demands.update_kind(grid["manager"], "suggestion", sign_hours=2, contact_hours=8, resolve_days=5)
    with pytest.raises(DemandError, match="首次联系时限不能短于签收时限"):
        await demands.update_kind(grid["admin"], "suggestion", sign_hours=8, contact_hours=4, resolve_days=5)
    with pytest.raises(DemandError, match="请填写整数"):
        await demands.update_kind(grid["admin"], "suggestion", sign_hours=None, contact_hours=8, resolve_days=5)
    try:
        await demands.update_kind(grid["admin"], "suggestion", sign_hours=4, contact_hours=16, resolve_days=5)
        after = await take(grid, kind="suggestion")
        assert (await row(after["id"]))["due_on"] == date(2026, 12, 14)  # Monday + 5 working days
        assert to_local((await row(after["id"]))["sign_due"]) == at(MON, 17)  # 11:00 + 4h: one before lunch, 3 after
        assert (await row(before["id"]))["due_on"] == date(2026, 12, 24)  # the earlier order keeps its 13 days
    finally:  # the module's other tests use the district's defaults
        await DemandKind.update({DemandKind.sign_hours: original["sign_hours"],
                                 DemandKind.contact_hours: original["contact_hours"],
                                 DemandKind.resolve_days: original["resolve_days"]}).where(
            DemandKind.code == "suggestion")


async def test_a_demand_recorded_for_a_called_tickets_visit_ends_its_turn_at_the_window(grid):
    from center.tables import Center, Ticket
    from tests.factories import make_queue, make_ticket

    center = await Center.select().where(Center.id == grid["center"]).first()
    visit = Visit(center=grid["center"], staff=grid["desk"].id, created_at=at(MON, 10, 55))
    await visit.save()
    ticket = await make_ticket(await make_queue(center), at(MON, 10, 40), wait_min=10, state="serving",
                               visit=visit.id)
    await take(grid, channel="counter", visit_id=visit.id)
    done = await Ticket.select(Ticket.state, Ticket.finished_at).where(Ticket.id == ticket["id"]).first()
    assert done["state"] == "done" and done["finished_at"] is not None
    assert await Visit.count().where(Visit.id == visit.id) == 1  # the ticket's visit, not a second one


async def test_an_unsolved_callback_reopens_the_order_with_a_new_deadline_and_counts_as_not_solved(grid):
    made = await take(grid, kind="consult")
    gw1 = grid["gw1"]
    await demands.act(gw1, made["id"], "sign", now=at(MON, 12))
    await demands.act(gw1, made["id"], "contact", note="已联系", now=at(MON, 14, 30))
    await demands.act(gw1, made["id"], "resolve", note="已答复", now=at(MON, 15))
    await demands.act(grid["manager"], made["id"], "callback", solved=False, satisfaction="dissatisfied",
                      now=at(MON + timedelta(days=1), 10))
    d = await row(made["id"])
    assert d["state"] == "working" and d["resolved_at"] is None and d["due_on"] == date(2026, 12, 11)
    view = await demands.demand_view(gw1, made["id"], now=at(MON + timedelta(days=1), 11))
    assert "resolve" in view["actions"]
    figures = await demands.figures_view(grid["manager"], "2026-12", now=at(MON + timedelta(days=1), 11))
    assert (figures["total"]["called"], figures["total"]["solved"]) == (1, 0)


async def test_the_rates_count_the_latest_callback_once_an_unsolved_order_is_done_again_and_called_back(grid):
    made = await take(grid, kind="consult")
    gw1 = grid["gw1"]
    await demands.act(gw1, made["id"], "sign", now=at(MON, 12))
    await demands.act(gw1, made["id"], "contact", note="已联系", now=at(MON, 14, 30))
    await demands.act(gw1, made["id"], "resolve", note="已答复", now=at(MON, 15))
    tuesday = MON + timedelta(days=1)
    await demands.act(grid["manager"], made["id"], "callback", solved=False, satisfaction="dissatisfied",
                      now=at(tuesday, 10))
    before = await demands.figures_view(grid["manager"], "2026-12", now=at(tuesday, 11))
    await demands.act(gw1, made["id"], "resolve", note="已上门修好", now=at(tuesday, 15))
    wednesday = MON + timedelta(days=2)
    await demands.act(grid["manager"], made["id"], "callback", solved=True, satisfaction="satisfied",
                      now=at(wednesday, 10))
    after = await demands.figures_view(grid["manager"], "2026-12", now=at(wednesday, 11))
    # The order is called back once in the rates, as its latest callback says: first unsolved, then solved.
    assert (after["total"]["called"] - before["total"]["called"], after["total"]["solved"] - before["total"]["solved"],
            after["total"]["satisfied"] - before["total"]["satisfied"]) == (0, 1, 1)


async def test_a_returned_order_assigned_again_gets_both_deadlines_anew_and_its_workers_grid(grid):
    made = await take(grid, address="人民路 88 号")  # no grid
    await demands.act(grid["manager"], made["id"], "assign", assignee_id=grid["gw2"].id, now=at(MON, 11, 30))
    d = await row(made["id"])
    grid_02 = await Grid.select(Grid.id).where((Grid.center == grid["center"]) & (Grid.code == "02")).first()
    assert d["grid"] == grid_02["id"]  # 二网格员 holds 网格 02
    await demands.act(grid["gw2"], made["id"], "send_back", note="不在本网格", now=at(MON, 14, 30))
    await demands.act(grid["manager"], made["id"], "assign", assignee_id=grid["gw1"].id, now=at(MON, 16))
    d = await row(made["id"])
    assert to_local(d["sign_due"]) == at(MON + timedelta(days=1), 9)
    assert to_local(d["contact_due"]) == at(MON + timedelta(days=1), 17)  # 8 working hours from 16:00
    assert d["contact_due"] > d["sign_due"]


async def test_an_imported_order_is_signed_from_its_dispatch_and_done_by_the_hotlines_deadline(grid):
    rows = [["26129901", "2026-12-04 16:00", "王秀兰", "13900000000", "和平里小区1号楼", "投诉", "噪音", 5]]
    result = await demand_import.upload(grid["manager"], "hotline", "x.xlsx", xlsx_bytes(HOTLINE_HEADER, rows),
                                        now=at(MON, 10))
    await demand_import.confirm(grid["manager"], result["token"], now=at(MON, 10))
    d = await Demand.select().where(Demand.source_no == "26129901").first()
    assert to_local(d["sign_due"]) == at(MON, 12)  # two working hours from the import, not from Friday
    assert d["due_on"] == date(2026, 12, 11)  # Friday 12-04 + 5 working days, as the hotline set it
    assert all(r["mark"] != "overdue" for r in await demands.reminders(grid["gw1"], now=at(MON, 10, 1)))


async def test_the_list_finds_an_order_by_its_number_a_phone_tail_or_a_name(grid):
    made = await take(grid)
    for q in (made["code"], "5678", "13812345678", "张桂英"):
        found = await demands.list_demands(grid["manager"], q=q, now=at(MON, 12))
        assert made["id"] in [r["id"] for r in found["rows"]], q
    assert (await demands.list_demands(grid["manager"], q="9999", now=at(MON, 12)))["rows"] == []
    unplaced = await take(grid, address="人民路 88 号")
    nowhere = await demands.list_demands(grid["manager"], no_grid=True, now=at(MON, 12))
    assert [r["id"] for r in nowhere["rows"]] == [unplaced["id"]]


async def test_the_counters_search_box_finds_demands_by_number_phone_or_name(grid):
    made = await take(grid, channel="counter", with_visit=True)
    for q in (made["code"], made["code"].lower(), "5678", "138 1234 5678", "张桂英"):
        assert made["id"] in [r["id"] for r in await demands.lookup(grid["desk"], q)], q
    found = (await demands.lookup(grid["desk"], "5678"))[0]
    assert found["phone_masked"] == "138****5678" and found["resident_masked"] == "张**"
    assert await demands.lookup(grid["stranger"], made["code"]) == []
    assert await demands.lookup(grid["desk"], "楼道灯") == []  # words of the content find nothing: a full name does
