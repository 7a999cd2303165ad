"""民情诉求 rules: every step of an order and who may take it, deadlines in working hours (across the lunch break and
a 调休 Saturday) and working days, routing an address to its grid, and the three rates."""

from datetime import date, datetime, time

import pytest

from center.domain.calendar import WorkCalendar
from center.domain.demands import (
    DEFAULT_KINDS,
    TRANSITIONS,
    Action,
    Channel,
    DemandError,
    DemandFact,
    KindRule,
    Mark,
    Place,
    State,
    add_working_minutes,
    allowed_actions,
    apply,
    building_number,
    callback_due,
    check_intake,
    clean_phone,
    deadline_mark,
    deadlines,
    heat,
    kind_code,
    rates,
    rates_by,
    regular_periods_on,
    route,
    working_minutes_between,
)
from center.timeutil import LOCAL_TZ

cal = WorkCalendar()
periods = regular_periods_on(cal)  # 08:30–12:00 and 14:00–17:30 on working days
KINDS = {k.code: k for k in DEFAULT_KINDS}


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def step(action, state, *, role="worker", is_assignee=True, has_assignee=True, extension_pending=False,
         whistle_pending=False, now=at(2026, 12, 7, 10), deadline=None, **kw):
    return apply(action=action, state=state, role=role, is_assignee=is_assignee, has_assignee=has_assignee,
                 extension_pending=extension_pending, whistle_pending=whistle_pending, now_local=now,
                 step_deadline=deadline, **kw)


# ---- the order's life --------------------------------------------------------------------------------------------

def test_the_grid_worker_signs_contacts_handles_and_resolves_in_that_order():
    assert step("sign", "new").to_state == State.signed
    assert step("contact", "signed", note="电话联系，约定明早上门").to_state == State.contacted
    assert step("start", "contacted", note="联系物业更换路灯").to_state == State.working
    assert step("resolve", "working", note="路灯已修好").to_state == State.resolved
    # a simple question may be answered straight after the first contact
    assert step("resolve", "contacted", note="已电话答复政策").to_state == State.resolved


def test_no_step_is_skipped():
    with pytest.raises(DemandError, match="“待签收”的诉求不能办结"):
        step("resolve", "new", note="x")
    with pytest.raises(DemandError, match="“已签收”的诉求不能开始办理"):
        step("start", "signed", note="x")
    with pytest.raises(DemandError, match="“已回访”的诉求不能签收"):
        step("sign", "visited")


def test_contact_start_resolve_and_send_back_need_words():
    for action, state in (("contact", "signed"), ("start", "contacted"), ("resolve", "working"),
                          ("send_back", "new")):
        with pytest.raises(DemandError) as exc:
            step(action, state, note="  ")
        assert exc.value.field == "note"


def test_only_the_assignee_or_the_manager_handles_an_order():
    with pytest.raises(DemandError, match="只有承办的网格员"):
        step("sign", "new", is_assignee=False)
    assert step("sign", "new", role="manager", is_assignee=False).to_state == State.signed
    with pytest.raises(DemandError, match="还没有派给网格员"):
        step("sign", "new", is_assignee=False, has_assignee=False, role="manager")


def test_the_dispatcher_assigns_and_a_sent_back_order_comes_back_to_be_assigned_again():
    back = step("send_back", "signed", note="该楼栋不属于本网格")
    assert back.to_state == State.returned
    with pytest.raises(DemandError, match="派单由本中心负责人操作"):
        step("assign", "returned", assignee_chosen=True)
    with pytest.raises(DemandError, match="请选择承办的网格员"):
        step("assign", "returned", role="manager")
    assert step("assign", "returned", role="manager", assignee_chosen=True).to_state == State.new


def test_an_extension_is_asked_by_the_handler_and_decided_by_the_manager():
    ask = step("extend", "working", note="需等待供暖公司配件", days=5)
    assert ask.extension_days == 5 and ask.to_state == State.working
    with pytest.raises(DemandError, match="1–30"):
        step("extend", "working", note="x", days=0)
    with pytest.raises(DemandError, match="已有一份延期申请待批准"):
        step("extend", "working", note="x", days=3, extension_pending=True)
    with pytest.raises(DemandError, match="批准延期由本中心负责人操作"):
        step("approve", "working", extension_pending=True)
    assert step("approve", "working", role="manager", extension_pending=True).to_state == State.working
    with pytest.raises(DemandError, match="没有待批准的延期申请"):
        step("approve", "working", role="manager")
    with pytest.raises(DemandError, match="请填写驳回理由"):
        step("reject", "working", role="manager", extension_pending=True)


