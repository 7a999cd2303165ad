"""好差评 rules: five levels, what may be rated, every step of a 差评's follow-up and its deadline across 调休."""

from datetime import date

import pytest

from center.domain.calendar import WorkCalendar
from center.domain.ratings import (
    DEFAULT_REASONS,
    MAX_COMMENT,
    TRANSITIONS,
    Appeal,
    Deadlines,
    Mark,
    RatingError,
    RatingFact,
    Score,
    State,
    Step,
    allowed_steps,
    apply,
    check_appeal,
    check_callback_by,
    check_decision,
    check_rating,
    deadline_mark,
    figures,
    is_bad,
    not_ratable_reason,
    step_due,
    verify_due,
)

cal = WorkCalendar()
DEFAULT = Deadlines()
REASONS = [code for code, _ in DEFAULT_REASONS]


def step(step, state, *, role="manager", same_center=True, today=date(2026, 10, 9), due=date(2026, 10, 10),
         note="已与群众电话沟通", founded=True, deadlines=DEFAULT):
    return apply(step=step, state=state, actor_role=role, same_center=same_center, today=today, due=due,
                 deadlines=deadlines, calendar=cal, note=note, founded=founded)


# ---- the rating itself ----

def test_five_levels_and_the_two_lowest_are_bad():
    assert [int(s) for s in Score] == [5, 4, 3, 2, 1]
    assert [s for s in Score if is_bad(s)] == [Score.dissatisfied, Score.very_dissatisfied]
    assert not is_bad(3)


@pytest.mark.parametrize("score", [0, 6, "x", None, True, 2.5, "五"])
def test_a_score_outside_one_to_five_is_refused_in_chinese(score):
    assert check_rating("4", [], "", REASONS).score == Score.satisfied  # a form posts the digit
    with pytest.raises(RatingError, match="请选择满意程度"):
        check_rating(score, [], "", REASONS)


def test_reasons_come_from_the_list_and_count_once():
    rating = check_rating(2, ["attitude", "trips", "attitude"], "", REASONS)
    assert rating.reasons == ("attitude", "trips") and rating.bad
    with pytest.raises(RatingError, match="不在可选范围"):
        check_rating(2, ["<script>"], "", REASONS)
    with pytest.raises(RatingError, match="不在可选范围"):
        check_rating(2, [1], "", REASONS)


def test_a_comment_is_length_limited_and_stripped_of_control_characters():
    assert check_rating(5, [], "  很好\u202e\x00  ", REASONS).comment == "很好"
    assert check_rating(5, [], "字" * MAX_COMMENT, REASONS).comment == "字" * MAX_COMMENT
    with pytest.raises(RatingError, match=f"不能超过 {MAX_COMMENT} 个字"):
        check_rating(5, [], "字" * (MAX_COMMENT + 1), REASONS)
    with pytest.raises(RatingError, match="文字"):
        check_rating(5, [], {"a": 1}, REASONS)


def test_only_a_finished_service_may_be_rated():
    for status in ("completed", "refused", "consult"):
        assert not_ratable_reason(status) is None
    for status in ("accepted", "awaiting", "forwarded"):
        assert "尚未办结" in not_ratable_reason(status)


# ---- the follow-up: every step allowed or refused by the table ----

@pytest.mark.parametrize(("the_step", "state"), [(s, st) for s in Step for st in State])
def test_every_step_is_allowed_or_refused_by_the_table(the_step, state):
    if state in TRANSITIONS[the_step]:
        assert step(the_step, state).from_state == state
    else:
        with pytest.raises(RatingError, match="状态下不能"):
            step(the_step, state)


def test_the_founded_path_runs_pending_fixing_fixed_closed():
    verified = step(Step.verify, State.pending, founded=True)
    assert verified.to_state == State.fixing and verified.founded is True
    fixed = step(Step.fix, verified.to_state, note="已对窗口人员批评教育并重新培训")
    assert fixed.to_state == State.fixed
    told = step(Step.feedback, fixed.to_state, note="已整改，感谢您的监督")
    assert told.to_state == State.closed and told.due is None
    assert allowed_steps(State.closed) == []


