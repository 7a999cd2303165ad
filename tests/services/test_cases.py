"""Cases on a real database: receiving, every transition, ownership, hand-over, the paused clock, reminders."""

import json
from datetime import date, datetime, time

import pytest

from center.domain import AccessDenied
from center.domain.cases import CaseRuleError
from center.services import cases
from center.services.cases import CaseConflict, ReceiveForm
from center.tables import AuditLog, Case, CaseEvent, CaseReminder, Visit
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, item_id, load_demo_catalog, make_center, make_staff

ID_NUMBER = "11010519491231002X"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


@pytest.fixture
async def desk(db):
    """A center with two workers and a manager, the demo catalog loaded."""
    await load_demo_catalog()
    center = await make_center()
    owner = await make_staff(db, role="worker", center=center, display_name="首问社工")
    colleague = await make_staff(db, role="worker", center=center, display_name="同事")
    manager = await make_staff(db, role="manager", center=center, display_name="负责人")
    return {"center": center, "owner": await as_user(owner), "colleague": await as_user(colleague),
            "manager": await as_user(manager)}


async def accept(desk, code="MZ01", day=date(2026, 11, 24), brought=(0, 1, 2), **overrides):
    form = ReceiveForm(item_id=await item_id(code), action="accept", resident_name="张桂英", id_number=ID_NUMBER,
                       phone="13812345678", brought=brought, **overrides)
    result = await cases.receive(desk["owner"], form, now=at(day))
    return result["case_id"]


async def status_of(case_id):
    return await Case.select(Case.status, Case.owner, Case.due_on, Case.paused_on, Case.missing, Case.received,
                             Case.version).where(Case.id == case_id).first()


async def test_accepting_logs_the_visit_and_starts_the_clock(desk):
    case_id = await accept(desk)  # everything brought
    case = await status_of(case_id)
    assert case["status"] == "accepted" and case["owner"] == desk["owner"].id
    assert case["due_on"] == date(2026, 12, 1)  # 5 working days after Tue 24 Nov
    assert case["paused_on"] is None and json.loads(case["missing"]) == []
    visit = await Visit.select().where(Visit.id == (await Case.select(Case.visit).where(Case.id == case_id).first())["visit"]).first()
    assert visit["id_number"] == ID_NUMBER and visit["staff"] == desk["owner"].id
    events = await CaseEvent.select(CaseEvent.action, CaseEvent.to_status).where(CaseEvent.case == case_id)
    assert events == [{"action": "accept", "to_status": "accepted"}]


async def test_accepting_with_materials_missing_waits_for_them_from_the_start(desk):
    case_id = await accept(desk, brought=(0,))
    case = await status_of(case_id)
    # 一次性告知: 待补正 at once, the clock paused from the day of acceptance (the promise is counted from it).
    assert case["status"] == "awaiting" and case["paused_on"] == date(2026, 11, 24)
    assert case["due_on"] == date(2026, 12, 1)
    assert json.loads(case["missing"]) == [1, 2]  # 户口簿 and photos not brought
    assert json.loads(case["received"]) == [0]  # ☑ at intake = received
    events = await CaseEvent.select(CaseEvent.action, CaseEvent.to_status, CaseEvent.note).where(
        CaseEvent.case == case_id).order_by(CaseEvent.id)
    assert [(e["action"], e["to_status"]) for e in events] == [("accept", "accepted"), ("request_materials", "awaiting")]
    assert events[1]["note"].startswith("受理时材料不全，待补正：户口簿")
    # Brought on Fri 27 Nov: 3 working days paused (25, 26, 27), so due Fri 4 Dec.
    await cases.act(desk["owner"], case_id, "supply_materials", now=at(date(2026, 11, 27)))
    case = await status_of(case_id)
    assert case["status"] == "accepted" and case["due_on"] == date(2026, 12, 4) and case["paused_on"] is None


async def test_a_consultation_is_closed_at_once_without_a_name(desk):
    form = ReceiveForm(item_id=await item_id("ZF01"), action="consult", note="问退休提取要带什么")
    result = await cases.receive(desk["owner"], form, now=at(date(2026, 11, 24)))
    case = await Case.select(Case.status, Case.closed_at, Case.due_on).where(Case.id == result["case_id"]).first()
    assert case["status"] == "consult" and case["closed_at"] is not None and case["due_on"] is None