def test_the_manager_urges_any_open_order_with_words():
    assert step("urge", "new", role="manager", note="今天下班前签收").action == Action.urge
    with pytest.raises(DemandError, match="督办催办由本中心负责人操作"):
        step("urge", "new", note="x")
    with pytest.raises(DemandError, match="“已办结”的诉求不能督办催办"):
        step("urge", "resolved", role="manager", note="x")


def test_a_whistle_names_a_department_and_waits_for_its_answer():
    blow = step("whistle", "working", department="街道城管科", note="占道经营需执法")
    assert blow.department == "街道城管科"
    with pytest.raises(DemandError, match="请填写吹哨的部门"):
        step("whistle", "working", department=" ")
    with pytest.raises(DemandError, match="已经向部门吹哨"):
        step("whistle", "working", department="区住建委", whistle_pending=True)
    with pytest.raises(DemandError, match="还没有向部门吹哨"):
        step("report", "working", note="已处理")
    assert step("report", "working", note="已清理", whistle_pending=True).to_state == State.working


def test_the_callback_is_made_by_someone_else_and_records_solved_and_satisfaction():
    with pytest.raises(DemandError, match="回访须由承办人以外"):
        step("callback", "resolved", satisfaction="satisfied", solved=True)
    done = step("callback", "resolved", role="manager", is_assignee=False, satisfaction="basic", solved=True)
    assert (done.to_state, done.satisfaction, done.solved) == (State.visited, "basic", True)
    with pytest.raises(DemandError, match="请选择群众的满意程度"):
        step("callback", "resolved", is_assignee=False, satisfaction="great", solved=True)
    with pytest.raises(DemandError, match="请选择问题是否已解决"):
        step("callback", "resolved", is_assignee=False, satisfaction="satisfied")


def test_every_transition_is_in_the_table_and_each_page_offers_only_what_may_be_done():
    assert set(TRANSITIONS) == set(Action)
    assert allowed_actions("new", role="worker", is_assignee=True, has_assignee=True, extension_pending=False,
                           whistle_pending=False) == [Action.sign, Action.send_back]
    assert allowed_actions("new", role="manager", is_assignee=False, has_assignee=False, extension_pending=False,
                           whistle_pending=False) == [Action.assign, Action.urge]
    assert Action.callback in allowed_actions("resolved", role="worker", is_assignee=False, has_assignee=True,
                                              extension_pending=False, whistle_pending=False)
    assert allowed_actions("visited", role="manager", is_assignee=False, has_assignee=True,
                           extension_pending=False, whistle_pending=False) == []
    assert allowed_actions("working", role="reader", is_assignee=False, has_assignee=True,
                           extension_pending=True, whistle_pending=False) == []


def test_signing_after_its_deadline_is_recorded_late():
    assert step("sign", "new", now=at(2026, 12, 7, 11), deadline=at(2026, 12, 7, 10, 30)).on_time is False
    assert step("sign", "new", now=at(2026, 12, 7, 10), deadline=at(2026, 12, 7, 10, 30)).on_time is True
    assert step("resolve", "working", note="x", now=at(2026, 12, 10, 16), deadline=date(2026, 12, 10)).on_time


# ---- deadlines ---------------------------------------------------------------------------------------------------

def test_working_hours_skip_the_lunch_break():
    # Monday 11:00 + 2 working hours: 11:00–12:00, then 14:00–15:00
    assert add_working_minutes(at(2026, 12, 7, 11), 120, periods) == at(2026, 12, 7, 15)
    assert working_minutes_between(at(2026, 12, 7, 11), at(2026, 12, 7, 15), periods) == 120


def test_an_order_received_at_lunch_or_in_the_evening_starts_counting_when_the_hall_opens():
    assert add_working_minutes(at(2026, 12, 7, 12, 30), 60, periods) == at(2026, 12, 7, 15)
    assert add_working_minutes(at(2026, 12, 7, 19), 60, periods) == at(2026, 12, 8, 9, 30)


