"""Rosters on a real database: cells with a version check, swaps, leave, publishing log, rotation, swap requests."""

from datetime import date, time, timedelta

import pytest

from center.domain import AccessDenied
from center.services import hours as hours_service
from center.services import rosters
from center.services.rosters import CellConflict, RosterError, cell_etag
from center.tables import Assignment, RosterChange, ShiftEligibility, ShiftType, SwapRequest
from tests.support.factories import as_user, make_center, make_staff

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
    added = await rosters.fill_week(team["center"]["id"], MONDAY)
    assert added == 5 * (1 + 2) + 2 * 2
    assert await rosters.fill_week(team["center"]["id"], MONDAY) == 0
    week = await rosters.week_view(team["manager"], team["center"]["id"], MONDAY + timedelta(days=3))
    assert week.monday == MONDAY and week.under_staffed == 0 and week.conflicts == 0
    assert [d["label"] for d in week.days][5:] == ["休", "休"]


async def test_assign_with_a_stale_version_is_a_conflict_and_nothing_is_lost(team):
    lunch, day = team["shifts"]["午间"], MONDAY
    first, second = team["workers"][0], team["workers"][1]
    seen = cell_etag(await cell(lunch, day))  # both managers opened the empty cell
    await rosters.assign(team["manager"], team["center"]["id"], lunch, day, first.id, seen)
    with pytest.raises(CellConflict):
        await rosters.assign(team["manager"], team["center"]["id"], lunch, day, second.id, seen)
    assert await cell(lunch, day) == [first.id]
    fresh = cell_etag(await cell(lunch, day))
    await rosters.assign(team["manager"], team["center"]["id"], lunch, day, second.id, fresh)
    assert sorted(await cell(lunch, day)) == sorted([first.id, second.id])
    view = await rosters.cell_view(team["manager"], team["center"]["id"], lunch, day)
    assert view["missing"] == 0 and all(not p["problems"] for p in view["people"])


async def test_assign_refuses_a_day_the_shift_does_not_run_and_strangers(team, db):
    stranger = await make_staff(db, role="worker")
    saturday = MONDAY + timedelta(days=5)
    with pytest.raises(RosterError, match="当天不排班"):
        await rosters.assign(team["manager"], team["center"]["id"], team["shifts"]["午间"], saturday,
                             team["workers"][0].id, cell_etag([]))
    with pytest.raises(RosterError, match="本中心"):
        await rosters.assign(team["manager"], team["center"]["id"], team["shifts"]["午间"], MONDAY, stranger["id"],
                             cell_etag([]))
    other_manager = await as_user(await make_staff(db, role="manager"))
    with pytest.raises(AccessDenied):
        await rosters.week_view(other_manager, team["center"]["id"], MONDAY)


async def test_swap_two_assignments_and_changes_after_publishing_are_logged(team):
    center_id = team["center"]["id"]
    await rosters.fill_week(center_id, MONDAY)
    await rosters.publish(team["manager"], center_id, MONDAY)
    lunch_mon, lunch_tue = (await cell(team["shifts"]["午间"], MONDAY))[0], (await cell(team["shifts"]["午间"], MONDAY + timedelta(days=1)))[0]
    await rosters.swap(team["manager"], center_id, (team["shifts"]["午间"], MONDAY, lunch_mon),
                       (team["shifts"]["午间"], MONDAY + timedelta(days=1), lunch_tue))
    assert await cell(team["shifts"]["午间"], MONDAY) == [lunch_tue]
    assert await cell(team["shifts"]["午间"], MONDAY + timedelta(days=1)) == [lunch_mon]
    changes = await RosterChange.select(RosterChange.description).where(RosterChange.week == MONDAY)
    assert len(changes) == 1 and "交换" in changes[0]["description"]
    week = await rosters.week_view(team["manager"], center_id, MONDAY)
    assert week.status == "published" and week.changes
    with pytest.raises(Exception, match="append-only"):
        await RosterChange.delete().where(RosterChange.week == MONDAY)


async def test_leave_takes_the_person_off_and_rotation_refills_without_them(team):
    center_id = team["center"]["id"]
    await rosters.fill_week(center_id, MONDAY)
    person = (await cell(team["shifts"]["延时"], MONDAY))[0]
    removed = await rosters.add_leave(team["manager"], center_id, person, MONDAY, MONDAY + timedelta(days=6), "年休假")
    assert removed >= 1
    week = await rosters.week_view(team["manager"], center_id, MONDAY)
    assert week.under_staffed >= 1
    await rosters.fill_week(center_id, MONDAY)
    assert not await Assignment.exists().where((Assignment.staff == person) & (Assignment.day >= MONDAY)
                                               & (Assignment.day <= MONDAY + timedelta(days=6)))
    with pytest.raises(RosterError, match="结束日期"):
        await rosters.add_leave(team["manager"], center_id, person, MONDAY, MONDAY - timedelta(days=1), "")