async def test_an_immediate_item_is_due_the_same_day(desk):
    case = await status_of(await accept(desk, code="SB01", brought=(0, 1)))
    assert case["due_on"] == date(2026, 11, 24)


async def test_a_second_case_can_join_the_same_visit(desk):
    first = await cases.receive(desk["owner"], ReceiveForm(item_id=await item_id("MZ01"), action="accept",
                                                           resident_name="李四"), now=at(date(2026, 11, 24)))
    second = await cases.receive(desk["owner"], ReceiveForm(item_id=await item_id("MZ02"), action="accept",
                                                            visit_id=first["visit_id"]), now=at(date(2026, 11, 24), 11))
    assert second["visit_id"] == first["visit_id"]
    # A visit of another day is not reused.
    third = await cases.receive(desk["owner"], ReceiveForm(item_id=await item_id("MZ02"), action="accept",
                                                           resident_name="李四", visit_id=first["visit_id"]),
                                now=at(date(2026, 11, 25)))
    assert third["visit_id"] != first["visit_id"]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"resident_name": ""}, "姓名"),
        ({"id_number": "123"}, "18 位"),
        ({"id_number": "110105194912310021"}, "校验位"),
        ({"phone": "12"}, "电话|手机"),
        ({"note": "长" * 501}, "500"),
        ({"action": "delete"}, "答复咨询或受理"),
        ({"item_id": 999999}, "有效的服务事项"),
    ],
)
async def test_bad_counter_input_is_refused_in_chinese(desk, form, message):
    values = {"item_id": await item_id("MZ01"), "action": "accept", "resident_name": "王五"}
    values.update(form)
    with pytest.raises(CaseRuleError, match=message):
        await cases.receive(desk["owner"], ReceiveForm(**values))


async def test_every_transition_through_the_service(desk):
    case_id = await accept(desk)  # everything brought: 已受理
    owner = desk["owner"]
    await cases.act(owner, case_id, "forward", reason="区民政局", now=at(date(2026, 11, 24), 11))
    assert (await status_of(case_id))["status"] == "forwarded"
    with pytest.raises(CaseRuleError, match="状态下不能"):
        await cases.act(owner, case_id, "supply_materials")
    await cases.set_received(owner, case_id, (0, 1))  # the department asks for the photos again
    await cases.act(owner, case_id, "request_materials", now=at(date(2026, 11, 25)))
    assert (await status_of(case_id))["status"] == "awaiting"
    await cases.act(owner, case_id, "supply_materials", now=at(date(2026, 11, 27)))
    case = await status_of(case_id)
    assert case["status"] == "accepted" and json.loads(case["missing"]) == []
    assert json.loads(case["received"]) == [0, 1, 2]  # 材料已补齐: what was missing is received now
    await cases.act(owner, case_id, "complete", now=at(date(2026, 11, 30)))
    assert (await status_of(case_id))["status"] == "completed"
    for action in ("complete", "refuse", "forward", "hand_over", "request_materials"):
        with pytest.raises(CaseRuleError):
            await cases.act(owner, case_id, action, reason="x", new_owner_id=desk["colleague"].id)
    actions = [e["action"] for e in await CaseEvent.select(CaseEvent.action).where(CaseEvent.case == case_id).order_by(CaseEvent.id)]
    assert actions == ["accept", "forward", "materials", "request_materials", "supply_materials", "complete"]
    assert await AuditLog.count().where((AuditLog.object_type == "case") & (AuditLog.object_id == str(case_id))) == 6


async def test_refusal_needs_a_reason_and_closes_the_case(desk):
    case_id = await accept(desk)
    with pytest.raises(CaseRuleError, match="原因"):
        await cases.act(desk["owner"], case_id, "refuse", reason=" ")
    await cases.act(desk["owner"], case_id, "refuse", reason="不符合办理条件")
    case = await Case.select(Case.status, Case.closed_at).where(Case.id == case_id).first()
    assert case["status"] == "refused" and case["closed_at"] is not None


async def test_a_non_owner_worker_is_refused_and_a_manager_may_act(desk):
    case_id = await accept(desk)
    with pytest.raises(CaseRuleError, match="首问责任人"):
        await cases.act(desk["colleague"], case_id, "complete")
    with pytest.raises(CaseRuleError, match="首问责任人"):
        await cases.set_received(desk["colleague"], case_id, [0])
    await cases.act(desk["manager"], case_id, "complete")
    assert (await status_of(case_id))["status"] == "completed"


