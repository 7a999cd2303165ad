"""好差评 on a real database: a finished service rated once from any channel, nothing recorded on a refusal, a 差评
followed up step by step to 已反馈 with its deadlines across the National Day 调休, appeals, reminders, figures."""

from datetime import date, datetime, time, timedelta

import pytest

from center.config import Settings
from center.domain import AccessDenied, NotFound
from center.domain.ratings import AlreadyRated, RatingError, TooManyRatings, figures
from center.services import cases, ratings
from center.services.cases import ReceiveForm
from center.tables import AuditLog, Case, Staff, Rating, RatingAttempt, RatingEvent, RatingFollowup
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, item_id, load_demo_catalog, make_center, make_staff


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


@pytest.fixture
async def desk(db):
    await load_demo_catalog()
    center = await make_center()
    worker = await make_staff(db, role="worker", center=center, display_name="首问社工")
    await Staff.update({Staff.window: "3"}).where(Staff.id == worker["id"])
    manager = await make_staff(db, role="manager", center=center, display_name="负责人")
    other_center = await make_center()
    stranger = await make_staff(db, role="manager", center=other_center, display_name="别的中心")
    admin = await make_staff(db, role="admin", center=None, display_name="区管理员")
    return {"center": center, "worker": await as_user(worker), "manager": await as_user(manager),
            "stranger": await as_user(stranger), "admin": await as_user(admin)}


async def finished_case(desk, day=date(2026, 10, 9), *, finish=True) -> dict:
    form = ReceiveForm(item_id=await item_id("MZ01"), action="accept", resident_name="张桂英",
                       id_number="11010519491231002X", phone="13812345678", brought=(0, 1, 2))
    case_id = (await cases.receive(desk["worker"], form, now=at(day, 9)))["case_id"]
    if finish:
        await cases.act(desk["worker"], case_id, "complete", now=at(day, 11))
    return await Case.select(Case.id, Case.public_token).where(Case.id == case_id).first()


async def counts():
    return (await Rating.count(), await RatingFollowup.count(), await RatingEvent.count())


async def test_a_finished_case_is_rated_once_and_a_good_rating_opens_nothing(desk):
    case = await finished_case(desk)
    rated = await ratings.rate_by_token(case["public_token"], 5, ["efficiency"], "很快", client="10.0.0.1",
                                        now=at(date(2026, 10, 9), 12))
    assert not rated.bad and rated.followup_id is None
    row = await Rating.select().where(Rating.id == rated.rating_id).first()
    assert row["channel"] == "phone" and row["worker"] == desk["worker"].id and row["window"] == "3"
    assert row["subject"] == f"case:{case['id']}"
    assert await RatingFollowup.count() == 0
    with pytest.raises(AlreadyRated, match="已经评价过"):
        await ratings.rate_by_token(case["public_token"], 1, [], "", client="10.0.0.1", now=at(date(2026, 10, 9), 13))
    assert await Rating.count() == 1
    view = await ratings.status_view(case["public_token"])
    assert view["rating"]["rated"] and view["rating"]["score_label"] == "非常满意"
    assert "case_id" not in view  # the status page carries no internal ids


async def test_refusals_record_nothing(desk):
    open_case = await finished_case(desk, finish=False)
    before = await counts()
    with pytest.raises(NotFound, match="没有找到该办件"):
        await ratings.rate_by_token("no-such-token", 5, [], "", client="10.0.0.2")
    with pytest.raises(RatingError, match="尚未办结"):
        await ratings.rate_by_token(open_case["public_token"], 5, [], "", client="10.0.0.2")
    done = await finished_case(desk)
    with pytest.raises(RatingError, match="请选择满意程度"):
        await ratings.rate_by_token(done["public_token"], 9, [], "", client="10.0.0.2")
    with pytest.raises(RatingError, match="不能超过 300 个字"):
        await ratings.rate_by_token(done["public_token"], 2, [], "字" * 301, client="10.0.0.2")
    with pytest.raises(RatingError, match="不在可选范围"):
        await ratings.rate_by_token(done["public_token"], 2, ["nonsense"], "", client="10.0.0.2")
    assert await counts() == before
    # The form of the status page is shown for the finished case, not for the open one.
    assert (await ratings.status_view(done["public_token"]))["rating"]["ratable"]
    assert not (await ratings.status_view(open_case["public_token"]))["rating"]["ratable"]


