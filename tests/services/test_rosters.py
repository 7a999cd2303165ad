"""Rosters on a real database: cells with a version check, swaps, leave, publishing log, rotation, swap requests."""

import re
from datetime import date, datetime, time, timedelta

import pytest

from center.domain import AccessDenied
from center.services import hours as hours_service
from center.services.rosters.common import RosterError
from center.services.rosters.duty import ical_feed, ical_token, my_duty
from center.services.rosters.edits import assign, cell_view
from center.services.rosters.grid import CellConflict, cell_etag, changed_cells, week_view
from center.services.rosters.leave import add_leave
from center.services.rosters.publishing import PublishNeedsConfirmation, publish
from center.services.rosters.rotation import fill_week
from center.services.rosters.swaps import decide_swap, request_swap, swap, swap_requests
from center.tables import Assignment, RosterChange, ShiftEligibility, ShiftType, SwapRequest
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, make_center, make_staff

MONDAY = date(2026, 11, 30)


@pytest.fixture
async def team(db):
    center = await make_center()
    manager = await as_user(await make_staff(db, role="manager", center=center, display_name="负责人"))
    workers = [await as_user(await make_staff(db, role="worker", center=center, display_name=f"社工{i}"))
               for i in range(5)]
    shifts = {}
    for name, a, b, kinds, needed in (("午间", "12:00", "14:00", "workday", 1), ("延时", "17:30", "19:30", "workday", 2),
                                      ("值班", "09:00", "17:00", "restday,holiday", 2)):
        shift_id = (await ShiftType.insert(ShiftType(center=center["id"], name=name, start=time.fromisoformat(a),
                                                     end=time.fromisoformat(b), day_kinds=kinds, staff_needed=needed,
                                                     period_kind="duty" if "rest" in kinds else "extended"))
                    .returning(ShiftType.id))[0]["id"]
        await ShiftEligibility.insert(*[ShiftEligibility(shift_type=shift_id, staff=p.id) for p in [manager, *workers]])
        shifts[name] = shift_id
    return {"center": center, "manager": manager, "workers": workers, "shifts": shifts}


async def cell(shift_id, day):
    return [r["staff"] for r in await Assignment.select(Assignment.staff).where(
        (Assignment.shift_type == shift_id) & (Assignment.day == day))]


async def test_rotation_fills_the_week_and_is_idempotent(team):
    added = await fill_week(team["center"]["id"], MONDAY)
    assert added == 5 * (1 + 2) + 2 * 2
    assert await fill_week(team["center"]["id"], MONDAY) == 0
    week = await week_view(team["manager"], team["center"]["id"], MONDAY + timedelta(days=3))
    assert week.monday == MONDAY and week.under_staffed == 0 and week.conflicts == 0
    assert [d["label"] for d in week.days][5:] == ["休", "休"]


async def test_assign_with_a_stale_version_is_a_conflict_and_nothing_is_lost(team):
    lunch, day = team["shifts"]["午间"], MONDAY
    first, second = team["workers"][0], team["workers"][1]
    seen = cell_etag(await cell(lunch, day))  # both managers opened the empty cell
    await assign(team["manager"], team["center"]["id"], lunch, day, first.id, seen)
    with pytest.raises(CellConflict):
        await assign(team["manager"], team["center"]["id"], lunch, day, second.id, seen)
    assert await cell(lunch, day) == [first.id]
    fresh = cell_etag(await cell(lunch, day))
    await assign(team["manager"], team["center"]["id"], lunch, day, second.id, fresh)
    assert sorted(await cell(lunch, day)) == sorted([first.id, second.id])
    view = await cell_view(team["manager"], team["center"]["id"], lunch, day)
    assert view["missing"] == 0 and all(not p["problems"] for p in view["people"])


async def test_assign_refuses_a_day_the_shift_does_not_run_and_strangers(team, db):
    stranger = await make_staff(db, role="worker")
    saturday = MONDAY + timedelta(days=5)
    with pytest.raises(RosterError, match="当天不排班"):
        await assign(team["manager"], team["center"]["id"], team["shifts"]["午间"], saturday,
                     team["workers"][0].id, cell_etag([]))
    with pytest.raises(RosterError, match="本中心"):
        await assign(team["manager"], team["center"]["id"], team["shifts"]["午间"], MONDAY, stranger["id"],
                     cell_etag([]))
    other_manager = await as_user(await make_staff(db, role="manager"))
    with pytest.raises(AccessDenied):
        await week_view(other_manager, team["center"]["id"], MONDAY)


