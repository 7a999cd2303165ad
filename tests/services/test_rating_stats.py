"""好差评 figures on a real database: the worked month of tests/support/rating_month.py, a recount from the tables,
the scope of who sees which center, a 差评 followed up through the real steps, and the hall screen's 满意率."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from center.domain import AccessDenied
from center.services import cases, rating_stats, ratings
from center.services.cases import ReceiveForm
from center.tables import Center, Rating, RatingFollowup
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, item_id, make_center, make_staff
from tests.support.rating_month import known_rating_month


@pytest.fixture
async def month(db):
    known = await known_rating_month(db)
    known["manager_user"] = await as_user(known["manager"])
    return known


async def test_the_worked_month_of_ratings(month):
    got = await rating_stats.rating_stats(month["manager_user"], date(2026, 10, 1))
    t = got["totals"]
    assert (t["ratings"], t["good"], t["bad"]) == (8, 4, 4)
    assert (t["good_rate"], t["founded_rate"], t["fix_rate"], t["fix_on_time_rate"], t["callback_rate"]) == (
        50.0, 66.7, 100.0, 50.0, 25.0)
    assert [(name, f["ratings"], f["good_rate"], f["bad"]) for name, f in got["by_worker"]] == [
        ("张敏", 4, 100.0, 0), ("李华", 4, 0.0, 4)]
    assert [(name, f["ratings"], f["good_rate"]) for name, f in got["by_window"]] == [
        ("2号窗口", 4, 0.0), ("1号窗口", 3, 100.0), ("（未记录窗口）", 1, 100.0)]
    assert {name: f["good_rate"] for name, f in got["by_category"]} == {"民政与养老": 50.0, "住房与公积金": 50.0}
    assert [n for _, _, n in got["levels"]] == [2, 1, 1, 2, 2]
    assert [(m, [(r["rank"], r["window"]) for r in ranking]) for m, ranking in got["ranking"]] == [
        ("2026-10", [(1, "1号窗口"), (2, "2号窗口")])]


async def test_the_year_is_told_by_month_and_ranked_each_month(month):
    got = await rating_stats.rating_stats(month["manager_user"], date(2026, 10, 1), whole_year=True)
    assert got["totals"]["ratings"] == 9 and got["totals"]["good_rate"] == 55.6
    months = dict(got["by_month"])
    assert len(months) == 12 and months["2026-01"]["good_rate"] is None and months["2026-11"]["good_rate"] == 100.0
    assert [m for m, _ in got["ranking"]] == ["2026-10", "2026-11"]
    assert [r["window"] for r in dict(got["ranking"])["2026-11"]] == ["2号窗口"]


async def test_the_figures_match_a_recount_from_the_tables(month):
    got = (await rating_stats.rating_stats(month["manager_user"], date(2026, 10, 1)))["totals"]
    start = datetime(2026, 10, 1, tzinfo=LOCAL_TZ)
    end = datetime(2026, 11, 1, tzinfo=LOCAL_TZ)
    rows = await Rating.select(Rating.id, Rating.score, Rating.channel).where(
        (Rating.center == month["center"]["id"]) & (Rating.at >= start) & (Rating.at < end))
    follow = {f["rating"]: f for f in await RatingFollowup.select()}
    counted = [r for r in rows if follow.get(r["id"], {}).get("appeal") != "upheld"]
    bad = [r for r in counted if r["score"] <= 2]
    checked = [r for r in bad if follow[r["id"]]["founded"] is not None]
    founded = [r for r in checked if follow[r["id"]]["founded"]]
    fixed = [r for r in founded if follow[r["id"]]["fixed_on"]]
    assert got["ratings"] == len(counted) and got["bad"] == len(bad)
    assert got["good_rate"] == round(100 * (len(counted) - len(bad)) / len(counted), 1)
    assert got["founded_rate"] == round(100 * len(founded) / len(checked), 1)
    assert got["fix_rate"] == round(100 * len(fixed) / len(founded), 1)
    assert got["fix_on_time_rate"] == round(100 * sum(follow[r["id"]]["fixed_on_time"] for r in fixed) / len(founded), 1)
    assert got["callback_rate"] == round(100 * sum(r["channel"] == "callback" for r in counted) / len(counted), 1)


async def test_a_manager_sees_their_center_and_the_admin_the_district_with_the_center_named(month, db):
    other = await make_center()
    with pytest.raises(AccessDenied):
        await rating_stats.rating_stats(month["manager_user"], date(2026, 10, 1), other["id"])
    admin = await as_user(await make_staff(db, role="admin", center=None, display_name="区管理员"))
    district = await rating_stats.rating_stats(admin, date(2026, 10, 1))
    name = month["center"]["name"]
    assert f"{name} 1号窗口" in dict(district["by_window"])
    chosen = await rating_stats.rating_stats(admin, date(2026, 10, 1), month["center"]["id"])
    assert chosen["totals"] == (await rating_stats.rating_stats(month["manager_user"], date(2026, 10, 1)))["totals"]


async def test_an_empty_month_has_no_rates(month):
    got = await rating_stats.rating_stats(month["manager_user"], date(2026, 9, 1))
    assert got["totals"]["ratings"] == 0 and got["totals"]["good_rate"] is None and got["ranking"] == []
    assert got["by_worker"] == [] and got["max_level"] == 0


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


async def test_a_bad_rating_followed_up_through_the_real_steps_counts_as_fixed_on_time(db):
    """Rated 不满意 on Mon 12 Oct 2026, verified 属实 the next day, fixed within the five working days."""
    from tests.factories import load_demo_catalog

    await load_demo_catalog()
    center = await make_center()
    worker = await as_user(await make_staff(db, role="worker", center=center, display_name="首问社工"))
    manager = await as_user(await make_staff(db, role="manager", center=center, display_name="负责人"))
    form = ReceiveForm(item_id=await item_id("MZ01"), action="accept", resident_name="张桂英", brought=(0, 1, 2))
    case_id = (await cases.receive(worker, form, now=at(date(2026, 10, 12), 9)))["case_id"]
    await cases.act(worker, case_id, "complete", now=at(date(2026, 10, 12), 11))
    token = await cases_token(case_id)
    rated = await ratings.rate_by_token(token, 2, ["attitude"], "", client="10.0.0.9", now=at(date(2026, 10, 12), 12))
    await ratings.act(manager, rated.followup_id, "verify", note="电话核实，属实", founded=True,
                      now=at(date(2026, 10, 13)))
    await ratings.act(manager, rated.followup_id, "fix", note="已约谈并培训", now=at(date(2026, 10, 15)))
    t = (await rating_stats.rating_stats(manager, date(2026, 10, 1)))["totals"]
    assert (t["ratings"], t["bad"], t["founded_rate"], t["fix_rate"], t["fix_on_time_rate"]) == (1, 1, 100.0, 100.0,
                                                                                               100.0)
    assert t["good_rate"] == 0.0  # one rating and it was bad: 0 %, told as such (not "—": there was a rating)


async def cases_token(case_id: int) -> str:
    from center.tables import Case

    return (await Case.select(Case.public_token).where(Case.id == case_id).first())["public_token"]


async def test_the_screens_satisfaction_is_off_by_default_and_counts_this_local_month(month):
    slug = month["center"]["slug"]
    oct_31_late = datetime(2026, 10, 31, 23, 30, tzinfo=LOCAL_TZ)  # 15:30 UTC: still October here
    assert await rating_stats.screen_satisfaction(slug, oct_31_late) is None
    await Center.update({Center.screen_rating: True}).where(Center.id == month["center"]["id"])
    assert await rating_stats.screen_satisfaction(slug, oct_31_late) == {"rate": 50.0, "ratings": 8}
    assert await rating_stats.screen_satisfaction(slug, datetime(2026, 11, 5, 9, tzinfo=LOCAL_TZ)) == {
        "rate": 100.0, "ratings": 1}
    assert await rating_stats.screen_satisfaction(slug, datetime(2026, 12, 1, 0, 10, tzinfo=LOCAL_TZ)) == {
        "rate": None, "ratings": 0}


@pytest.mark.parametrize("kept, label", [("3", "3号窗口"), ("3号窗口", "3号窗口"), ("", "（未记录窗口）")])
def test_a_window_is_labelled_once_whether_kept_as_a_number_or_as_the_counter_writes_it(kept, label):
    assert rating_stats.window_label(kept) == label
