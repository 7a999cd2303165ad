"""The working-day calendar: statutory holidays, make-up workdays (调休), overrides, notices, unknown years."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from center.domain.calendar import (
    CalendarError,
    DayKind,
    HolidayPeriod,
    Notice,
    Override,
    Source,
    WorkCalendar,
    next_year_warning,
    parse_notice,
    rule_periods,
)

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


def test_a_year_the_package_lacks_does_not_raise_and_uses_the_rules_and_weekdays():
    assert cal.day(date(2031, 1, 6)).kind == DayKind.workday  # an ordinary Monday
    assert cal.day(date(2031, 1, 4)).kind == DayKind.restday  # an ordinary Saturday
    assert cal.day(date(2031, 1, 1)).kind == DayKind.holiday  # 元旦 by its rule
    assert cal.day(date(2031, 1, 6)).known is False
    assert cal.add_workdays(date(2031, 12, 31), 5) > date(2031, 12, 31)
    assert cal.year_known(2031) is False


def test_a_single_override_does_not_make_a_year_known():
    """Only the year's notice (or the package) tells the 调休 days: one ruled date leaves the rest provisional."""
    assert not WorkCalendar([Override(date(2031, 1, 2), DayKind.holiday, "元旦")]).year_known(2031)


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


# ---- Years the statutory data does not know (2027 on): the holidays' rules, provisional ----------------------------
# chinese-calendar ships the State Council's notices up to 2026. For 2027 the rules of 全国年节及纪念日放假办法 (2025
# revision) still decide the holidays; a holiday on a weekend is made up on the next working day (第六条).

@pytest.mark.parametrize("calendar", [WorkCalendar(), WorkCalendar([Override(date(2027, 1, 4), DayKind.holiday, "x")])],
                         ids=["plain", "with-an-override"])
def test_1_january_2027_is_never_a_working_day(calendar):
    info = calendar.day(date(2027, 1, 1))
    assert info.kind == DayKind.holiday and info.holiday_name == "元旦"
    assert not calendar.is_workday(date(2027, 1, 1))


@pytest.mark.parametrize(("day", "name"), [
    (date(2027, 2, 5), "春节"),  # 除夕 (Friday): part of 春节 since the 2025 revision
    (date(2027, 2, 6), "春节"),  # 正月初一 (Saturday)
    (date(2027, 2, 7), "春节"),  # 初二 (Sunday)
    (date(2027, 2, 8), "春节"),  # 初三 (Monday)
    (date(2027, 2, 9), "春节"),  # made up for the Saturday
    (date(2027, 2, 10), "春节"),  # made up for the Sunday
    (date(2027, 4, 5), "清明节"),
    (date(2027, 5, 1), "劳动节"), (date(2027, 5, 2), "劳动节"),  # two days since the 2025 revision
    (date(2027, 6, 9), "端午节"),
    (date(2027, 9, 15), "中秋节"),
    (date(2027, 10, 1), "国庆节"), (date(2027, 10, 2), "国庆节"), (date(2027, 10, 3), "国庆节"),
    (date(2028, 1, 26), "春节"),  # another unknown year, from the lunar calendar
    (date(2028, 10, 3), "中秋节、国庆节"),  # 中秋 on 3 October 2028
])
def test_statutory_holidays_of_an_unknown_year_come_from_their_rules(day, name):
    info = cal.day(day)
    assert info.kind == DayKind.holiday and info.holiday_name == name
    assert info.provisional


@pytest.mark.parametrize("day", [date(2027, 2, 4), date(2027, 2, 11), date(2027, 1, 4)])
def test_days_beside_the_rules_holidays_stay_working_days(day):
    assert cal.is_workday(day)


@pytest.mark.parametrize(("year", "source"), [(2025, Source.statutory_data), (2026, Source.statutory_data),
                                              (2027, Source.provisional), (2031, Source.provisional)])
def test_each_year_says_where_its_arrangement_comes_from(year, source):
    assert cal.source(year) == source
    assert cal.day(date(year, 3, 10)).provisional == (source == Source.provisional)


@pytest.mark.parametrize(("start", "days", "due", "provisional"), [
    # Mon 28 Dec 2026 + 5: 29, 30, 31 Dec, (Fri 1 Jan 元旦, weekend), Mon 4, Tue 5 Jan.
    (date(2026, 12, 28), 5, date(2027, 1, 5), True),
    # + 3: 29, 30, 31 Dec: no day of 2027 counted.
    (date(2026, 12, 28), 3, date(2026, 12, 31), False),
    (date(2026, 12, 31), 0, date(2026, 12, 31), False),
    # Mon 28 Dec + 30 skips 元旦 and 春节 (5–10 Feb 2027): Mon 15 Feb.
    (date(2026, 12, 28), 30, date(2027, 2, 15), True),
    (date(2026, 11, 24), 5, date(2026, 12, 1), False),
])
def test_a_date_counted_through_an_unknown_year_is_provisional(start, days, due, provisional):
    assert cal.add_workdays(start, days) == due
    assert cal.is_provisional(start, due) is provisional
    assert cal.unknown_years(start, due) == ([2027] if provisional else [])