def test_working_hours_cross_a_weekend_but_a_tiaoxiu_saturday_is_a_working_day():
    # Friday 2026-10-09 16:30 + 2h: one hour on Friday, the second on Saturday 10-10, a make-up working day (调休)
    assert cal.is_workday(date(2026, 10, 10))
    assert add_working_minutes(at(2026, 10, 9, 16, 30), 120, periods) == at(2026, 10, 10, 9, 30)
    # an ordinary Friday: the second hour is on Monday
    assert add_working_minutes(at(2026, 12, 4, 16, 30), 120, periods) == at(2026, 12, 7, 9, 30)
    # the National Day holiday counts nothing: 09-30 17:00 + 1h lands on 10-08 08:30 + 0:30
    assert add_working_minutes(at(2026, 9, 30, 17), 60, periods) == at(2026, 10, 8, 9)


def test_a_center_with_no_working_hours_is_told_not_looped():
    with pytest.raises(DemandError, match="一年内没有工作时间"):
        add_working_minutes(at(2026, 12, 7), 60, lambda day: ())


def test_each_kind_has_its_deadlines_consult_3_and_complaint_13_working_days():
    received = at(2026, 12, 7, 11)
    consult = deadlines(received, KINDS["consult"], cal, periods)
    assert consult.sign_due == at(2026, 12, 7, 15)
    # 8 working hours: 4.5 on Monday (11:00–12:00, 14:00–17:30), 3.5 on Tuesday morning
    assert consult.contact_due == at(2026, 12, 8, 12)
    assert consult.due_on == date(2026, 12, 10)
    assert deadlines(received, KINDS["complaint"], cal, periods).due_on == date(2026, 12, 24)
    # a 12345 order brings its own 办理时限
    assert deadlines(received, KINDS["complaint"], cal, periods, resolve_days=2).due_on == date(2026, 12, 9)
    # over National Day, working days skip the holiday and count the 调休 Saturday: 10-08, 10-09, then 10-10
    assert deadlines(at(2026, 9, 30, 10), KINDS["consult"], cal, periods).due_on == date(2026, 10, 10)


def test_configured_deadlines_are_checked():
    with pytest.raises(DemandError):
        KindRule("x", "X", resolve_days=0)
    with pytest.raises(DemandError, match="首次联系时限不能短于签收时限"):
        KindRule("x", "X", resolve_days=3, sign_hours=8, contact_hours=4)


def test_the_callback_is_due_the_next_working_day():
    assert callback_due(date(2026, 12, 4), cal) == date(2026, 12, 7)
    assert callback_due(date(2026, 10, 9), cal) == date(2026, 10, 10)


def test_marks_for_hours_and_days():
    now = at(2026, 12, 7, 14, 30)
    assert deadline_mark(at(2026, 12, 7, 14), now, cal) == Mark.overdue
    assert deadline_mark(at(2026, 12, 7, 16), now, cal) == Mark.due_soon
    assert deadline_mark(at(2026, 12, 8, 16), now, cal) == Mark.none
    assert deadline_mark(date(2026, 12, 8), now, cal) == Mark.due_soon
    assert deadline_mark(date(2026, 12, 4), now, cal) == Mark.overdue
    assert deadline_mark(date(2026, 12, 14), now, cal) == Mark.none


# ---- intake and routing ------------------------------------------------------------------------------------------

def test_intake_checks_channel_kind_content_and_phone():
    got = check_intake(channel="counter", kind="repair", content=" 楼道灯坏了 ", address="和平里小区3号楼",
                       resident_name="张三", phone="138 0013 8000", kinds=DEFAULT_KINDS)
    assert (got.channel, got.content, got.phone) == (Channel.counter, "楼道灯坏了", "13800138000")
    with pytest.raises(DemandError, match="请填写诉求内容"):
        check_intake(channel="phone", kind="help", content="", address="", resident_name="", phone="",
                     kinds=DEFAULT_KINDS)
    with pytest.raises(DemandError, match="请选择诉求类型"):
        check_intake(channel="phone", kind="nope", content="x", address="", resident_name="", phone="",
                     kinds=DEFAULT_KINDS)
    with pytest.raises(DemandError, match="联系电话格式不对"):
        clean_phone("12345")
    assert clean_phone("010-6512 3456") == "01065123456"