async def test_staff_of_another_center_cannot_see_or_touch_the_case(desk, db):
    case_id = await accept(desk)
    stranger = await as_user(await make_staff(db, role="manager"))
    with pytest.raises(AccessDenied):
        await cases.case_view(stranger, case_id)
    with pytest.raises(AccessDenied):
        await cases.act(stranger, case_id, "complete")
    visit_id = (await Case.select(Case.visit).where(Case.id == case_id).first())["visit"]
    with pytest.raises(AccessDenied):
        await cases.reveal_identity(stranger, visit_id)


async def test_hand_over_to_a_named_colleague_with_a_reason(desk, db):
    case_id = await accept(desk)
    with pytest.raises(CaseRuleError, match="转交原因"):
        await cases.act(desk["owner"], case_id, "hand_over", new_owner_id=desk["colleague"].id)
    outsider = await make_staff(db, role="worker")
    with pytest.raises(CaseRuleError, match="本中心"):
        await cases.act(desk["owner"], case_id, "hand_over", reason="调岗", new_owner_id=outsider["id"])
    await cases.act(desk["owner"], case_id, "hand_over", reason="明天轮休", new_owner_id=desk["colleague"].id)
    case = await status_of(case_id)
    assert case["owner"] == desk["colleague"].id and case["status"] == "accepted"
    note = (await CaseEvent.select(CaseEvent.note).where((CaseEvent.case == case_id) & (CaseEvent.action == "hand_over")).first())["note"]
    assert "同事" in note and "明天轮休" in note
    # The former owner may no longer act; the new owner may.
    with pytest.raises(CaseRuleError, match="首问责任人"):
        await cases.act(desk["owner"], case_id, "complete")
    await cases.act(desk["colleague"], case_id, "complete")


async def test_the_paused_clock_moves_the_deadline(desk):
    case_id = await accept(desk, day=date(2026, 11, 24))
    assert (await status_of(case_id))["due_on"] == date(2026, 12, 1)
    await cases.set_received(desk["owner"], case_id, (0,), now=at(date(2026, 11, 25)))
    await cases.act(desk["owner"], case_id, "request_materials", now=at(date(2026, 11, 25)))
    assert (await status_of(case_id))["paused_on"] == date(2026, 11, 25)
    # Resumed Mon 30 Nov: 26, 27, 30 Nov were paused -> the deadline moves 3 working days to 4 Dec.
    await cases.act(desk["owner"], case_id, "supply_materials", now=at(date(2026, 11, 30)))
    case = await status_of(case_id)
    assert case["due_on"] == date(2026, 12, 4) and case["paused_on"] is None


async def test_awaiting_materials_needs_something_missing(desk):
    case_id = await accept(desk)  # everything brought
    with pytest.raises(CaseRuleError, match="缺少的材料"):
        await cases.act(desk["owner"], case_id, "request_materials")
    await cases.set_received(desk["owner"], case_id, [0, 1, 1, 99, -1])
    assert json.loads((await status_of(case_id))["missing"]) == [2]
    await cases.act(desk["owner"], case_id, "request_materials")


async def test_a_stale_page_gets_a_conflict_not_a_silent_overwrite(desk):
    case_id = await accept(desk)
    version = (await status_of(case_id))["version"]
    await cases.set_received(desk["owner"], case_id, [0, 2], expected_version=version)
    with pytest.raises(CaseConflict):
        await cases.act(desk["owner"], case_id, "complete", expected_version=version)


async def test_overdue_and_due_soon_marks_in_the_open_lists(desk):
    old = await accept(desk, code="ZF01", day=date(2026, 11, 16))  # 3 working days -> due Thu 19 Nov
    soon = await accept(desk, code="ZF01", day=date(2026, 11, 20))  # due Wed 25 Nov
    later = await accept(desk, code="MZ01", day=date(2026, 11, 24))  # due Tue 1 Dec
    rows = await cases.open_cases(desk["owner"], mine=True, today=date(2026, 11, 24))
    marks = {r["id"]: r["mark"] for r in rows}
    assert marks[old] == "overdue" and marks[soon] == "due_soon" and marks[later] == ""
    assert [r["id"] for r in rows][:2] == [old, soon]  # most urgent first
    colleague_rows = await cases.open_cases(desk["colleague"], mine=True, today=date(2026, 11, 24))
    assert colleague_rows == []
    center_rows = await cases.open_cases(desk["colleague"], mine=False, today=date(2026, 11, 24))
    assert {old, soon, later} <= {r["id"] for r in center_rows}