async def test_the_rate_limit_per_token_and_per_address(desk):
    now = at(date(2026, 10, 9), 14)
    for _ in range(ratings.MAX_PER_TOKEN):
        with pytest.raises(NotFound):
            await ratings.rate_by_token("guessed-token", 5, [], "", client="10.9.9.9", now=now)
    with pytest.raises(TooManyRatings, match="过于频繁"):
        await ratings.rate_by_token("guessed-token", 5, [], "", client="10.9.9.8", now=now)
    # Another token from a fresh address is not held back, and after the window the first is free again.
    with pytest.raises(NotFound):
        await ratings.rate_by_token("another-token", 5, [], "", client="10.9.9.7", now=now)
    with pytest.raises(NotFound):
        await ratings.rate_by_token("guessed-token", 5, [], "", client="10.9.9.8",
                                    now=now + ratings.ATTEMPT_WINDOW + timedelta(seconds=1))
    for n in range(ratings.MAX_PER_ADDRESS):
        with pytest.raises(NotFound):
            await ratings.rate_by_token(f"t{n}", 5, [], "", client="10.1.1.1", now=now)
    with pytest.raises(TooManyRatings, match="本网络"):
        await ratings.rate_by_token("t-last", 5, [], "", client="10.1.1.1", now=now)
    # Housekeeping drops attempts older than a day.
    later = now + timedelta(days=2)
    old = await RatingAttempt.count().where(RatingAttempt.at < later - ratings.ATTEMPTS_KEPT)
    assert old >= 2 * ratings.MAX_PER_ADDRESS and await ratings.purge_attempts(later) == old
    assert await RatingAttempt.count().where(RatingAttempt.at < later - ratings.ATTEMPTS_KEPT) == 0


async def test_a_bad_rating_is_followed_up_to_feedback_across_the_makeup_saturday(desk):
    settings = Settings()  # the defaults: callback 1, fix 5 working days
    case = await finished_case(desk, day=date(2026, 10, 9))  # Friday before the make-up Saturday
    rated = await ratings.rate_by_token(case["public_token"], 1, ["attitude", "trips"], "跑了两趟",
                                        client="10.0.0.3", settings=settings, now=at(date(2026, 10, 9), 15))
    assert rated.bad
    followup = await RatingFollowup.select().where(RatingFollowup.id == rated.followup_id).first()
    assert followup["state"] == "pending" and followup["center"] == desk["center"]["id"]
    assert followup["verify_due"] == followup["due_on"] == date(2026, 10, 10)  # 调休 Saturday is a working day
    view = await ratings.status_view(case["public_token"])
    assert view["rating"]["in_progress"] and not view["rating"]["feedback"]

    # Only the center's manager (or the admin) follows up; the worker and another center's manager may not.
    with pytest.raises(RatingError, match="本中心负责人"):
        await ratings.act(desk["worker"], rated.followup_id, "verify", note="x", founded=True)
    with pytest.raises(AccessDenied):
        await ratings.act(desk["stranger"], rated.followup_id, "verify", note="x", founded=True)

    manager = desk["manager"]
    moved = await ratings.act(manager, rated.followup_id, "verify", note="电话联系群众，情况属实", founded=True,
                              settings=settings, now=at(date(2026, 10, 10), 10))
    # Verified on the make-up Saturday: fix by Mon 12, 13, 14, 15, Fri 16.
    assert moved["state"] == "fixing" and moved["due"] == date(2026, 10, 16) and moved["on_time"]
    fixed = await ratings.act(manager, rated.followup_id, "fix", note="对首问人员开展一次性告知培训",
                              settings=settings, now=at(date(2026, 10, 19), 10))
    assert fixed["state"] == "fixed" and not fixed["on_time"]  # Monday 19th: late
    assert fixed["due"] == date(2026, 10, 20)
    told = await ratings.act(manager, rated.followup_id, "feedback", note="已整改：工作人员已培训，欢迎继续监督",
                             settings=settings, now=at(date(2026, 10, 20), 10))
    assert told["state"] == "closed" and told["due"] is None

    row = await RatingFollowup.select().where(RatingFollowup.id == rated.followup_id).first()
    assert row["founded"] is True and row["fixed_on"] == date(2026, 10, 19) and row["fixed_on_time"] is False
    assert row["closed_on"] == date(2026, 10, 20) and row["version"] == 4
    events = await RatingEvent.select(RatingEvent.action, RatingEvent.to_state, RatingEvent.actor).where(
        RatingEvent.followup == rated.followup_id).order_by(RatingEvent.id)
    assert [(e["action"], e["to_state"]) for e in events] == [
        ("open", "pending"), ("verify", "fixing"), ("fix", "fixed"), ("feedback", "closed")]
    assert [e["actor"] for e in events] == [None, manager.id, manager.id, manager.id]
    audited = await AuditLog.select(AuditLog.action).where(AuditLog.object_type == "rating_followup")
    assert [a["action"] for a in audited] == ["rating.verify", "rating.fix", "rating.feedback"]

    view = await ratings.status_view(case["public_token"])
    assert view["rating"]["feedback"] == "已整改：工作人员已培训，欢迎继续监督"
    assert "首问社工" not in str(view) and "负责人" not in str(view)  # nothing about who served or followed up
    with pytest.raises(RatingError, match="状态下不能"):
        await ratings.act(manager, rated.followup_id, "fix", note="再整改")