def test_an_unfounded_rating_skips_the_fix_but_the_resident_is_still_told():
    verified = step(Step.verify, State.pending, founded=False, note="调取录像，工作人员已按规定一次性告知")
    assert verified.to_state == State.unfounded
    assert allowed_steps(State.unfounded) == [Step.feedback]
    assert step(Step.feedback, State.unfounded).to_state == State.closed


def test_every_step_needs_its_note_and_the_verdict():
    for the_step, state in ((Step.verify, State.pending), (Step.fix, State.fixing), (Step.feedback, State.fixed)):
        with pytest.raises(RatingError, match="请填写"):
            step(the_step, state, note="   ")
    with pytest.raises(RatingError, match="属实或不属实"):
        step(Step.verify, State.pending, founded=None)
    with pytest.raises(RatingError, match="不能超过 500 个字"):
        step(Step.fix, State.fixing, note="字" * 501)


def test_only_the_centers_manager_or_the_admin_follows_up():
    with pytest.raises(RatingError, match="本中心负责人"):
        step(Step.verify, State.pending, role="worker")
    with pytest.raises(RatingError, match="本中心负责人"):
        step(Step.verify, State.pending, same_center=False)
    assert step(Step.verify, State.pending, role="admin", same_center=False).to_state == State.fixing


def test_a_step_done_after_its_deadline_is_not_on_time():
    assert step(Step.fix, State.fixing, today=date(2026, 10, 16), due=date(2026, 10, 16)).on_time
    assert not step(Step.fix, State.fixing, today=date(2026, 10, 19), due=date(2026, 10, 16)).on_time


# ---- deadlines in working days across the 2026 National Day 调休 (Sat 10 October is a working day) ----

def test_a_rating_on_friday_before_the_makeup_saturday_is_checked_on_that_saturday():
    assert verify_due(date(2026, 10, 9), DEFAULT, cal) == date(2026, 10, 10)


def test_a_rating_before_the_golden_week_is_checked_after_it():
    assert verify_due(date(2026, 9, 30), DEFAULT, cal) == date(2026, 10, 8)


def test_a_rating_on_a_holiday_counts_from_the_next_working_day():
    # Saturday 19 September, and Sunday 20 September is a make-up working day.
    assert verify_due(date(2026, 9, 19), DEFAULT, cal) == date(2026, 9, 20)
    assert verify_due(date(2026, 10, 3), DEFAULT, cal) == date(2026, 10, 8)


def test_the_fix_deadline_counts_the_makeup_saturday_and_skips_sunday():
    # Verified on Thursday 8 October: Fri 9, Sat 10 (调休), Mon 12, Tue 13, Wed 14.
    move = step(Step.verify, State.pending, today=date(2026, 10, 8))
    assert move.due == date(2026, 10, 14)
    # Fixed on Wednesday 14 October: the resident is told by the next working day.
    assert step_due(State.fixed, date(2026, 10, 14), DEFAULT, cal) == date(2026, 10, 15)
    assert step_due(State.closed, date(2026, 10, 14), DEFAULT, cal) is None


def test_the_district_sets_its_own_days():
    sichuan = Deadlines(callback_days=3, fix_days=15)
    assert verify_due(date(2026, 10, 9), sichuan, cal) == date(2026, 10, 13)
    assert step(Step.verify, State.pending, today=date(2026, 10, 9), deadlines=sichuan).due == date(2026, 10, 29)
    with pytest.raises(RatingError, match="整改时限"):
        Deadlines(callback_days=1, fix_days=0)


def test_the_deadline_marks_of_an_open_item():
    due = date(2026, 10, 12)  # Monday
    assert deadline_mark(State.fixing, due, date(2026, 10, 8), cal) == Mark.none
    # Saturday 10 October is a working day: Monday is one working day away, so the item is due soon.
    assert deadline_mark(State.fixing, due, date(2026, 10, 10), cal) == Mark.due_soon
    assert deadline_mark(State.fixing, due, date(2026, 10, 11), cal) == Mark.due_soon
    assert deadline_mark(State.fixing, due, date(2026, 10, 13), cal) == Mark.overdue
    assert deadline_mark(State.closed, due, date(2026, 10, 13), cal) == Mark.none


