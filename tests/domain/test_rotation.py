"""Fair rotation: filled slots, no leave or double booking, equal hours, manual assignments kept, idempotent."""

from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from center.domain.calendar import DayKind, WorkCalendar
import pytest

from center.domain.rotation import (
    Assigned,
    RotationInput,
    ShiftSpec,
    duty_load,
    overlaps,
    problems,
    rotate,
    shift_hours,
    week_of,
)

cal = WorkCalendar()
START = date(2026, 11, 30)  # a Monday


def horizon(weeks: int, start: date = START) -> list[tuple[date, DayKind]]:
    return [(start + timedelta(days=i), cal.day(start + timedelta(days=i)).kind) for i in range(weeks * 7)]


def demo_shifts(staff: frozenset[int]) -> list[ShiftSpec]:
    return [
        ShiftSpec(1, time(12, 0), time(14, 0), frozenset({"workday"}), 1, staff, "午间"),
        ShiftSpec(2, time(17, 30), time(19, 30), frozenset({"workday"}), 2, staff, "延时"),
        ShiftSpec(3, time(9, 0), time(17, 0), frozenset({"restday", "holiday"}), 2, staff, "值班"),
    ]


def check_invariants(data: RotationInput, result: list[Assigned]) -> list[Assigned]:
    everything = list(data.existing) + result
    shifts = {s.id: s for s in data.shifts}
    seen = set()
    by_person_day: dict[tuple[int, date], list[ShiftSpec]] = {}
    evenings: dict[tuple[int, tuple[int, int]], int] = {}
    for a in everything:
        key = (a.shift_id, a.day, a.staff_id)
        assert key not in seen, "a person twice in one slot"
        seen.add(key)
        if not a.manual:
            assert a.day not in data.leave.get(a.staff_id, frozenset()), "rostered on leave"
            assert a.staff_id in shifts[a.shift_id].eligible
            for other in by_person_day.get((a.staff_id, a.day), []):
                assert not overlaps(other, shifts[a.shift_id]), "double-booked"
        by_person_day.setdefault((a.staff_id, a.day), []).append(shifts[a.shift_id])
        if shifts[a.shift_id].evening:
            k = (a.staff_id, week_of(a.day))
            evenings[k] = evenings.get(k, 0) + 1
    for (staff_id, _), count in evenings.items():
        manual = sum(1 for a in data.existing if a.staff_id == staff_id and shifts[a.shift_id].evening)
        assert count <= max(data.max_evenings_per_week, manual)
    return everything


def unfilled_slots_have_no_candidate(data: RotationInput, everything: list[Assigned]) -> None:
    shifts = {s.id: s for s in data.shifts}
    in_slot: dict[tuple[int, date], set[int]] = {}
    for a in everything:
        in_slot.setdefault((a.shift_id, a.day), set()).add(a.staff_id)
    for day, kind in data.days:
        for shift in data.shifts:
            if not shift.applies(kind):
                continue
            filled = in_slot.get((shift.id, day), set())
            if len(filled) >= shift.needed:
                continue
            for person in shift.eligible & set(data.staff) - filled:
                same_day = [shifts[a.shift_id] for a in everything if a.staff_id == person and a.day == day]
                evenings = sum(1 for a in everything if a.staff_id == person and week_of(a.day) == week_of(day)
                               and shifts[a.shift_id].evening)
                assert (day in data.leave.get(person, frozenset()) or any(overlaps(shift, s) for s in same_day)
                        or (shift.evening and evenings >= data.max_evenings_per_week)), \
                    f"slot {shift.name} {day} left open although {person} could take it"


def test_twelve_staff_four_weeks_every_slot_filled_and_fair():
    staff = frozenset(range(1, 13))
    data = RotationInput(staff=sorted(staff), shifts=demo_shifts(staff), days=horizon(4))
    result = rotate(data)
    everything = check_invariants(data, result)
    needed = sum(s.needed for d, k in data.days for s in data.shifts if s.applies(k))
    assert len(result) == needed
    hours = shift_hours(everything, {s.id: s for s in data.shifts}, dict(data.days))
    workday = [hours.get(s, (0, 0))[0] for s in staff]
    duty = [hours.get(s, (0, 0))[1] for s in staff]
    assert max(workday) - min(workday) <= 120
    assert max(duty) - min(duty) <= 480