async def test_a_stale_page_is_refused(desk):
    case = await finished_case(desk)
    rated = await ratings.rate_by_token(case["public_token"], 2, [], "", client="10.0.0.4")
    await ratings.act(desk["manager"], rated.followup_id, "verify", note="不属实", founded=False, expected_version=1)
    with pytest.raises(RatingError, match="刚被他人更新"):
        await ratings.act(desk["manager"], rated.followup_id, "feedback", note="说明", expected_version=1)


async def test_reminders_show_due_soon_and_overdue_followups(desk):
    case = await finished_case(desk, day=date(2026, 10, 9))
    rated = await ratings.rate_by_token(case["public_token"], 2, [], "", client="10.0.0.5",
                                        now=at(date(2026, 10, 9), 15))
    due_soon = await ratings.reminders_today(desk["manager"], today=date(2026, 10, 9))
    assert [(r["id"], r["mark"]) for r in due_soon] == [(rated.followup_id, "due_soon")]
    overdue = await ratings.reminders_today(desk["manager"], today=date(2026, 10, 12))
    assert [(r["id"], r["mark"], r["mark_label"]) for r in overdue] == [(rated.followup_id, "overdue", "已超期")]
    assert await ratings.reminders_today(desk["worker"], today=date(2026, 10, 12)) == []
    assert await ratings.reminders_today(desk["stranger"], today=date(2026, 10, 12)) == []


async def test_the_worker_appeals_and_the_admin_decides(desk):
    case = await finished_case(desk)
    rated = await ratings.rate_by_token(case["public_token"], 1, [], "", client="10.0.0.6")
    with pytest.raises(RatingError, match="本人"):
        await ratings.appeal(desk["manager"], rated.followup_id, "理由")
    await ratings.appeal(desk["worker"], rated.followup_id, "群众要求代为办理其他事项，按规定不能办理")
    with pytest.raises(RatingError, match="重复申诉"):
        await ratings.appeal(desk["worker"], rated.followup_id, "再申诉")
    with pytest.raises(RatingError, match="管理员裁定"):
        await ratings.decide(desk["manager"], rated.followup_id, True, "理由")
    assert await ratings.decide(desk["admin"], rated.followup_id, True, "录像显示已一次性告知") == "upheld"
    start, end = at(date(2026, 1, 1)), at(date(2027, 1, 1))
    rows = await ratings.facts(desk["center"]["id"], start, end)
    assert figures([r["fact"] for r in rows])["ratings"] == 0  # the upheld rating leaves the figures
    events = await RatingEvent.select(RatingEvent.action).where(RatingEvent.followup == rated.followup_id)
    assert [e["action"] for e in events] == ["open", "appeal", "decide"]


async def test_a_callback_is_entered_by_staff_with_its_method(desk):
    case = await finished_case(desk)
    with pytest.raises(RatingError, match="回访方式"):
        await ratings.rate_by_callback(desk["manager"], case["id"], 4, [], "", "fax")
    with pytest.raises(AccessDenied):
        await ratings.rate_by_callback(desk["stranger"], case["id"], 4, [], "", "phone")
    rated = await ratings.rate_by_callback(desk["manager"], case["id"], 4, [], "满意", "phone")
    row = await Rating.select(Rating.channel, Rating.method, Rating.entered_by).where(
        Rating.id == rated.rating_id).first()
    assert row == {"channel": "callback", "method": "phone", "entered_by": desk["manager"].id}
    with pytest.raises(AlreadyRated):
        await ratings.rate_by_token(case["public_token"], 1, [], "", client="10.0.0.7")