def notice_2027(**overrides) -> Notice:
    """A plausible 2027 notice for the tests (the real one is not out): 春节 5–13 Feb, 调休 Sun 31 Jan and Sat 20 Feb."""
    rows = {"names": ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"],
            "firsts": ["2027-01-01", "2027-02-05", "2027-04-03", "2027-05-01", "2027-06-09", "2027-09-15", "2027-10-01"],
            "lasts": ["2027-01-03", "2027-02-13", "2027-04-05", "2027-05-05", "2027-06-11", "2027-09-17", "2027-10-07"],
            "makeup": ["2027-01-31", "2027-02-20", "2027-05-08", "2027-09-26", "2027-10-09"]}
    rows.update(overrides)
    return parse_notice(2027, rows["names"], rows["firsts"], rows["lasts"], rows["makeup"], "国办发明电〔2026〕1号")


def test_an_entered_notice_makes_its_year_known_with_its_make_up_days():
    noticed = WorkCalendar(notices=[notice_2027()])
    assert noticed.source(2027) == Source.notice and noticed.year_known(2027)
    assert noticed.day(date(2027, 1, 31)).kind == DayKind.workday and noticed.day(date(2027, 1, 31)).label == "班"
    assert noticed.day(date(2027, 2, 12)).holiday_name == "春节"
    assert not noticed.day(date(2027, 2, 12)).provisional
    assert noticed.is_provisional(date(2026, 12, 28), date(2027, 2, 16)) is False
    # 30 working days from Mon 28 Dec now count Sun 31 Jan and skip 5–13 Feb: Tue 16 Feb.
    assert noticed.add_workdays(date(2026, 12, 28), 30) == date(2027, 2, 16)


def test_a_notice_is_the_whole_arrangement_of_its_year():
    """Days a notice leaves out follow the week, even where a rule would have put a holiday."""
    partial = WorkCalendar(notices=[notice_2027(names=["春节"], firsts=["2027-02-05"], lasts=["2027-02-13"],
                                                makeup=[])])
    assert partial.is_workday(date(2027, 10, 4))  # not listed in this notice


def test_an_override_wins_over_the_notice():
    calendar = WorkCalendar([Override(date(2027, 2, 20), DayKind.restday)], [notice_2027()])
    assert calendar.day(date(2027, 2, 20)).kind == DayKind.restday


def test_a_notice_wins_over_the_package():
    entered = parse_notice(2026, ["国庆节"], ["2026-10-01"], ["2026-10-08"], [])
    calendar = WorkCalendar(notices=[entered])
    assert calendar.source(2026) == Source.notice
    assert calendar.day(date(2026, 10, 8)).kind == DayKind.holiday
    assert calendar.is_workday(date(2026, 2, 16))  # 春节 not in this (deliberately short) notice


@pytest.mark.parametrize(("overrides", "message"), [
    ({"lasts": ["2027-01-03", "2027-02-01"] + [""] * 5}, "结束日期早于开始日期"),
    ({"firsts": ["2027-13-01"] + [""] * 6}, "不是有效日期"),
    ({"firsts": ["2028-01-01"] + [""] * 6, "lasts": [""] * 7}, "日期须在 2027 年内"),
    ({"names": ["", "春节"], "firsts": ["2027-01-01", "2027-02-05"], "lasts": ["", ""]}, "请填写节日名称"),
    ({"names": ["元旦", "春节"], "firsts": ["2027-01-01", "2027-01-02"], "lasts": ["2027-01-03", "2027-01-05"]},
     "元旦与春节的放假日期重叠"),
    ({"makeup": ["2027-02-01"]}, "须为周六或周日"),
    ({"makeup": ["2027-02-06"]}, "这一天在放假日期内"),
    ({"names": [""] * 7, "firsts": [""] * 7, "lasts": [""] * 7}, "请至少填写一个节日"),
    ({"lasts": ["2027-02-28", "", "", "", "", "", ""], "firsts": ["2027-01-01"] + [""] * 6}, "不能超过 31 天"),
])
def test_a_notice_as_typed_is_checked_in_chinese(overrides, message):
    with pytest.raises(CalendarError, match=message):
        notice_2027(**overrides)


def test_a_notice_may_start_new_years_day_in_the_december_before():
    notice = parse_notice(2027, ["元旦"], ["2026-12-31"], ["2027-01-02"], [])
    assert notice.periods == (HolidayPeriod("元旦", date(2026, 12, 31), date(2027, 1, 2)),)


def test_the_notice_form_starts_from_the_rules_periods():
    periods = {p.name: (p.first, p.last) for p in rule_periods(2027)}
    assert periods["春节"] == (date(2027, 2, 5), date(2027, 2, 10))
    assert periods["国庆节"] == (date(2027, 10, 1), date(2027, 10, 5))
    assert list(periods) == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


def test_special_days_list_holidays_weekends_and_make_up_days_but_no_ordinary_workday():
    provisional = {d.day: d for d in cal.special_days(2027)}
    assert provisional[date(2027, 1, 1)].name == "元旦" and provisional[date(2027, 1, 2)].name == "休息日"
    assert date(2027, 1, 4) not in provisional
    assert all(not d.is_workday for d in provisional.values())  # no 调休 known yet
    noticed = {d.day: d for d in WorkCalendar(notices=[notice_2027()]).special_days(2027)}
    assert noticed[date(2027, 1, 31)].kind == DayKind.workday and noticed[date(2027, 1, 31)].name == "调休上班"


def test_the_warning_says_deadlines_are_provisional_and_who_enters_the_notice():
    warning = next_year_warning(date(2026, 12, 9), cal)
    assert "2027" in warning and "预计" in warning and "区级管理员" in warning
    assert next_year_warning(date(2026, 12, 9), WorkCalendar(notices=[notice_2027()])) is None