def test_the_hotline_words_for_kinds_are_understood():
    assert kind_code("投诉", DEFAULT_KINDS) == "complaint"
    assert kind_code("举报", DEFAULT_KINDS) == "complaint"
    assert kind_code("求决", DEFAULT_KINDS) == "help"
    assert kind_code("天气", DEFAULT_KINDS) is None


PLACES = [
    Place(1, "和平里小区", 10, ((101, "3号楼", 11), (102, "5号楼", 12))),
    Place(2, "和平里北小区", 20, ((201, "3栋", 21),)),
    Place(3, "幸福家园", None, ()),
]


def test_an_address_goes_to_its_buildings_grid():
    assert route("和平里小区3号楼2单元301", PLACES) == (1, 101, 11)
    assert route("东城区和平里小区 5号楼", PLACES) == (1, 102, 12)
    # the longest compound name wins: 和平里北小区 is not 和平里小区
    assert route("和平里北小区3号楼", PLACES) == (2, 201, 21)


def test_an_unknown_building_goes_to_its_compounds_grid_and_an_unknown_address_to_the_dispatcher():
    assert route("和平里小区9号楼", PLACES) == (1, None, 10)
    assert route("幸福家园2栋", PLACES) == (3, None, None)
    assert route("不知道哪里", PLACES) == (None, None, None)
    assert route("", PLACES) == (None, None, None)


def test_building_numbers():
    assert [building_number(n) for n in ("3号楼", "3栋", "12幢", "7")] == ["3", "3", "12", "7"]


# ---- figures -----------------------------------------------------------------------------------------------------

def fact(*, grid="一网格", kind="投诉", channel="12345", signed=True, resolved=True, callback=True, solved=True,
         satisfied=True, compound="和平里小区", overdue=False):
    return DemandFact(month="2026-12", grid=grid, worker="王网格", kind=kind, channel=channel, compound=compound,
                      signed_on_time=signed, resolved=resolved, resolved_on_time=resolved, callback=callback,
                      solved=solved if callback else None, satisfied=satisfied if callback else None,
                      overdue=overdue)


def test_the_three_rates_divide_what_they_say():
    facts = [fact(), fact(signed=False), fact(signed=None, resolved=False, callback=False),
             fact(solved=False, satisfied=False), fact(solved=False, satisfied=True)]
    got = rates(facts)
    # 响应率: signed in time ÷ signing decided (the one not yet due is left out): 3 / 4
    assert (got["responded"], got["decided"], got["response_rate"]) == (3, 4, 75.0)
    # 解决率 and 满意率 over the 4 called back
    assert (got["solved"], got["called"], got["solve_rate"]) == (2, 4, 50.0)
    assert (got["satisfied"], got["satisfaction_rate"]) == (3, 75.0)
    assert rates([])["response_rate"] is None


def test_rates_by_grid_and_the_heat_table_by_compound():
    facts = [fact(), fact(grid="二网格", kind="报修", compound="幸福家园"), fact(kind="报修"), fact()]
    by_grid = rates_by(facts, "grid")
    assert [(r["name"], r["orders"]) for r in by_grid] == [("一网格", 3), ("二网格", 1)]
    table = heat(facts)
    assert table["kinds"] == ["投诉", "报修"]
    assert table["rows"][0] == {"compound": "和平里小区", "cells": [2, 1], "total": 3}
    assert table["peak"] == 2


def test_an_unsolved_callback_sends_the_order_back_to_be_done_again():
    back = step("callback", "resolved", role="manager", is_assignee=False, satisfaction="dissatisfied", solved=False)
    assert back.to_state == State.working and back.solved is False


def test_both_missing_answers_of_a_callback_are_told_at_once():
    with pytest.raises(DemandError) as exc:
        step("callback", "resolved", role="manager", is_assignee=False)
    assert list(exc.value.errors) == ["solved", "satisfaction"]


def test_every_wrong_field_of_a_new_demand_is_told_at_once_and_a_short_number_is_no_phone():
    with pytest.raises(DemandError) as exc:
        check_intake(channel="counter", kind="", content="", address="", resident_name="", phone="1380013",
                     kinds=DEFAULT_KINDS)
    assert list(exc.value.errors) == ["kind", "content", "phone"]
    with pytest.raises(DemandError, match="联系电话格式不对"):
        clean_phone("6512345")
