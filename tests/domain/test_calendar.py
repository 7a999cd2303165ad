"""The working-day calendar: statutory holidays, make-up workdays (调休), overrides, unknown years."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from center.domain.calendar import CalendarError, DayKind, Override, WorkCalendar, next_year_warning

cal = WorkCalendar()


@pytest.mark.parametrize("day", [date(2026, 2, 14), date(2026, 10, 10)])
def test_make_up_workdays_are_workdays(day):
    info = cal.day(day)
    assert day.weekday() == 5  # Saturdays
    assert info.kind == DayKind.workday and info.makeup and info.label == "班"


@pytest.mark.parametrize(
    ("first", "last", "name"),
    [(date(2026, 2, 15), date(2026, 2, 23), "春节"), (date(2026, 10, 1), date(2026, 10, 7), "国庆节")],
)
def test_holidays_have_names(first, last, name):
    day = first
    while day <= last:
        info = cal.day(day)
        assert info.kind == DayKind.holiday and info.holiday_name == name, day
        day += timedelta(days=1)
    assert cal.holidays_in(first - timedelta(days=3), last + timedelta(days=3)) == [(name, first, last)]


def test_ordinary_weekend_is_a_restday():
    info = cal.day(date(2026, 11, 28))
    assert info.kind == DayKind.restday and info.holiday_name is None and info.label == "休"


def test_one_working_day_after_the_spring_festival_make_up_saturday():
    assert cal.add_workdays(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_one_working_day_after_friday_13_february_is_the_make_up_saturday():
    assert cal.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_zero_working_days_is_the_same_day_and_negative_is_refused():
    assert cal.add_workdays(date(2026, 3, 2), 0) == date(2026, 3, 2)
    with pytest.raises(CalendarError):
        cal.add_workdays(date(2026, 3, 2), -1)


def test_workdays_between_counts_the_half_open_interval():
    assert cal.workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2  # 14th (班) and 24th
    assert cal.workdays_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert cal.workdays_between(date(2026, 3, 6), date(2026, 3, 2)) == 0


def test_overrides_win_over_the_package():
    overridden = WorkCalendar([Override(date(2026, 2, 16), DayKind.workday), Override(date(2026, 3, 3), DayKind.holiday, "防汛停工")])
    assert overridden.day(date(2026, 2, 16)).kind == DayKind.workday
    assert overridden.day(date(2026, 3, 3)).holiday_name == "防汛停工"
    assert overridden.day(date(2026, 3, 3)).overridden


def test_a_year_the_package_lacks_does_not_raise_and_uses_weekdays():
    unknown = date(2031, 1, 1)
    info = cal.day(unknown)
    assert info.known is False
    assert info.kind == (DayKind.workday if unknown.weekday() < 5 else DayKind.restday)
    assert cal.add_workdays(date(2031, 12, 31), 5) > date(2031, 12, 31)
    assert cal.year_known(2031) is False


def test_overrides_make_a_year_known():
    assert WorkCalendar([Override(date(2031, 1, 1), DayKind.holiday, "元旦")]).year_known(2031)


def test_next_year_warning_from_october_when_unknown():
    assert next_year_warning(date(2031, 10, 8), cal) is not None
    assert "2032" in next_year_warning(date(2031, 10, 8), cal)
    assert next_year_warning(date(2031, 3, 8), cal) is None
    assert next_year_warning(date(2025, 11, 8), cal) is None  # 2026 is published


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)), st.integers(min_value=0, max_value=40))
def test_add_workdays_lands_on_a_workday_counting_exactly_n(start, n):
    due = cal.add_workdays(start, n)
    assert cal.workdays_between(start, due) == n
    if n > 0:
        assert cal.is_workday(due)


@given(st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)),
       st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)))
def test_workdays_between_counts_like_walking_the_days(start, end):
    calendar = WorkCalendar()
    walked, current = 0, start
    while current < end:
        current += timedelta(days=1)
        walked += calendar.is_workday(current)
    assert calendar.workdays_between(start, end) == walked