async def test_swap_two_assignments_and_changes_after_publishing_are_logged(team):
    center_id = team["center"]["id"]
    await fill_week(center_id, MONDAY)
    await publish(team["manager"], center_id, MONDAY)
    lunch_mon, lunch_tue = (await cell(team["shifts"]["午间"], MONDAY))[0], (await cell(team["shifts"]["午间"], MONDAY + timedelta(days=1)))[0]
    await swap(team["manager"], center_id, (team["shifts"]["午间"], MONDAY, lunch_mon),
               (team["shifts"]["午间"], MONDAY + timedelta(days=1), lunch_tue))
    assert await cell(team["shifts"]["午间"], MONDAY) == [lunch_tue]
    assert await cell(team["shifts"]["午间"], MONDAY + timedelta(days=1)) == [lunch_mon]
    changes = await RosterChange.select(RosterChange.description).where(RosterChange.week == MONDAY)
    assert len(changes) == 1 and "交换" in changes[0]["description"]
    week = await week_view(team["manager"], center_id, MONDAY)
    assert week.status == "published" and week.changes
    with pytest.raises(Exception, match="append-only"):
        await RosterChange.delete().where(RosterChange.week == MONDAY)


async def test_leave_takes_the_person_off_and_rotation_refills_without_them(team):
    center_id = team["center"]["id"]
    await fill_week(center_id, MONDAY)
    person = (await cell(team["shifts"]["延时"], MONDAY))[0]
    removed = await add_leave(team["manager"], center_id, person, MONDAY, MONDAY + timedelta(days=6), "年休假")
    assert removed >= 1
    week = await week_view(team["manager"], center_id, MONDAY)
    assert week.under_staffed >= 1
    await fill_week(center_id, MONDAY)
    assert not await Assignment.exists().where((Assignment.staff == person) & (Assignment.day >= MONDAY)
                                               & (Assignment.day <= MONDAY + timedelta(days=6)))
    with pytest.raises(RosterError, match="结束日期"):
        await add_leave(team["manager"], center_id, person, MONDAY, MONDAY - timedelta(days=1), "")


async def test_manual_assignment_on_leave_shows_a_conflict(team):
    center_id = team["center"]["id"]
    person = team["workers"][2].id
    await add_leave(team["manager"], center_id, person, MONDAY, MONDAY, "病假")
    await assign(team["manager"], center_id, team["shifts"]["午间"], MONDAY, person, cell_etag([]))
    view = await cell_view(team["manager"], center_id, team["shifts"]["午间"], MONDAY)
    assert view["people"][0]["problems"] == ["当天请假"]


async def test_swap_request_approved_and_refused(team):
    center_id = team["center"]["id"]
    await fill_week(center_id, MONDAY)
    saturday = MONDAY + timedelta(days=5)
    duty = team["shifts"]["值班"]
    on_duty = await cell(duty, saturday)
    requester = next(w for w in [team["manager"], *team["workers"]] if w.id == on_duty[0])
    colleague = next(w for w in team["workers"] if w.id not in on_duty)
    with pytest.raises(RosterError, match="自己的班次"):
        await request_swap(colleague, duty, saturday, requester.id, None, "", MONDAY)
    request_id = await request_swap(requester, duty, saturday, colleague.id, None, "家中有事", MONDAY)
    with pytest.raises(RosterError, match="待审批"):
        await request_swap(requester, duty, saturday, colleague.id, None, "", MONDAY)
    await decide_swap(team["manager"], request_id, approve=True, note="同意")
    assert colleague.id in await cell(duty, saturday) and requester.id not in await cell(duty, saturday)
    seen_by_both = [r["status"] for r in await swap_requests(center_id, staff_id=colleague.id)]
    assert seen_by_both == ["approved"]
    second = await request_swap(colleague, duty, saturday, requester.id, None, "", MONDAY)
    await decide_swap(team["manager"], second, approve=False, note="人手不足")
    assert (await SwapRequest.select(SwapRequest.status).where(SwapRequest.id == second).first())["status"] == "refused"
    with pytest.raises(RosterError, match="已处理"):
        await decide_swap(team["manager"], second, approve=True)