async def test_reminders_are_recorded_once_per_working_day_and_never_on_rest_days(desk):
    overdue = await accept(desk, code="ZF01", day=date(2026, 11, 16))
    assert "not a working day" in await cases.record_reminders(date(2026, 11, 28))  # Saturday
    assert not await CaseReminder.exists().where(CaseReminder.day == date(2026, 11, 28))
    await cases.record_reminders(date(2026, 11, 24))
    await cases.record_reminders(date(2026, 11, 24))
    rows = await CaseReminder.select().where((CaseReminder.case == overdue) & (CaseReminder.day == date(2026, 11, 24)))
    assert len(rows) == 1 and rows[0]["mark"] == "overdue"
    shown = await cases.reminders_today(desk["owner"], today=date(2026, 11, 24))
    assert overdue in [r["case_id"] for r in shown]
    assert overdue not in [r["case_id"] for r in await cases.reminders_today(desk["colleague"], today=date(2026, 11, 24))]


async def test_public_status_has_no_personal_data(desk):
    case_id = await accept(desk)
    token = (await Case.select(Case.public_token).where(Case.id == case_id).first())["public_token"]
    assert len(token) >= 24
    status = await cases.public_status(token)
    flat = json.dumps(status, default=str, ensure_ascii=False)
    for secret in ("张桂英", ID_NUMBER, "13812345678", "首问社工"):
        assert secret not in flat
    assert status["status_label"] == "已受理" and status["item_name"].startswith("老年人优待证")


async def _token(case_id):
    return (await Case.select(Case.public_token).where(Case.id == case_id).first())["public_token"]


async def test_public_status_of_a_refusal_states_the_reason_and_promises_no_date(desk):
    case_id = await accept(desk, brought=(0,))
    await cases.act(desk["owner"], case_id, "refuse", reason="非本辖区户籍", now=at(date(2026, 11, 25)))
    status = await cases.public_status(await _token(case_id))
    assert status["refusal"]["reason"] == "非本辖区户籍"
    assert status["due_on"] is None  # a refusal promises no completion
    assert status["missing_names"] == []  # and asks for nothing more
    view = await cases.slip_view(desk["owner"], case_id)
    assert view["is_refused"] and view["refusal"]["reason"] == "非本辖区户籍"


async def test_public_status_while_awaiting_lists_the_missing_materials_by_name(desk):
    case_id = await accept(desk, brought=(0,))  # 户口簿 and the photos missing: 待补正 from acceptance
    status = await cases.public_status(await _token(case_id))
    assert status["paused"] and status["due_on"] == date(2026, 12, 1)
    assert status["missing_names"] == ["户口簿", "近期免冠一寸彩色照片"]
    await cases.act(desk["owner"], case_id, "supply_materials", now=at(date(2026, 11, 27)))
    assert (await cases.public_status(await _token(case_id)))["missing_names"] == []


async def test_the_open_lists_mark_a_deadline_in_an_unknown_year_as_expected(desk):
    """MZ01 promises 5 working days: accepted Mon 28 Dec 2026, due in January 2027, a year whose notice is not out
    (the case page and the slip say 预计; so do 我的在办 and /cases)."""
    late = await accept(desk, day=date(2026, 12, 28))
    early = await accept(desk, day=date(2026, 11, 24))
    mine = {r["id"]: r for r in await cases.open_cases(desk["owner"], mine=True, today=date(2026, 12, 28))}
    assert mine[late]["due_provisional"] and not mine[early]["due_provisional"]
    listed = {r["id"]: r for r in (await cases.list_cases(desk["owner"], cases.CaseFilter(),
                                                          today=date(2026, 12, 28)))["rows"]}
    assert listed[late]["due_provisional"] and not listed[early]["due_provisional"]
    assert (await cases.case_view(desk["owner"], late))["case"]["due_unknown_years"] == [2027]


