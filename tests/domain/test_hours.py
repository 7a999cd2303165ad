"""Service hours: day kinds from the calendar, seasons, exceptions, open/closed and until when."""

from datetime import date, datetime, time

from center.domain.calendar import WorkCalendar
from center.domain.hours import (DayHours, Period, Season, hours_for_day, in_extended_hours, merged_spans, open_status,
                                 public_hours)

cal = WorkCalendar()
P = [
    ("", "workday", Period(time(8, 30), time(12, 0))),
    ("", "workday", Period(time(14, 0), time(17, 30))),
    ("", "workday", Period(time(12, 0), time(14, 0), "extended")),
    ("", "workday", Period(time(17, 30), time(19, 30), "extended")),
    ("", "restday", Period(time(9, 0), time(17, 0), "duty")),
    ("", "holiday", Period(time(9, 0), time(17, 0), "duty")),
    ("夏令作息", "workday", Period(time(8, 0), time(12, 0))),
    ("夏令作息", "workday", Period(time(14, 30), time(18, 0))),
]
SUMMER = [Season("夏令作息", "05-01", "09-30")]


def hours(day):
    info = cal.day(day)
    return hours_for_day(day, info.kind, info.holiday_name, P, SUMMER)


def test_make_up_saturday_gets_workday_hours():
    h = hours(date(2026, 2, 14))
    assert h.day_kind == "workday" and len(h.periods) == 4


def test_holiday_gets_duty_hours_with_its_name():
    h = hours(date(2026, 2, 17))
    assert h.day_kind == "holiday" and h.holiday_name == "春节"
    assert [p.kind for p in h.periods] == ["duty"]


def test_summer_season_replaces_the_workday_periods_only():
    h = hours(date(2026, 7, 1))
    assert [p.start for p in h.periods] == [time(8, 0), time(14, 30)]
    assert [p.kind for p in hours(date(2026, 7, 4)).periods] == ["duty"]  # Saturday: year-round duty


def test_season_may_wrap_the_year():
    winter = Season("冬令", "11-15", "03-15")
    assert winter.contains(date(2026, 12, 1)) and winter.contains(date(2027, 2, 1)) and not winter.contains(date(2026, 6, 1))


def test_an_exception_wins():
    closed = hours_for_day(date(2026, 11, 25), "workday", None, P, SUMMER, (True, [], "停电检修"))
    assert closed.closed and closed.periods == () and closed.reason == "停电检修"


def test_open_until_the_end_of_the_joined_span():
    h = hours(date(2026, 11, 25))
    assert merged_spans(h.periods) == [(time(8, 30), time(19, 30))]  # lunch and evening shifts close the gaps
    assert open_status(h, time(12, 30)) == (True, time(19, 30))
    assert open_status(h, time(7, 0)) == (False, time(8, 30))
    assert open_status(h, time(20, 0)) == (False, None)


def test_extended_hours_for_the_figures():
    assert in_extended_hours(datetime(2026, 11, 25, 18, 0), "workday")
    assert not in_extended_hours(datetime(2026, 11, 25, 9, 0), "workday")
    assert in_extended_hours(datetime(2026, 11, 28, 10, 0), "restday")


def test_empty_day():
    assert open_status(DayHours(date(2026, 1, 1), "holiday", "元旦", ()), time(10, 0)) == (False, None)


def test_residents_are_promised_extended_and_duty_hours_only_from_a_published_week():
    day = DayHours(date(2026, 12, 23), "workday", None, (
        Period(time(8, 30), time(12, 0)), Period(time(12, 0), time(14, 0), "extended"),
        Period(time(14, 0), time(17, 30)), Period(time(17, 30), time(19, 30), "extended")))
    draft = public_hours(day, week_published=False)
    assert [(p.start, p.end) for p in draft.periods] == [(time(8, 30), time(12, 0)), (time(14, 0), time(17, 30))]
    assert open_status(draft, time(18, 30)) == (False, None)  # 18:30 of a draft week: not 延时服务
    assert public_hours(day, week_published=True) == day
    holiday = DayHours(date(2027, 1, 1), "holiday", "元旦", (Period(time(9), time(17), "duty"),))
    assert public_hours(holiday, week_published=False).periods == ()
