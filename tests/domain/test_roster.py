"""What a roster means to its readers: staffing, what residents see, what a manager confirms before publishing."""

from datetime import date

import pytest

from center.domain.roster import (
    busiest_day,
    publish_warnings,
    shown_on_duty,
    staffing,
    warnings_fingerprint,
)

MONDAY = date(2026, 12, 14)
WEDNESDAY = date(2026, 12, 16)
ANNA = 1


@pytest.mark.parametrize(("needed", "count", "missing", "over"), [
    (1, 0, 1, 0),   # a one-person shift nobody holds: 缺 1 人
    (1, 1, 0, 0),
    (1, 2, 0, 1),   # a one-person shift holding two: 超员 1 人
    (2, 1, 1, 0),
    (2, 5, 0, 3),
])
def test_a_slot_is_short_full_or_over_staffed(needed, count, missing, over):
    staffed = staffing(needed, count)
    assert (staffed.missing, staffed.over) == (missing, over)


def test_a_slot_on_a_day_its_shift_does_not_run_needs_nobody():
    staffed = staffing(2, 0, applies=False)
    assert (staffed.needed, staffed.missing, staffed.over) == (0, 0, 0)


def shown(day=WEDNESDAY, *, published=(MONDAY,), leave=None):
    return shown_on_duty(day, ANNA, published, leave or {})


@pytest.mark.parametrize(("published", "leave", "expected"), [
    ((MONDAY,), {}, True),                                     # a published week, not on leave
    ((), {}, False),                                           # a draft week is not shown to residents
    ((date(2026, 12, 7),), {}, False),                         # another week published, not this one
    ((MONDAY,), {ANNA: {WEDNESDAY}}, False),                   # on leave that day: never shown on duty
    ((MONDAY,), {ANNA: {date(2026, 12, 15)}}, True),           # on leave another day
    ((MONDAY,), {2: {WEDNESDAY}}, True),                       # someone else on leave
])
def test_residents_see_published_weeks_and_nobody_on_leave(published, leave, expected):
    assert shown(published=published, leave=leave) is expected


def cell(day=WEDNESDAY, shift="午间值守", *, needed=1, people=(("甲", []),), applies=True):
    people = [{"name": name, "problems": problems} for name, problems in people]
    return {"day": day, "shift_name": shift, "applies": applies, "needed": needed, "people": people,
            "missing": max(0, needed - len(people)), "over": max(0, len(people) - needed)}


def test_a_week_without_problems_publishes_without_a_question():
    assert publish_warnings([cell(), cell(date(2026, 12, 17))]) == []


def test_every_problem_of_a_week_is_listed_for_the_manager():
    warnings = publish_warnings([
        cell(people=(("甲", ["当天请假"]),)),                        # a conflict
        cell(date(2026, 12, 17), people=(("甲", []), ("乙", []))),    # 超员
        cell(date(2026, 12, 18), people=()),                          # 缺人
        cell(date(2026, 12, 19), people=(), applies=False),           # no shift that day: nothing to say
    ])
    assert [(w.day.day, w.kind, w.text) for w in warnings] == [
        (16, "conflict", "甲：当天请假"),
        (17, "over", "超员 1 人（需 1 人，已排 2 人）"),
        (18, "short", "缺 1 人"),
    ]


def test_a_confirmation_holds_only_for_the_list_that_was_shown():
    shown_list = publish_warnings([cell(people=(("甲", ["当天请假"]),))])
    same = publish_warnings([cell(people=(("甲", ["当天请假"]),))])
    changed = publish_warnings([cell(people=(("甲", ["当天请假"]), ("乙", [])))])
    assert warnings_fingerprint(shown_list) == warnings_fingerprint(same)
    assert warnings_fingerprint(shown_list) != warnings_fingerprint(changed)


@pytest.mark.parametrize(("ranges", "expected"), [
    ([], (None, 0)),
    ([(date(2026, 12, 1), date(2026, 12, 31))], (date(2026, 12, 9), 1)),
    # two overlap on the 12th and 13th, the third starts after the window
    ([(date(2026, 12, 1), date(2026, 12, 13)), (date(2026, 12, 12), date(2026, 12, 20)),
      (date(2027, 1, 5), date(2027, 1, 9))], (date(2026, 12, 12), 2)),
])
def test_busiest_day_of_the_announcements_in_a_window(ranges, expected):
    assert busiest_day(ranges, date(2026, 12, 9), date(2026, 12, 31)) == expected