async def test_revealing_identity_is_audit_logged(desk):
    case_id = await accept(desk)
    view = await cases.case_view(desk["owner"], case_id)
    assert view["resident"]["id_number"] == "110***********002X" and view["resident"]["phone"] == "138****5678"
    visit = await cases.reveal_identity(desk["owner"], view["resident"]["id"], ip="10.0.0.7")
    assert visit["id_number"] == ID_NUMBER
    row = await AuditLog.select().where((AuditLog.action == "pii.reveal") & (AuditLog.object_id == str(view["resident"]["id"]))).first()
    assert row["actor"] == desk["owner"].id and row["ip"] == "10.0.0.7"


async def test_a_case_keeps_the_materials_version_it_was_told(desk):
    from center.domain.catalog import ItemSpec, MaterialSpec
    from center.services import catalog

    case_id = await accept(desk, code="MZ03", brought=(0,))
    item = await catalog.get_item(await item_id("MZ03"))
    spec = ItemSpec(code=item["code"], name=item["name"], category_id=item["category"], department=item["department"],
                    kind=item["kind"], promised_days=item["promised_days"])
    await catalog.update_item(desk["manager"], item["id"], spec, [MaterialSpec(name="新版唯一材料")])
    view = await cases.case_view(desk["owner"], case_id)
    assert view["item_version"] == 1 and [m["name"] for m in view["materials"]][0] == "居民身份证"
    newer = await accept(desk, code="MZ03", brought=())
    assert [m["name"] for m in (await cases.case_view(desk["owner"], newer))["materials"]] == ["新版唯一材料"]


async def test_the_case_shows_received_as_ticked_at_intake_and_the_rest_as_missing(desk):
    case_id = await accept(desk, brought=(0, 2))  # 居民身份证 and the photos; not the 户口簿
    view = await cases.case_view(desk["owner"], case_id)
    assert [(m["name"], m["state"]) for m in view["materials"]] == [
        ("居民身份证", "received"), ("户口簿", "missing"), ("近期免冠一寸彩色照片", "received")]
    assert (view["received_count"], view["missing_count"], view["missing_names"]) == (2, 1, ["户口簿"])


async def test_ticking_and_unticking_on_the_case_moves_materials_between_received_and_missing(desk):
    case_id = await accept(desk, brought=(0, 2))
    await cases.set_received(desk["owner"], case_id, [0, 1])  # the 户口簿 came, the photos were rejected
    case = await status_of(case_id)
    assert json.loads(case["received"]) == [0, 1] and json.loads(case["missing"]) == [2]
    note = (await CaseEvent.select(CaseEvent.note).where(
        (CaseEvent.case == case_id) & (CaseEvent.action == "materials")).first())["note"]
    assert note == "已收：居民身份证、户口簿；缺：近期免冠一寸彩色照片"
    version = case["version"]
    await cases.set_received(desk["owner"], case_id, [1, 0])  # the same ticks again: nothing recorded
    assert (await status_of(case_id))["version"] == version
    await cases.set_received(desk["owner"], case_id, [0, 1, 2])
    view = await cases.case_view(desk["owner"], case_id)
    assert view["missing_count"] == 0 and view["received_count"] == 3


async def test_an_optional_material_not_brought_is_neither_received_nor_missing(desk):
    # GA05 居民身份证申领、换领: 户口簿, 原居民身份证 (换领时提供), 照片 — all required in the demo catalog; mark
    # the middle one optional through a new catalog version, as a manager would.
    from center.domain.catalog import ItemSpec, MaterialSpec
    from center.services import catalog

    item = await catalog.get_item(await item_id("GA05"))
    spec = ItemSpec(code=item["code"], name=item["name"], category_id=item["category"], department=item["department"],
                    kind=item["kind"], promised_days=item["promised_days"])
    await catalog.update_item(desk["manager"], item["id"], spec, [
        MaterialSpec(name="户口簿"), MaterialSpec(name="原居民身份证", required=False), MaterialSpec(name="照片")])
    case_id = await accept(desk, code="GA05", brought=(0,))
    view = await cases.case_view(desk["owner"], case_id)
    assert [m["state"] for m in view["materials"]] == ["received", "optional", "missing"]
    assert json.loads((await status_of(case_id))["missing"]) == [2]


async def test_cases_recorded_before_the_received_list_show_the_required_materials_not_missing(desk):
    case_id = await accept(desk)
    await Case.update({Case.received: None, Case.missing: "[1]"}).where(Case.id == case_id)
    view = await cases.case_view(desk["owner"], case_id)
    assert [m["state"] for m in view["materials"]] == ["received", "missing", "received"]
