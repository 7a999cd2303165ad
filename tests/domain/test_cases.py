"""Case rules: every transition allowed or refused, ownership, hand-over, the paused clock, deadline marks."""

from datetime import date

import pytest

from center.domain.calendar import WorkCalendar, parse_notice
from center.domain.cases import (
    TRANSITIONS,
    Action,
    CaseRuleError,
    CaseStatus,
    DeadlineMark,
    allowed_actions,
    apply,
    deadline_mark,
    due_date,
    recomputed_due,
    status_on_accept,
)

cal = WorkCalendar()
OWNER, OTHER, MANAGER = 1, 2, 3


def act(action, status, *, actor=OWNER, role="worker", same_center=True, reason="因故", **kw):
    params = dict(
        action=action, status=status, actor_id=actor, actor_role=role, owner_id=OWNER, same_center=same_center,
        today=date(2026, 11, 24), due=date(2026, 11, 30), paused_on=None, calendar=cal, reason=reason,
        new_owner_id=OTHER, has_missing_materials=True,
    )
    params.update(kw)
    return apply(**params)


ALL = [(a, s) for a in Action for s in CaseStatus]


@pytest.mark.parametrize(("action", "status"), ALL)
def test_every_transition_is_allowed_or_refused_by_the_table(action, status):
    sources, target = TRANSITIONS[action]
    paused = date(2026, 11, 20) if status == CaseStatus.awaiting else None
    if status in sources:
        result = act(action, status, paused_on=paused)
        assert result.from_status == status
        assert result.to_status == (target or status)
    else:
        with pytest.raises(CaseRuleError, match="状态下不能"):
            act(action, status, paused_on=paused)


def test_closed_cases_allow_nothing():
    for status in (CaseStatus.consult, CaseStatus.completed, CaseStatus.refused):
        assert allowed_actions(status) == []
    assert Action.complete in allowed_actions(CaseStatus.accepted)
    assert allowed_actions(CaseStatus.awaiting)[0] == Action.supply_materials


def test_a_non_owner_worker_is_refused():
    with pytest.raises(CaseRuleError, match="首问责任人"):
        act(Action.complete, CaseStatus.accepted, actor=OTHER)


def test_a_manager_of_the_center_may_act_but_not_of_another_center():
    assert act(Action.complete, CaseStatus.accepted, actor=MANAGER, role="manager").to_status == CaseStatus.completed
    with pytest.raises(CaseRuleError):
        act(Action.complete, CaseStatus.accepted, actor=MANAGER, role="manager", same_center=False)
    with pytest.raises(CaseRuleError):
        act(Action.complete, CaseStatus.accepted, actor=OWNER, same_center=False)


def test_hand_over_needs_a_reason_and_a_different_colleague():
    result = act(Action.hand_over, CaseStatus.forwarded, reason="调岗")
    assert result.owner_id == OTHER and result.to_status == CaseStatus.forwarded
    with pytest.raises(CaseRuleError, match="转交原因"):
        act(Action.hand_over, CaseStatus.accepted, reason="  ")
    with pytest.raises(CaseRuleError, match="接手人"):
        act(Action.hand_over, CaseStatus.accepted, new_owner_id=OWNER)
    with pytest.raises(CaseRuleError, match="选择"):
        act(Action.hand_over, CaseStatus.accepted, new_owner_id=None)


def test_refusal_needs_a_reason_of_bounded_length():
    with pytest.raises(CaseRuleError, match="原因"):
        act(Action.refuse, CaseStatus.accepted, reason="")
    with pytest.raises(CaseRuleError, match="500"):
        act(Action.refuse, CaseStatus.accepted, reason="长" * 501)
    assert act(Action.refuse, CaseStatus.accepted, reason="不符合条件").reason == "不符合条件"


def test_awaiting_materials_needs_a_missing_material():
    with pytest.raises(CaseRuleError, match="缺少的材料"):
        act(Action.request_materials, CaseStatus.accepted, has_missing_materials=False)


def test_paused_clock_moves_the_deadline_by_the_paused_working_days():
    paused = act(Action.request_materials, CaseStatus.accepted, today=date(2026, 11, 24))
    assert paused.paused_on == date(2026, 11, 24) and paused.due == date(2026, 11, 30)
    # Paused Tue 24 Nov, resumed Fri 27 Nov: 3 working days (25, 26, 27) -> due Mon 30 Nov + 3 = Thu 3 Dec.
    resumed = act(Action.supply_materials, CaseStatus.awaiting, today=date(2026, 11, 27), paused_on=date(2026, 11, 24))
    assert resumed.due == date(2026, 12, 3) and resumed.paused_on is None
    assert resumed.to_status == CaseStatus.accepted


def test_pause_across_a_holiday_counts_only_working_days():
    # Paused Wed 30 Sep 2026, resumed Fri 9 Oct: National Day 1–7 Oct are holidays; 8 and 9 Oct work.
    resumed = act(Action.supply_materials, CaseStatus.awaiting, today=date(2026, 10, 9), paused_on=date(2026, 9, 30),
                  due=date(2026, 10, 12))
    assert resumed.due == cal.add_workdays(date(2026, 10, 12), 2)