def parse_strictly(body: bytes):
    """The feed read back by two parsers nobody here wrote: `ical` (strict RFC 5545 value types) and vobject's
    validator (required properties and their cardinality), plus RFC 5545 §3.2.19: every TZID is defined."""
    import vobject
    from ical.calendar_stream import IcsCalendarStream

    text = body.decode()
    parsed = IcsCalendarStream.calendar_from_ics(text)
    vobject.readOne(text).validate(raiseException=True)
    defined = {tz.tz_id for tz in parsed.timezones}
    used = set(re.findall(r";TZID=([^:;]+)", text))
    assert used <= defined, f"TZID without a VTIMEZONE: {used - defined}"
    return parsed


async def test_ical_feed_carries_published_weeks_only_in_shanghai_time(team):
    center_id = team["center"]["id"]
    await fill_week(center_id, MONDAY)
    await fill_week(center_id, MONDAY + timedelta(weeks=1))
    saturday = MONDAY + timedelta(days=5)
    person = (await cell(team["shifts"]["值班"], saturday))[0]
    token = await ical_token(person)
    assert token == await ical_token(person) and len(token) >= 32

    draft = parse_strictly(await ical_feed(token, MONDAY))
    assert draft.events == []  # nothing is published yet: a draft may still change

    await publish(team["manager"], center_id, MONDAY)
    body = await ical_feed(token, MONDAY)
    feed = parse_strictly(body)
    assert [tz.tz_id for tz in feed.timezones] == ["Asia/Shanghai"]
    days = {e.dtstart.date() for e in feed.events}
    assert saturday in days and all(MONDAY <= d < MONDAY + timedelta(weeks=1) for d in days)  # not the draft week
    shift = next(e for e in feed.events if e.dtstart.date() == saturday)
    assert (shift.dtstart.hour, shift.dtend.hour, str(shift.dtstart.tzinfo)) == (9, 17, "Asia/Shanghai")
    assert b"DTSTART;TZID=Asia/Shanghai:" in body and b"DTEND;TZID=Asia/Shanghai:" in body

    # On leave that day (a manual assignment kept despite the leave): the shift leaves the feed.
    await add_leave(team["manager"], center_id, person, saturday, saturday, "事假")
    await assign(team["manager"], center_id, team["shifts"]["值班"], saturday, person,
                 cell_etag(await cell(team["shifts"]["值班"], saturday)))
    assert saturday not in {e.dtstart.date() for e in parse_strictly(await ical_feed(token, MONDAY)).events}


async def test_my_duty_marks_draft_weeks_and_leave(team):
    center_id = team["center"]["id"]
    for week in range(2):
        await fill_week(center_id, MONDAY + timedelta(weeks=week))
    await publish(team["manager"], center_id, MONDAY)
    person = (await cell(team["shifts"]["延时"], MONDAY + timedelta(weeks=1)))[0]
    mine = await my_duty(person, MONDAY, days=13)
    assert {d["published"] for d in mine if d["day"] < MONDAY + timedelta(weeks=1)} <= {True}
    assert {d["published"] for d in mine if d["day"] >= MONDAY + timedelta(weeks=1)} == {False}
    assert not any(d["on_leave"] for d in mine)


async def demo_hours(team):
    center_id = team["center"]["id"]
    for season, kind, a, b, pkind in (("", "workday", "08:30", "12:00", "regular"), ("", "workday", "17:30", "19:30", "extended"),
                                      ("", "restday", "09:00", "17:00", "duty"), ("", "holiday", "09:00", "17:00", "duty")):
        await hours_service.add_period(team["manager"], center_id, day_kind=kind, start=a, end=b, kind=pkind, season=season)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