def test_manual_assignments_survive_and_count():
    staff = frozenset(range(1, 7))
    manual = [Assigned(3, date(2026, 12, 5), 6, manual=True), Assigned(3, date(2026, 12, 5), 5, manual=True)]
    data = RotationInput(staff=sorted(staff), shifts=demo_shifts(staff), days=horizon(2), existing=manual)
    result = rotate(data)
    assert not [a for a in result if (a.shift_id, a.day) == (3, date(2026, 12, 5))]  # already full
    assert all(not a.manual for a in result)


def test_running_twice_changes_nothing_and_same_input_same_output():
    staff = frozenset(range(1, 9))
    data = RotationInput(staff=sorted(staff), shifts=demo_shifts(staff), days=horizon(3),
                         leave={2: frozenset({date(2026, 12, 1), date(2026, 12, 2)})})
    first = rotate(data)
    assert first == rotate(data)
    again = RotationInput(staff=data.staff, shifts=data.shifts, days=data.days, leave=data.leave, existing=first)
    assert rotate(again) == []


def test_nobody_is_rostered_on_leave_and_the_rest_cover():
    staff = frozenset(range(1, 5))
    leave = {1: frozenset(d for d, _ in horizon(1))}
    data = RotationInput(staff=sorted(staff), shifts=demo_shifts(staff), days=horizon(1), leave=leave)
    result = rotate(data)
    assert 1 not in {a.staff_id for a in result}
    check_invariants(data, result)


def test_under_staffed_slots_stay_open_rather_than_break_a_rule():
    staff = frozenset({1})
    data = RotationInput(staff=[1], shifts=demo_shifts(staff), days=horizon(1))
    result = rotate(data)
    evenings = [a for a in result if a.shift_id == 2]
    assert len(evenings) == 2  # one person, one seat per evening, at most two evenings a week
    unfilled_slots_have_no_candidate(data, check_invariants(data, result))


def test_holiday_duty_is_shared_separately():
    # Spring Festival 2026: nine holiday days in a row; duty minutes spread evenly.
    staff = frozenset(range(1, 7))
    days = horizon(2, date(2026, 2, 9))
    data = RotationInput(staff=sorted(staff), shifts=demo_shifts(staff), days=days)
    everything = check_invariants(data, rotate(data))
    hours = shift_hours(everything, {s.id: s for s in data.shifts}, dict(days))
    duty = [hours[s][1] for s in staff]
    assert max(duty) - min(duty) <= 480


def test_history_evens_out_a_previous_imbalance():
    staff = frozenset(range(1, 5))
    data = RotationInput(staff=sorted(staff), shifts=demo_shifts(staff), days=horizon(1),
                         history={1: (600, 0), 2: (0, 0), 3: (0, 0), 4: (0, 0)})
    result = rotate(data)
    counts = {s: sum(1 for a in result if a.staff_id == s and a.shift_id in (1, 2)) for s in staff}
    assert counts[1] < counts[2]