def test_due_date_of_a_promised_item_counts_working_days():
    assert due_date(date(2026, 2, 13), 1, cal) == date(2026, 2, 14)  # make-up Saturday
    # After National Day (1–7 Oct): 8, 9, 10 (make-up Saturday), 12, 13 Oct.
    assert due_date(date(2026, 9, 30), 5, cal) == date(2026, 10, 13)
    assert due_date(date(2026, 11, 24), 0, cal) == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("status", "due", "today", "mark"),
    [
        (CaseStatus.accepted, date(2026, 11, 30), date(2026, 11, 24), DeadlineMark.none),
        (CaseStatus.accepted, date(2026, 11, 25), date(2026, 11, 24), DeadlineMark.due_soon),
        (CaseStatus.accepted, date(2026, 11, 30), date(2026, 11, 27), DeadlineMark.due_soon),  # Fri -> Mon
        (CaseStatus.accepted, date(2026, 11, 24), date(2026, 11, 24), DeadlineMark.due_soon),
        (CaseStatus.forwarded, date(2026, 11, 23), date(2026, 11, 24), DeadlineMark.overdue),
        (CaseStatus.awaiting, date(2026, 11, 23), date(2026, 11, 24), DeadlineMark.paused),
        (CaseStatus.completed, date(2026, 11, 23), date(2026, 11, 24), DeadlineMark.none),
    ],
)
def test_deadline_marks(status, due, today, mark):
    assert deadline_mark(status, due, today, cal) == mark


# ---- A calendar change (the year's notice entered) moves open deadlines by exactly what it changes -------------------
# The test notice for 2027: 春节 5–13 Feb (the rules had 5–10 Feb), 调休 Sun 31 Jan and Sat 20 Feb.
NOTICE = parse_notice(2027, ["元旦", "春节"], ["2027-01-01", "2027-02-05"], ["2027-01-03", "2027-02-13"],
                      ["2027-01-31", "2027-02-20"])
NOTICED = WorkCalendar(notices=[NOTICE])
DEC_28 = date(2026, 12, 28)  # a Monday


@pytest.mark.parametrize(("promised", "pauses", "before", "after"), [
    # 30 days: provisional Mon 15 Feb (23 by Fri 29 Jan, 1–4 Feb, 11, 12, 15 Feb);
    # noticed: Sun 31 Jan is the 24th, 1–4 Feb the 28th, 5–13 Feb off, Mon 15 and Tue 16 Feb: Tue 16 Feb.
    (30, (), date(2027, 2, 15), date(2027, 2, 16)),
    # 25 days: provisional Tue 2 Feb (23 by 29 Jan, 1, 2 Feb); noticed Sun 31 Jan is the 24th: Mon 1 Feb.
    (25, (), date(2027, 2, 2), date(2027, 2, 1)),
    # Paused Mon 4 → Wed 6 Jan (Tue 5 and Wed 6 paused: 2 working days on both calendars): 15 Feb + 2 = Wed 17 Feb
    # before; the 30 promised days land on 16 Feb, plus the same 2 paused days: Thu 18 Feb.
    (30, ((date(2027, 1, 4), date(2027, 1, 6)),), date(2027, 2, 17), date(2027, 2, 18)),
])
def test_a_notice_moves_a_deadline_by_the_working_days_it_changes(promised, pauses, before, after):
    due = due_date(DEC_28, promised, cal)
    for paused_on, resumed_on in pauses:
        due = cal.add_workdays(due, cal.workdays_between(paused_on, resumed_on))
    assert due == before
    assert recomputed_due(DEC_28, due, pauses, cal, NOTICED) == after


@pytest.mark.parametrize(("due", "why"), [
    (date(2027, 1, 5), "5 days: the notice changes nothing before 31 Jan"),
    (date(2026, 12, 31), "3 days: all in 2026"),
    (date(2027, 1, 2), "a Saturday no count of working days reaches: left as stored, not guessed"),
])
def test_deadlines_the_notice_does_not_concern_stay(due, why):
    assert recomputed_due(DEC_28, due, (), cal, NOTICED) is None, why


def test_recomputing_on_the_same_calendar_changes_nothing():
    due = due_date(DEC_28, 30, cal)
    assert recomputed_due(DEC_28, due, (), cal, cal) is None
    moved = recomputed_due(DEC_28, due, (), cal, NOTICED)
    assert recomputed_due(DEC_28, moved, (), NOTICED, NOTICED) is None  # entering the same notice twice


@pytest.mark.parametrize(
    ("missing", "status"),
    [
        ([], CaseStatus.accepted),  # everything required received: the clock runs from acceptance
        ([1], CaseStatus.awaiting),  # one required material missing: 待补正 at once
        ([0, 2], CaseStatus.awaiting),
    ],
)
def test_accepting_with_required_materials_missing_waits_for_them(missing, status):
    assert status_on_accept(missing) == status


def test_a_case_waiting_from_acceptance_loses_none_of_its_promised_days():
    # A 5-day item accepted Tue 24 Nov 2026 with a material missing: due Tue 1 Dec counted from acceptance, paused
    # the same day. The resident brings it Fri 27 Nov: 3 working days paused (25, 26, 27) -> due Fri 4 Dec, i.e.
    # the 5 promised working days counted from the day the case was complete.
    accepted_on = date(2026, 11, 24)
    due = due_date(accepted_on, 5, cal)
    assert due == date(2026, 12, 1)
    resumed = act(Action.supply_materials, status_on_accept([0]), today=date(2026, 11, 27), due=due,
                  paused_on=accepted_on)
    assert resumed.to_status == CaseStatus.accepted
    assert resumed.due == date(2026, 12, 4) == due_date(date(2026, 11, 27), 5, cal)