async def test_hours_api_and_screen_model(team):
    center_id = team["center"]["id"]
    await demo_hours(team)
    await fill_week(center_id, MONDAY)
    await publish(team["manager"], center_id, MONDAY)
    slug = team["center"]["slug"]
    saturday = await hours_service.api_hours(slug, MONDAY + timedelta(days=5))
    assert saturday["day_kind"] == "restday" and saturday["periods"] == [{"start": "09:00", "end": "17:00", "kind": "duty"}]
    assert len(saturday["on_duty"]) == 2 and all(p["shift"] == "值班" for p in saturday["on_duty"])
    assert (await hours_service.api_hours(slug, date(2026, 2, 14)))["day_kind"] == "workday"
    spring = await hours_service.api_hours(slug, date(2026, 2, 17))
    assert spring["day_kind"] == "holiday" and spring["holiday_name"] == "春节"
    model = await hours_service.screen_model(slug, at(MONDAY + timedelta(days=5), 10))
    assert model["is_open"] and model["headline"] == "服务中"
    assert {p["name"] for p in model["on_now"]} == {p["name"] for p in saturday["on_duty"]}
    assert "phone" not in str(model["on_now"])
    with pytest.raises(hours_service.HoursError, match="晚于"):
        await hours_service.add_period(team["manager"], center_id, day_kind="workday", start="10:00", end="09:00",
                                       kind="regular")


async def test_residents_see_nobody_of_a_draft_week_then_the_published_roster(team):
    center_id, slug = team["center"]["id"], team["center"]["slug"]
    await demo_hours(team)
    await fill_week(center_id, MONDAY)
    saturday = MONDAY + timedelta(days=5)
    assert len(await cell(team["shifts"]["值班"], saturday)) == 2
    draft = await hours_service.api_hours(slug, saturday)
    assert draft["on_duty"] == []
    screen = await hours_service.screen_model(slug, at(saturday, 10))
    assert screen["on_now"] == [] and screen["on_next"] == []

    await publish(team["manager"], center_id, MONDAY)  # every write drops the minute's cached answers
    published = await hours_service.api_hours(slug, saturday)
    names = {p["name"] for p in published["on_duty"]}
    assert len(names) == 2
    assert {p["name"] for p in (await hours_service.screen_model(slug, at(saturday, 10)))["on_now"]} == names


async def test_a_person_on_leave_is_never_shown_on_duty(team):
    center_id, slug = team["center"]["id"], team["center"]["slug"]
    await demo_hours(team)
    await fill_week(center_id, MONDAY)
    await publish(team["manager"], center_id, MONDAY)
    saturday = MONDAY + timedelta(days=5)
    duty = team["shifts"]["值班"]
    away = (await cell(duty, saturday))[0]
    away_name = next(p.display_name for p in [team["manager"], *team["workers"]] if p.id == away)
    await add_leave(team["manager"], center_id, away, saturday, saturday, "病假")
    # The manager puts them back by hand (the grid marks it 当天请假): residents still do not see them on duty.
    await assign(team["manager"], center_id, duty, saturday, away, cell_etag(await cell(duty, saturday)))
    assert away in await cell(duty, saturday)
    api = await hours_service.api_hours(slug, saturday)
    assert away_name not in {p["name"] for p in api["on_duty"]}
    screen = await hours_service.screen_model(slug, at(saturday, 10))
    assert away_name not in {p["name"] for p in screen["on_now"]}
    friday = await hours_service.screen_model(slug, at(saturday - timedelta(days=1), 20))
    assert away_name not in {p["name"] for p in friday["on_next"]}