async def test_ratings_and_their_events_are_append_only(desk):
    case = await finished_case(desk)
    rated = await ratings.rate_by_token(case["public_token"], 1, [], "", client="10.0.0.8")
    with pytest.raises(Exception, match="append-only"):
        await Rating.update({Rating.score: 5}).where(Rating.id == rated.rating_id)
    with pytest.raises(Exception, match="append-only"):
        await RatingEvent.delete().where(RatingEvent.followup == rated.followup_id)
    assert (await Rating.select(Rating.score).where(Rating.id == rated.rating_id).first())["score"] == 1


def test_the_district_sets_its_follow_up_days_in_the_environment(monkeypatch, tmp_path):
    from center.config import ConfigError, load_settings

    monkeypatch.setenv("CENTER_DEMO", "1")
    monkeypatch.setenv("CENTER_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("CENTER_CLOCK", raising=False)
    assert ratings.deadlines_of(load_settings()) == ratings.Deadlines(callback_days=1, fix_days=5)
    monkeypatch.setenv("CENTER_RATING_CALLBACK_DAYS", "3")
    monkeypatch.setenv("CENTER_RATING_FIX_DAYS", "15")  # Sichuan's rule
    assert ratings.deadlines_of(load_settings()) == ratings.Deadlines(callback_days=3, fix_days=15)
    for bad in ("0", "61", "five", "-1"):
        monkeypatch.setenv("CENTER_RATING_FIX_DAYS", bad)
        with pytest.raises(ConfigError, match="CENTER_RATING_FIX_DAYS"):
            load_settings()


async def test_a_district_with_fifteen_fix_days_counts_them_on_the_calendar(desk):
    sichuan = Settings(rating_callback_days=3, rating_fix_days=15)
    case = await finished_case(desk, day=date(2026, 9, 30))  # the day before the National Day week
    rated = await ratings.rate_by_token(case["public_token"], 2, [], "", client="10.0.0.9", settings=sichuan,
                                        now=at(date(2026, 9, 30), 16))
    followup = await RatingFollowup.select(RatingFollowup.due_on).where(RatingFollowup.id == rated.followup_id).first()
    assert followup["due_on"] == date(2026, 10, 10)  # Thu 8, Fri 9, and the make-up Saturday
    moved = await ratings.act(desk["manager"], rated.followup_id, "verify", note="属实", founded=True,
                              settings=sichuan, now=at(date(2026, 10, 10), 9))
    assert moved["due"] == date(2026, 10, 30)  # 15 working days from Sat 10 October: Mon 12 … Fri 30


async def test_appeals_wait_in_the_admins_reminders_and_in_the_open_list(desk):
    case = await finished_case(desk)
    rated = await ratings.rate_by_token(case["public_token"], 1, [], "", client="10.0.0.10")
    await ratings.act(desk["manager"], rated.followup_id, "verify", note="不属实", founded=False)
    await ratings.act(desk["manager"], rated.followup_id, "feedback", note="已向群众说明")
    assert rated.followup_id not in [f["id"] for f in (await ratings.list_ratings(desk["admin"], open_only=True))[
        "followups"]]
    await ratings.appeal(desk["worker"], rated.followup_id, "群众所述与事实不符")
    reminders = await ratings.reminders_today(desk["admin"])
    assert [(r["id"], r["waiting_label"]) for r in reminders if r["mark"] == "appeal"] == [
        (rated.followup_id, "申诉待裁定")]
    assert rated.followup_id in [f["id"] for f in (await ratings.list_ratings(desk["admin"], open_only=True))[
        "followups"]]


async def test_what_is_no_token_of_ours_is_404_and_counted_by_the_address_only(desk):
    for junk in ("\udc00abc", "a b", "x" * 41, "тoken", ""):
        with pytest.raises(NotFound):
            await ratings.rate_by_token(junk, 5, [], "", client="10.3.3.3")
    assert await RatingAttempt.count().where(RatingAttempt.key.like("token:%") & (RatingAttempt.key != "token:")
                                             & RatingAttempt.key.like("%abc%")) == 0
    assert await RatingAttempt.count().where(RatingAttempt.key == "ip:10.3.3.3") == 5
    case = await finished_case(desk)
    rated = await ratings.rate_by_token(case["public_token"], 4, [], "好\udc00评", client="10.3.3.3")
    assert (await Rating.select(Rating.comment).where(Rating.id == rated.rating_id).first())["comment"] == "好评"