def test_an_unknown_year_is_counted_by_the_rule_not_refused():
    # 2031 is not in the statutory data: the fallback rules count it (Mon–Fri, fixed holidays).
    assert verify_due(date(2031, 3, 14), DEFAULT, cal) == date(2031, 3, 17)


# ---- appeals ----

def test_only_the_rated_worker_appeals_once_with_a_reason():
    assert check_appeal(Appeal.none, 7, 7, " 群众要求的材料确属必需 ") == "群众要求的材料确属必需"
    with pytest.raises(RatingError, match="本人"):
        check_appeal(Appeal.none, 8, 7, "理由")
    with pytest.raises(RatingError, match="重复申诉"):
        check_appeal(Appeal.pending, 7, 7, "理由")
    with pytest.raises(RatingError, match="申诉理由"):
        check_appeal(Appeal.none, 7, 7, "")


def test_the_admin_decides_an_appeal_with_a_reason():
    assert check_decision(Appeal.pending, "admin", True, "录像显示已一次性告知") == Appeal.upheld
    assert check_decision(Appeal.pending, "admin", False, "确有推诿") == Appeal.rejected
    with pytest.raises(RatingError, match="管理员裁定"):
        check_decision(Appeal.pending, "manager", True, "理由")
    with pytest.raises(RatingError, match="没有待裁定"):
        check_decision(Appeal.upheld, "admin", True, "理由")
    with pytest.raises(RatingError, match="裁定理由"):
        check_decision(Appeal.pending, "admin", True, " ")


# ---- figures ----

def fact(score, counted=True, callback=False, founded=None, fixed=False, on_time=False):
    return RatingFact(score=score, counted=counted, callback=callback, founded=founded, fixed=fixed,
                      fixed_on_time=on_time)


def test_the_figures_of_a_month():
    facts = [fact(5), fact(5, callback=True), fact(4), fact(3), fact(2, founded=True, fixed=True, on_time=True),
             fact(1, founded=True, fixed=True), fact(1, founded=False), fact(2), fact(1, counted=False)]
    got = figures(facts)
    assert got["ratings"] == 8 and got["bad"] == 4 and got["good"] == 4
    assert got["good_rate"] == 50.0
    assert got["founded_rate"] == 66.7  # 2 founded of the 3 checked
    assert got["fix_rate"] == 100.0 and got["fix_on_time_rate"] == 50.0
    assert got["callback_rate"] == 12.5


def test_no_ratings_means_no_rate_rather_than_zero():
    assert figures([])["good_rate"] is None and figures([fact(5)])["fix_rate"] is None


def test_a_bad_rating_about_the_manager_is_followed_up_by_the_admin():
    with pytest.raises(RatingError, match="区级管理员处理"):
        apply(step=Step.verify, state=State.pending, actor_role="manager", same_center=True, today=date(2026, 10, 9),
              due=None, deadlines=DEFAULT, calendar=cal, note="核实", founded=True, about_self=True)
    assert apply(step=Step.verify, state=State.pending, actor_role="admin", same_center=False, today=date(2026, 10, 9),
                 due=None, deadlines=DEFAULT, calendar=cal, note="核实", founded=True, about_self=True).to_state == State.fixing


@pytest.mark.parametrize("text", ["请致电13812345678", "电话 138-1234-5678", "身份证11010519491231002X", "0543-4321001"])
def test_the_published_feedback_carries_no_phone_or_id_number(text):
    with pytest.raises(RatingError, match="公开显示"):
        step(Step.feedback, State.fixed, note=f"已整改。{text}")
    # The same words are fine in a step the resident does not read.
    assert step(Step.fix, State.fixing, note=f"已整改。{text}").to_state == State.fixed


def test_the_one_who_served_does_not_record_the_callback():
    with pytest.raises(RatingError, match="首问人不能"):
        check_callback_by(7, 7)
    check_callback_by(8, 7)
    check_callback_by(8, None)