async def test_manual_assignment_on_leave_shows_a_conflict(team):
    center_id = team["center"]["id"]
    person = team["workers"][2].id
    await rosters.add_leave(team["manager"], center_id, person, MONDAY, MONDAY, "病假")
    await rosters.assign(team["manager"], center_id, team["shifts"]["午间"], MONDAY, person, cell_etag([]))
    view = await rosters.cell_view(team["manager"], center_id, team["shifts"]["午间"], MONDAY)
    assert view["people"][0]["problems"] == ["当天请假"]


async def test_swap_request_approved_and_refused(team):
    center_id = team["center"]["id"]
    await rosters.fill_week(center_id, MONDAY)
    saturday = MONDAY + timedelta(days=5)
    duty = team["shifts"]["值班"]
    on_duty = await cell(duty, saturday)
    requester = next(w for w in [team["manager"], *team["workers"]] if w.id == on_duty[0])
    colleague = next(w for w in team["workers"] if w.id not in on_duty)
    with pytest.raises(RosterError, match="自己的班次"):
        await rosters.request_swap(colleague, duty, saturday, requester.id, None, "", MONDAY)
    request_id = await rosters.request_swap(requester, duty, saturday, colleague.id, None, "家中有事", MONDAY)
    with pytest.raises(RosterError, match="待审批"):
        await rosters.request_swap(requester, duty, saturday, colleague.id, None, "", MONDAY)
    await rosters.decide_swap(team["manager"], request_id, approve=True, note="同意")
    assert colleague.id in await cell(duty, saturday) and requester.id not in await cell(duty, saturday)
    seen_by_both = [r["status"] for r in await rosters.swap_requests(center_id, staff_id=colleague.id)]
    assert seen_by_both == ["approved"]
    second = await rosters.request_swap(colleague, duty, saturday, requester.id, None, "", MONDAY)
    await rosters.decide_swap(team["manager"], second, approve=False, note="人手不足")
    assert (await SwapRequest.select(SwapRequest.status).where(SwapRequest.id == second).first())["status"] == "refused"
    with pytest.raises(RosterError, match="已处理"):
        await rosters.decide_swap(team["manager"], second, approve=True)


async def test_ical_feed_lists_a_persons_shifts(team):
    center_id = team["center"]["id"]
    await rosters.fill_week(center_id, MONDAY)
    person = (await cell(team["shifts"]["值班"], MONDAY + timedelta(days=5)))[0]
    token = await rosters.ical_token(person)
    assert token == await rosters.ical_token(person) and len(token) >= 32
    body = (await rosters.ical_feed(token, MONDAY)).decode()
    assert "BEGIN:VCALENDAR" in body and "DTSTART;TZID=Asia/Shanghai:20261205T090000" in body


async def test_hours_api_and_screen_model(team):
    center_id = team["center"]["id"]
    for season, kind, a, b, pkind in (("", "workday", "08:30", "12:00", "regular"), ("", "workday", "17:30", "19:30", "extended"),
                                      ("", "restday", "09:00", "17:00", "duty"), ("", "holiday", "09:00", "17:00", "duty")):
        await hours_service.add_period(team["manager"], center_id, day_kind=kind, start=a, end=b, kind=pkind, season=season)
    await rosters.fill_week(center_id, MONDAY)
    slug = team["center"]["slug"]
    saturday = await hours_service.api_hours(slug, MONDAY + timedelta(days=5))
    assert saturday["day_kind"] == "restday" and saturday["periods"] == [{"start": "09:00", "end": "17:00", "kind": "duty"}]
    assert len(saturday["on_duty"]) == 2 and all(p["shift"] == "值班" for p in saturday["on_duty"])
    assert (await hours_service.api_hours(slug, date(2026, 2, 14)))["day_kind"] == "workday"
    spring = await hours_service.api_hours(slug, date(2026, 2, 17))
    assert spring["day_kind"] == "holiday" and spring["holiday_name"] == "春节"
    from datetime import datetime

    from center.timeutil import LOCAL_TZ
    model = await hours_service.screen_model(slug, datetime.combine(MONDAY + timedelta(days=5), time(10), tzinfo=LOCAL_TZ))
    assert model["is_open"] and model["headline"] == "服务中"
    assert {p["name"] for p in model["on_now"]} == {p["name"] for p in saturday["on_duty"]}
    assert "phone" not in str(model["on_now"])
    with pytest.raises(hours_service.HoursError, match="晚于"):
        await hours_service.add_period(team["manager"], center_id, day_kind="workday", start="10:00", end="09:00",
                                       kind="regular")


async def test_the_weekly_job_fills_each_center_week_once(team):
    from center.jobs import rotate_horizon
    from center.tables import JobRun

    await rotate_horizon(MONDAY)
    count = await Assignment.count().where(Assignment.center == team["center"]["id"])
    assert count == 4 * (5 * 3 + 2 * 2)  # four weeks ahead: 30 Nov – 27 Dec 2026, no holidays in them
    assert "0 center-weeks" in await rotate_horizon(MONDAY)
    assert await Assignment.count().where(Assignment.center == team["center"]["id"]) == count
    keys = {r["period"] for r in await JobRun.select(JobRun.period).where(JobRun.job == "roster_rotation_week")}
    assert f"{team['center']['id']}:{MONDAY.isoformat()}" in keys