async def test_publishing_a_week_with_problems_needs_the_confirmation_of_that_list(team):
    center_id = team["center"]["id"]
    await fill_week(center_id, MONDAY)
    lunch = team["shifts"]["午间"]
    held = await cell(lunch, MONDAY)
    extra = next(w.id for w in team["workers"] if w.id not in held)
    await add_leave(team["manager"], center_id, extra, MONDAY, MONDAY, "事假")
    await assign(team["manager"], center_id, lunch, MONDAY, extra, cell_etag(await cell(lunch, MONDAY)))
    with pytest.raises(PublishNeedsConfirmation) as asked:
        await publish(team["manager"], center_id, MONDAY)
    # Back on the lunch shift by hand they are a conflict and 超员; the leave may also have left a slot 缺人.
    kinds = {(w.day, w.shift, w.kind) for w in asked.value.warnings}
    assert {(MONDAY, "午间", "conflict"), (MONDAY, "午间", "over")} <= kinds
    assert {k for _, _, k in kinds} <= {"conflict", "over", "short"}
    assert any("当天请假" in w.text for w in asked.value.warnings if w.kind == "conflict")
    assert (await week_view(team["manager"], center_id, MONDAY)).status == "draft"
    with pytest.raises(PublishNeedsConfirmation):
        await publish(team["manager"], center_id, MONDAY, confirmed="an-older-list")
    await publish(team["manager"], center_id, MONDAY, confirmed=asked.value.fingerprint)
    assert (await week_view(team["manager"], center_id, MONDAY)).status == "published"


async def test_a_second_person_on_a_one_person_shift_is_over_staffed(team):
    center_id = team["center"]["id"]
    lunch = team["shifts"]["午间"]
    first, second = team["workers"][0].id, team["workers"][1].id
    await assign(team["manager"], center_id, lunch, MONDAY, first, cell_etag([]))
    await assign(team["manager"], center_id, lunch, MONDAY, second, cell_etag([first]))
    week = await week_view(team["manager"], center_id, MONDAY)
    monday_lunch = next(c for c in week.cells if c["shift_id"] == lunch and c["day"] == MONDAY)
    assert (monday_lunch["needed"], monday_lunch["over"], monday_lunch["missing"]) == (1, 1, 0)
    assert week.over_staffed == 1


async def test_a_swap_changes_both_cells_and_nothing_else(team):
    center_id = team["center"]["id"]
    await fill_week(center_id, MONDAY)
    lunch, tuesday = team["shifts"]["午间"], MONDAY + timedelta(days=1)
    a, b = (await cell(lunch, MONDAY))[0], (await cell(lunch, tuesday))[0]
    before = await week_view(team["manager"], center_id, MONDAY)
    await swap(team["manager"], center_id, (lunch, MONDAY, a), (lunch, tuesday, b))
    after = await week_view(team["manager"], center_id, MONDAY)
    changed = changed_cells(before, after, (lunch, MONDAY))
    assert [(c["shift_id"], c["day"]) for c in changed] == [(lunch, tuesday)]
    assert [p["staff_id"] for p in changed[0]["people"]] == [a]


async def test_the_screen_pages_through_at_most_a_few_announcements_a_day(team):
    center_id = team["center"]["id"]
    for i in range(hours_service.MAX_ANNOUNCEMENTS):
        await hours_service.add_announcement(team["manager"], center_id, f"公告{i}", MONDAY, MONDAY + timedelta(days=3))
    with pytest.raises(hours_service.HoursError, match="最多轮播"):
        await hours_service.add_announcement(team["manager"], center_id, "再一条", MONDAY + timedelta(days=3),
                                             MONDAY + timedelta(days=9))
    await hours_service.add_announcement(team["manager"], center_id, "下周的", MONDAY + timedelta(days=4),
                                         MONDAY + timedelta(days=9))
    with pytest.raises(hours_service.HoursError, match="200"):
        await hours_service.add_announcement(team["manager"], center_id, "长" * 201, MONDAY, MONDAY)


async def test_the_weekly_job_fills_each_center_week_once(team):
    from center.services.rosters.rotation import rotate_horizon
    from center.tables import JobRun

    await rotate_horizon(MONDAY)
    count = await Assignment.count().where(Assignment.center == team["center"]["id"])
    assert count == 4 * (5 * 3 + 2 * 2)  # four weeks ahead: 30 Nov – 27 Dec 2026, no holidays in them
    assert "0 center-weeks" in await rotate_horizon(MONDAY)
    assert await Assignment.count().where(Assignment.center == team["center"]["id"]) == count
    keys = {r["period"] for r in await JobRun.select(JobRun.period).where(JobRun.job == "roster_rotation_week")}
    assert f"{team['center']['id']}:{MONDAY.isoformat()}" in keys
