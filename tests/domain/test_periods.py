"""Years, months and days in an address (issue #11, finding 10): empty means the page's default, a real one within
2000—2100 is taken, and anything else is told in Chinese, never a 500 from a date Python cannot build."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from center.domain.periods import (FIRST_YEAR, LAST_YEAR, PeriodError, check_year, day_param, moment_param, month_number_param,
                                   month_or_year_param, month_param, year_param)


def test_an_empty_value_means_the_pages_default():
    for parse in (year_param, month_param, month_number_param, month_or_year_param, day_param, moment_param):
        assert parse("") is None and parse(None) is None and parse("  ") is None


def test_a_month_is_year_dash_month():
    assert month_param("2026-12") == date(2026, 12, 1)
    assert month_param("2026-3") == date(2026, 3, 1)
    assert month_param(" 2027-01 ") == date(2027, 1, 1)


def test_the_figures_take_a_month_or_a_whole_year():
    assert month_or_year_param("2026-11") == (date(2026, 11, 1), False)
    assert month_or_year_param("2026") == (date(2026, 1, 1), True)


@pytest.mark.parametrize("raw", ["9999", "9999-12", "1999-12", "2101-01", "0000-01"])
def test_a_month_beyond_the_years_the_center_keeps_is_told_its_range(raw):
    with pytest.raises(PeriodError, match="超出范围：只能查看 2000—2100 年"):
        month_or_year_param(raw)


@pytest.mark.parametrize("raw", ["2026-13", "2026-0", "2026-12-01", "garbage", "2026/12", "26-12", "２０２６-12", "10000-01"])
def test_a_month_that_is_not_one_says_how_to_write_it(raw):
    with pytest.raises(PeriodError, match="无法识别") as caught:
        month_or_year_param(raw)
    assert "2026-12" in str(caught.value)


def test_a_year_is_four_digits_within_range():
    assert year_param("2026") == 2026
    for raw, told in (("99999", "无法识别"), ("26", "无法识别"), ("x", "无法识别"), ("9999", "超出范围"),
                      ("1999", "超出范围"), ("2101", "超出范围")):
        with pytest.raises(PeriodError, match=told):
            year_param(raw)


def test_a_month_of_the_year_is_1_to_12():
    assert month_number_param("3") == 3 and month_number_param("12") == 12
    for raw in ("0", "13", "-1", "三", "1.5"):
        with pytest.raises(PeriodError, match="1 到 12"):
            month_number_param(raw)


def test_a_day_is_a_real_calendar_date():
    assert day_param("2026-12-07") == date(2026, 12, 7)
    for raw in ("2026-02-30", "2026-12-7", "20261207", "garbage"):
        with pytest.raises(PeriodError, match="年-月-日"):
            day_param(raw)
    with pytest.raises(PeriodError, match="超出范围"):
        day_param("9999-12-31")


def test_a_moment_is_an_iso_time_within_range():
    assert moment_param("2026-11-28T10:00") == datetime(2026, 11, 28, 10, 0)
    with pytest.raises(PeriodError, match="无法识别"):
        moment_param("tomorrow")
    with pytest.raises(PeriodError, match="超出范围"):
        moment_param("9999-12-31T23:59")


def test_a_long_value_is_shown_cut_short():
    with pytest.raises(PeriodError) as caught:
        month_param("x" * 500)
    assert "x" * 20 + "…" in str(caught.value) and "x" * 21 not in str(caught.value)


def test_an_api_date_outside_the_range_names_its_parameter():
    assert check_year(2026, "start") == 2026
    with pytest.raises(PeriodError, match="start 的年份 1800 超出范围"):
        check_year(1800, "start")


PARSERS = [year_param, month_param, month_number_param, month_or_year_param, day_param, moment_param]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(raw=st.one_of(st.text(max_size=40), st.from_regex(r"-?[0-9]{1,6}(-[0-9]{1,3}(-[0-9]{1,3})?)?", fullmatch=True),
                     st.dates().map(str), st.datetimes().map(lambda d: d.isoformat())))
def test_any_text_is_a_period_within_the_kept_years_or_a_chinese_message(raw):
    """The property every address parameter relies on: whatever is typed, a value in 2000—2100, the default
    (None), or a PeriodError with a Chinese message; never another exception."""
    for parse in PARSERS:
        try:
            value = parse(raw)
        except PeriodError as error:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error))
            continue
        if value is None:
            assert not raw.strip()
        elif isinstance(value, tuple):
            assert FIRST_YEAR <= value[0].year <= LAST_YEAR
        elif isinstance(value, int):
            assert (1 <= value <= 12) if parse is month_number_param else FIRST_YEAR <= value <= LAST_YEAR
        else:
            assert FIRST_YEAR <= value.year <= LAST_YEAR


# ---------------------------------------------------------------- months, weeks and weekday names

from center.domain.periods import (month_day, month_day_weekday, month_end, month_start, monday_of, next_month,  # noqa: E402
                                   week_days, weekday_name, year_month)


@pytest.mark.parametrize("day, name", [
    (date(2026, 12, 7), "一"), (date(2026, 12, 12), "六"), (date(2026, 12, 13), "日"),
    (date(2026, 9, 27), "日"),  # a Sunday that is a 调休 working day is still 周日: the name is the calendar's
])
def test_the_weekday_is_named_as_after_zhou(day, name):
    assert weekday_name(day) == name


def test_a_date_is_written_month_day_and_weekday():
    assert month_day(date(2027, 1, 21)) == "1月21日"
    assert month_day_weekday(date(2026, 12, 7)) == "12月7日（周一）"


@pytest.mark.parametrize("day", [date(2026, 12, 7) + timedelta(days=i) for i in range(7)])
def test_a_week_runs_monday_to_sunday(day):
    assert monday_of(day) == date(2026, 12, 7)
    assert week_days(day) == [date(2026, 12, 7) + timedelta(days=i) for i in range(7)]


def test_a_week_that_crosses_the_new_year_keeps_its_monday():
    assert monday_of(date(2027, 1, 1)) == date(2026, 12, 28)


@pytest.mark.parametrize("day, first, last, after", [
    (date(2026, 12, 15), date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 1)),
    (date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29), date(2028, 3, 1)),  # leap February
    (date(2027, 2, 1), date(2027, 2, 1), date(2027, 2, 28), date(2027, 3, 1)),
    (date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 1)),
])
def test_a_month_runs_from_its_first_to_its_last_day(day, first, last, after):
    assert (month_start(day), month_end(day), next_month(day)) == (first, last, after)


def test_a_month_is_written_year_dash_month_with_two_digits():
    assert year_month(date(2026, 3, 9)) == "2026-03"
