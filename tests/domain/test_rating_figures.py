"""好差评 figures grouped and ranked (center.domain.rating_figures): plain values, no database."""

import pytest

from center.domain.rating_figures import (
    by_month,
    group_figures,
    level_counts,
    monthly_window_ranking,
    rank_windows,
    satisfaction,
    window_order,
)
from center.domain.ratings import RatingFact, figures


def fact(score, counted=True, callback=False, founded=None, fixed=False, on_time=False):
    return RatingFact(score=score, counted=counted, callback=callback, founded=founded, fixed=fixed,
                      fixed_on_time=on_time)


def test_the_figures_tell_the_parts_each_rate_divides():
    got = figures([fact(5, callback=True), fact(2, founded=True, fixed=True, on_time=True), fact(1, founded=True),
                   fact(1, founded=False), fact(2)])
    # 核实属实率 2 founded ÷ 3 checked; 整改率 1 fixed ÷ 2 founded; 按期 1 ÷ 2; 回访 1 ÷ 5.
    assert (got["checked"], got["founded"], got["fixed"], got["fixed_on_time"], got["callbacks"]) == (3, 2, 1, 1, 1)
    assert (got["founded_rate"], got["fix_rate"], got["fix_on_time_rate"], got["callback_rate"]) == (
        66.7, 50.0, 50.0, 20.0)


def test_every_rating_counts_in_one_group_and_the_rows_add_up_to_the_period():
    pairs = [("张敏", fact(5)), ("李华", fact(1)), ("张敏", fact(2)), ("李华", fact(4)), ("王芳", fact(5)),
             ("张敏", fact(4))]
    rows = group_figures(pairs)
    assert [name for name, _ in rows] == ["张敏", "李华", "王芳"]  # most ratings first
    assert dict(rows)["张敏"]["good_rate"] == 66.7 and dict(rows)["李华"]["bad"] == 1
    total = figures([f for _, f in pairs])
    for key in ("ratings", "good", "bad"):
        assert sum(r[key] for _, r in rows) == total[key]


def test_an_upheld_appeal_stays_in_its_group_but_is_not_counted():
    rows = dict(group_figures([("3号窗口", fact(1, counted=False)), ("3号窗口", fact(5))]))
    assert rows["3号窗口"]["ratings"] == 1 and rows["3号窗口"]["good_rate"] == 100.0


def test_every_month_of_the_year_is_listed_and_an_empty_one_has_no_rate():
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    rows = by_month([("2026-03", fact(5)), ("2026-03", fact(1)), ("2026-11", fact(4))], months)
    assert [m for m, _ in rows] == months
    got = dict(rows)
    assert got["2026-03"]["good_rate"] == 50.0 and got["2026-11"]["good_rate"] == 100.0
    assert got["2026-01"]["ratings"] == 0 and got["2026-01"]["good_rate"] is None  # told "—", not 0%


def test_the_chart_counts_each_level_five_first_and_leaves_out_upheld_appeals():
    got = level_counts([fact(5), fact(5), fact(3), fact(1), fact(1, counted=False)])
    assert got == [(5, "非常满意", 2), (4, "满意", 0), (3, "基本满意", 1), (2, "不满意", 0), (1, "非常不满意", 1)]


@pytest.mark.parametrize("windows, ordered", [
    (["10", "2", "1"], ["1", "2", "10"]),
    (["综合", "3", "12"], ["3", "12", "综合"]),
])
def test_windows_go_in_their_numbers_order(windows, ordered):
    assert sorted(windows, key=window_order) == ordered


def test_windows_rank_by_rate_then_by_ratings_and_equals_share_a_rank():
    pairs = ([("1", fact(5))] * 4                     # 100.0 %, 4 ratings
             + [("2", fact(5))] * 2                   # 100.0 %, 2 ratings: below window 1 (fewer ratings)
             + [("3", fact(5))] * 3 + [("3", fact(1))]  # 75.0 %, 4
             + [("4", fact(4))] * 3 + [("4", fact(2))]  # 75.0 %, 4: tied with window 3
             + [("5", fact(3))] + [("5", fact(1))] * 3)  # 25.0 %, 4: after the tie, rank 5 (1, 2, 3, 3, 5)
    ranking = rank_windows(pairs)
    assert [(r["window"], r["rank"], r["good_rate"], r["ratings"]) for r in ranking] == [
        ("1", 1, 100.0, 4), ("2", 2, 100.0, 2), ("3", 3, 75.0, 4), ("4", 3, 75.0, 4), ("5", 5, 25.0, 4)]


def test_a_window_with_nothing_counted_is_listed_last_without_a_rank_and_no_window_is_not_ranked():
    pairs = [("9", fact(1, counted=False)), ("", fact(5)), ("2", fact(2))]
    ranking = rank_windows(pairs)
    assert [(r["window"], r["rank"]) for r in ranking] == [("2", 1), ("9", None)]


def test_each_month_has_its_own_ranking():
    rows = [("2026-10", "1", fact(5)), ("2026-10", "2", fact(1)), ("2026-11", "2", fact(5)), ("2026-11", "1", fact(2)),
            ("2026-12", "", fact(5))]
    got = monthly_window_ranking(rows)
    assert [(m, [r["window"] for r in ranking]) for m, ranking in got] == [("2026-10", ["1", "2"]),
                                                                          ("2026-11", ["2", "1"])]


def test_the_screens_satisfaction_counts_basic_satisfaction_and_is_none_without_ratings():
    assert satisfaction([fact(3), fact(5), fact(2), fact(1, counted=False)]) == {"rate": 66.7, "ratings": 3}
    assert satisfaction([]) == {"rate": None, "ratings": 0}
