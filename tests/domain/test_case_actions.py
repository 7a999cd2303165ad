"""Case rules of the counter's actions: which need a second step, which need a written reason, which field an
error is about."""

from datetime import date

import pytest

from center.domain.calendar import WorkCalendar
from center.domain.cases import Action, CaseRuleError, CaseStatus, apply, needs_confirmation
from center.domain.privacy import ResidentDataError, normalize_id_number, normalize_name, normalize_phone

cal = WorkCalendar()
TODAY = date(2026, 12, 9)
OWNER, OTHER = 1, 2


def act(action, status=CaseStatus.accepted, **overrides):
    params = dict(action=action, status=status, actor_id=OWNER, actor_role="worker", owner_id=OWNER,
                  same_center=True, today=date(2026, 12, 9), due=date(2026, 12, 16), paused_on=None, calendar=cal,
                  reason="区民政局：审核发放", new_owner_id=OTHER, has_missing_materials=True)
    params.update(overrides)
    return apply(**params)


@pytest.mark.parametrize(("action", "asks"), [
    (Action.complete, True),  # 办结: final, the resident's status page shows it at once
    (Action.refuse, True),  # 不予受理: final
    (Action.hand_over, True),  # 转交: the worker loses the case to the colleague
    (Action.supply_materials, True),  # 材料已补齐: every missing material marked received at once
    (Action.forward, False),  # 转办: the case stays open and owned
    (Action.request_materials, False),  # 待补正: undone by 材料已补齐
    ("drop_table", False),
])
def test_only_actions_the_worker_cannot_take_back_ask_for_confirmation(action, asks):
    assert needs_confirmation(action) is asks


@pytest.mark.parametrize(("action", "message"), [
    (Action.refuse, "请填写不予受理的原因"),
    (Action.hand_over, "请填写转交原因"),
    (Action.forward, "请填写转办说明：转往哪个部门、办理什么"),
])
@pytest.mark.parametrize("typed", ["", "   ", "\n\t"])
def test_an_action_that_must_be_explained_refuses_an_empty_reason(action, message, typed):
    with pytest.raises(CaseRuleError) as refused:
        act(action, reason=typed)
    assert str(refused.value) == message and refused.value.field == "reason"


@pytest.mark.parametrize(("action", "message"), [(Action.forward, "说明不能超过 500 个字"),
                                                 (Action.refuse, "原因不能超过 500 个字")])
def test_a_reason_is_at_most_500_characters(action, message):
    with pytest.raises(CaseRuleError, match=message):
        act(action, reason="长" * 501)
    assert act(action, reason="长" * 500).reason == "长" * 500


def test_the_forward_note_is_kept_trimmed():
    assert act(Action.forward, reason="  辖区派出所：户口注销  ").reason == "辖区派出所：户口注销"


@pytest.mark.parametrize(("action", "needs_reason"), [(Action.complete, False), (Action.request_materials, False),
                                                      (Action.supply_materials, False)])
def test_other_actions_need_no_reason(action, needs_reason):
    status = CaseStatus.awaiting if action == Action.supply_materials else CaseStatus.accepted
    paused = date(2026, 12, 1) if status == CaseStatus.awaiting else None
    assert act(action, status=status, reason="", paused_on=paused).reason == ""


@pytest.mark.parametrize(("check", "typed", "field"), [
    (lambda v: normalize_id_number(v, today=TODAY), "110105194912310021", "id_number"),  # wrong check character
    (lambda v: normalize_id_number(v, today=TODAY), "12345", "id_number"),
    (lambda v: normalize_id_number(v, today=TODAY), "110105194913310028", "id_number"),  # month 13
    (lambda v: normalize_id_number(v, today=TODAY), "370302205001011230", "id_number"),  # born in 2050
    (normalize_phone, "999", "phone"),
    (normalize_phone, "1381234567x", "phone"),
    (lambda v: normalize_name(v, required=True), "", "resident_name"),
])
def test_bad_resident_data_names_its_field(check, typed, field):
    with pytest.raises(ResidentDataError) as refused:
        check(typed)
    assert refused.value.field == field


def test_a_hand_over_without_a_colleague_names_the_select():
    with pytest.raises(CaseRuleError) as refused:
        act(Action.hand_over, new_owner_id=None)
    assert refused.value.field == "new_owner_id"