@st.composite
def scenarios(draw):
    n_staff = draw(st.integers(min_value=5, max_value=14))
    staff = list(range(1, n_staff + 1))
    weeks = 12
    start = START + timedelta(weeks=draw(st.integers(min_value=-60, max_value=20)))
    days = horizon(weeks, start)
    all_days = [d for d, _ in days]
    leave: dict[int, frozenset[date]] = {}
    for person in draw(st.lists(st.sampled_from(staff), max_size=n_staff // 3, unique=True)):
        first = draw(st.integers(min_value=0, max_value=len(all_days) - 1))
        length = draw(st.integers(min_value=1, max_value=10))
        leave[person] = frozenset(all_days[first:first + length])
    shifts = demo_shifts(frozenset(staff))
    manual = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        day, kind = draw(st.sampled_from(days))
        shift = next(s for s in shifts if s.applies(kind))
        manual.append(Assigned(shift.id, day, draw(st.sampled_from(staff)), manual=True))
    manual = list({(a.shift_id, a.day, a.staff_id): a for a in manual}.values())
    return RotationInput(staff=staff, shifts=shifts, days=days, leave=leave, existing=manual, max_evenings_per_week=3)


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_rotation_properties_over_twelve_weeks(data):
    result = rotate(data)
    everything = check_invariants(data, result)
    unfilled_slots_have_no_candidate(data, everything)
    # Manual assignments survive untouched; running again adds nothing.
    assert all(a in everything for a in data.existing)
    assert rotate(RotationInput(staff=data.staff, shifts=data.shifts, days=data.days, leave=data.leave,
                                existing=everything, max_evenings_per_week=data.max_evenings_per_week)) == []
    # Fairness among those with no leave and no manual assignments: within one shift length.
    steady = [s for s in data.staff if s not in data.leave and not any(a.staff_id == s for a in data.existing)]
    if len(steady) >= 2:
        hours = shift_hours(everything, {s.id: s for s in data.shifts}, dict(data.days))
        workday = [hours.get(s, (0, 0))[0] for s in steady]
        duty = [hours.get(s, (0, 0))[1] for s in steady]
        assert max(workday) - min(workday) <= 120, (workday, duty)
        assert max(duty) - min(duty) <= 480, (workday, duty)


# ---- the bookkeeping behind a cell's problems: same-day shifts and evenings per week (duty_load)

STAFF = frozenset({1, 2})
LUNCH, LATE, DUTY = demo_shifts(STAFF)  # 12:00–14:00, 17:30–19:30 (an evening shift), 09:00–17:00
BY_ID = {s.id: s for s in (LUNCH, LATE, DUTY)}
TUESDAY = START + timedelta(days=1)


def load(*assigned: tuple[ShiftSpec, date, int]):
    return duty_load([Assigned(shift.id, day, person) for shift, day, person in assigned], BY_ID)


def check(shift, day, person, book, *, max_evenings=2, adding=False):
    """The problems `problems` finds with the counts `duty_load` keeps (`adding`: the person is not yet in the slot,
    so the evening they would take counts too, as in the cell's editor)."""
    return problems(shift, day, person, on_leave=False, same_day=book.same_day(person, day),
                    evenings_this_week=book.evenings(person, day) + (1 if adding else 0),
                    max_evenings_per_week=max_evenings)


def test_nothing_held_means_no_shifts_and_no_evenings():
    book = load()
    assert book.same_day(1, START) == [] and book.evenings(1, START) == 0


def test_same_day_lists_only_that_person_on_that_date():
    book = load((LUNCH, START, 1), (DUTY, START, 1), (LATE, START, 2), (LATE, TUESDAY, 1))
    assert book.same_day(1, START) == [LUNCH, DUTY]
    assert book.same_day(2, START) == [LATE]
    assert book.same_day(1, TUESDAY) == [LATE]


@pytest.mark.parametrize(("days", "expected"), [
    # Mon 11-30 … Sun 12-06 is one ISO week; Mon 12-07 starts the next one.
    ([0], 1),
    ([0, 1, 6], 3),        # Monday, Tuesday and Sunday: all in the week of Monday 11-30
    ([0, 7], 1),           # the next Monday counts in its own week
    ([-1, 0], 1),          # the Sunday before counts in the week before
])
def test_evenings_are_counted_per_monday_to_sunday_week(days, expected):
    book = load(*[(LATE, START + timedelta(days=d), 1) for d in days])
    assert book.evenings(1, START) == expected


def test_day_shifts_are_not_evenings():
    book = load((LUNCH, START, 1), (DUTY, TUESDAY, 1))
    assert book.evenings(1, START) == 0


def test_a_stopped_shift_type_counts_for_nothing():
    book = duty_load([Assigned(99, START, 1), Assigned(LATE.id, START, 1)], BY_ID)
    assert book.same_day(1, START) == [LATE] and book.evenings(1, START) == 1


def test_the_cell_sees_an_overlap_from_the_same_day_shifts():
    book = load((DUTY, START, 1), (LUNCH, START, 1))  # 09:00–17:00 and 12:00–14:00 on one day
    assert check(LUNCH, START, 1, book) == ["与其他班次时间重叠"]
    assert check(LUNCH, TUESDAY, 1, book) == []  # another day: no overlap


def test_the_third_evening_of_a_week_is_one_too_many():
    two = load((LATE, START, 1), (LATE, TUESDAY, 1))
    assert check(LATE, TUESDAY, 1, two) == []  # holds two, the limit
    assert check(LATE, START + timedelta(days=2), 1, two, adding=True) == ["本周晚班超过 2 次"]  # would take a third
    assert check(LATE, START + timedelta(days=7), 1, two, adding=True) == []  # next week starts again at one
