"""Entering a year's State Council notice (or an override): open deadlines move, on the timeline; closed cases stay."""

from datetime import date, datetime, time

import pytest

from center.domain import AccessDenied
from center.domain.calendar import parse_notice
from center.services import calendar as calendar_service
from center.services import cases
from center.services.cases import ReceiveForm
from center.tables import AuditLog, CalendarNotice, CalendarOverride, Case, CaseEvent
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, item_id, load_demo_catalog, make_center, make_staff

DEC_28 = date(2026, 12, 28)  # a Monday in the last week of the last year chinese-calendar knows


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def notice_2027(**overrides):
    """A plausible 2027 notice (the real one is not out): 春节 5–13 Feb, 调休 Sun 31 Jan and Sat 20 Feb."""
    rows = {"names": ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"],
            "firsts": ["2027-01-01", "2027-02-05", "2027-04-03", "2027-05-01", "2027-06-09", "2027-09-15", "2027-10-01"],
            "lasts": ["2027-01-03", "2027-02-13", "2027-04-05", "2027-05-05", "2027-06-11", "2027-09-17", "2027-10-07"],
            "makeup": ["2027-01-31", "2027-02-20", "2027-05-08", "2027-09-26", "2027-10-09"]}
    rows.update(overrides)
    return parse_notice(2027, rows["names"], rows["firsts"], rows["lasts"], rows["makeup"], "测试通知")


@pytest.fixture
async def desk(db):
    """A center with a worker, its manager and the district admin; no notice or override entered yet."""
    await CalendarNotice.delete(force=True)
    await CalendarOverride.delete(force=True)
    calendar_service.invalidate()
    await load_demo_catalog()
    center = await make_center()
    worker = await make_staff(db, role="worker", center=center, display_name="首问社工")
    manager = await make_staff(db, role="manager", center=center, display_name="负责人")
    admin = await make_staff(db, role="admin", display_name="区管理员")
    yield {"worker": await as_user(worker), "manager": await as_user(manager), "admin": await as_user(admin)}
    await CalendarNotice.delete(force=True)
    calendar_service.invalidate()


async def accept(desk, code: str, day: date = DEC_28) -> int:
    form = ReceiveForm(item_id=await item_id(code), action="accept", resident_name="张桂英", brought=(0, 1, 2, 3, 4))
    return (await cases.receive(desk["worker"], form, now=at(day)))["case_id"]


async def case_of(case_id: int) -> dict:
    return await Case.select(Case.due_on, Case.version, Case.status).where(Case.id == case_id).first()


async def deadline_notes(case_id: int) -> list[str]:
    rows = await CaseEvent.select(CaseEvent.note).where((CaseEvent.case == case_id) & (CaseEvent.action == "deadline"))
    return [r["note"] for r in rows]


async def test_entering_the_notice_moves_open_deadlines_and_writes_the_timeline(desk):
    long_case = await accept(desk, "MZ05")  # 30 working days
    short_case = await accept(desk, "MZ01")  # 5 working days
    # Provisional: 30 days from Mon 28 Dec skip 元旦 and 春节 5–10 Feb by their rules: Mon 15 Feb.
    assert (await case_of(long_case))["due_on"] == date(2027, 2, 15)
    assert (await case_of(short_case))["due_on"] == date(2027, 1, 5)  # 1 January is no working day
    version = (await case_of(long_case))["version"]

    moved = await calendar_service.enter_notice(desk["admin"], notice_2027(), now=at(date(2026, 12, 29)))

    assert moved >= 1
    # The notice: Sun 31 Jan is worked, 11–12 Feb are off: Tue 16 Feb.
    after = await case_of(long_case)
    assert after["due_on"] == date(2027, 2, 16) and after["version"] == version + 1
    assert await deadline_notes(long_case) == ["放假安排公布，办结期限由 2027年2月15日 调整为 2027年2月16日"]
    # The 5-day case: nothing before 31 January changed.
    assert (await case_of(short_case))["due_on"] == date(2027, 1, 5) and await deadline_notes(short_case) == []
    assert await AuditLog.exists().where((AuditLog.action == "calendar.notice") & (AuditLog.object_id == "2027"))
    view = await cases.case_view(desk["worker"], long_case, today=date(2026, 12, 29))
    assert view["case"]["due_unknown_years"] == []  # no longer 预计
    assert view["events"][-1]["label"] == "期限调整"


async def test_the_paused_clock_is_respected(desk):
    resumed = await accept(desk, "MZ06")  # 30 days
    await cases.set_missing(desk["worker"], resumed, [0], now=at(DEC_28, 11))
    await cases.act(desk["worker"], resumed, "request_materials", now=at(date(2027, 1, 4)))
    await cases.act(desk["worker"], resumed, "supply_materials", now=at(date(2027, 1, 6)))
    # Paused Mon 4 → Wed 6 Jan: 2 working days (5, 6 Jan) added to 15 Feb: Wed 17 Feb.
    assert (await case_of(resumed))["due_on"] == date(2027, 2, 17)
    waiting = await accept(desk, "MZ05")
    await cases.set_missing(desk["worker"], waiting, [0], now=at(DEC_28, 11))
    await cases.act(desk["worker"], waiting, "request_materials", now=at(date(2027, 1, 4)))
    assert (await case_of(waiting))["due_on"] == date(2027, 2, 15)  # the pause still running is added on resuming

    await calendar_service.enter_notice(desk["admin"], notice_2027(), now=at(date(2027, 1, 7)))

    # 30 promised days land on Tue 16 Feb on the notice's calendar, plus the 2 paused days: Thu 18 Feb.
    assert (await case_of(resumed))["due_on"] == date(2027, 2, 18)
    assert (await case_of(waiting))["due_on"] == date(2027, 2, 16)
    assert (await case_of(waiting))["status"] == "awaiting"


async def test_closed_cases_are_untouched(desk):
    done = await accept(desk, "MZ05")
    await cases.act(desk["worker"], done, "complete", now=at(date(2026, 12, 30)))
    refused = await accept(desk, "MZ06")
    await cases.act(desk["worker"], refused, "refuse", reason="不符合条件", now=at(date(2026, 12, 30)))
    before = {c: await case_of(c) for c in (done, refused)}

    await calendar_service.enter_notice(desk["admin"], notice_2027(), now=at(date(2026, 12, 31)))

    for case_id, row in before.items():
        assert await case_of(case_id) == row
        assert await deadline_notes(case_id) == []


async def test_entering_the_same_notice_twice_changes_nothing(desk):
    case_id = await accept(desk, "MZ05")
    assert await calendar_service.enter_notice(desk["admin"], notice_2027(), now=at(date(2026, 12, 29))) >= 1
    after_first = await case_of(case_id)
    audits = await AuditLog.count().where(AuditLog.action == "calendar.notice")

    assert await calendar_service.enter_notice(desk["admin"], notice_2027(), now=at(date(2026, 12, 30))) == 0

    assert await case_of(case_id) == after_first
    assert len(await deadline_notes(case_id)) == 1
    assert await AuditLog.count().where(AuditLog.action == "calendar.notice") == audits
    assert await CalendarNotice.count() == 1


async def test_the_preview_shows_the_moves_and_saves_nothing(desk):
    case_id = await accept(desk, "MZ05")
    preview = await calendar_service.preview_notice(desk["admin"], notice_2027())
    move = next(m for m in preview["moves"] if m["id"] == case_id)
    assert (move["before"], move["after"]) == (date(2027, 2, 15), date(2027, 2, 16))
    changed = {c["day"]: (c["before"].kind, c["after"].kind) for c in preview["changed_days"]}
    assert changed[date(2027, 1, 31)] == ("restday", "workday")  # the 调休 Sunday
    assert changed[date(2027, 2, 11)] == ("workday", "holiday")
    assert date(2027, 1, 1) not in changed  # 元旦 was already a holiday by its rule
    assert await CalendarNotice.count() == 0 and (await case_of(case_id))["due_on"] == date(2027, 2, 15)
    # A notice that forgets a statutory day is saved only after a warning in the preview.
    forgetful = await calendar_service.preview_notice(desk["admin"], notice_2027(
        names=["春节"], firsts=["2027-02-05"], lasts=["2027-02-13"], makeup=[]))
    assert (date(2027, 1, 1), "元旦") in forgetful["rule_days_missing"]


async def test_a_stale_preview_is_not_saved(desk):
    preview = await calendar_service.preview_notice(desk["admin"], notice_2027())
    await calendar_service.enter_notice(desk["admin"], notice_2027(makeup=["2027-01-31"]))  # another admin, meanwhile
    with pytest.raises(calendar_service.CalendarOverrideError, match="重新预览"):
        await calendar_service.enter_notice(desk["admin"], notice_2027(), digest=preview["digest"])


async def test_only_the_district_admin_changes_the_calendar(desk):
    for who in ("manager", "worker"):
        with pytest.raises(AccessDenied):
            await calendar_service.enter_notice(desk[who], notice_2027())
        with pytest.raises(AccessDenied):
            await calendar_service.set_override(desk[who], date(2027, 3, 1), "holiday", "停工")
    assert await CalendarNotice.count() == 0 and await CalendarOverride.count() == 0


async def test_a_notice_for_a_year_the_package_ships_is_refused(desk):
    with pytest.raises(calendar_service.CalendarOverrideError, match="已内置"):
        await calendar_service.enter_notice(desk["admin"], parse_notice(2026, ["国庆节"], ["2026-10-01"],
                                                                        ["2026-10-08"], []))


async def test_an_override_moves_the_deadlines_it_concerns_too(desk):
    case_id = await accept(desk, "MZ01")  # due Tue 5 Jan 2027
    moved = await calendar_service.set_override(desk["admin"], date(2027, 1, 4), "holiday", "防汛停工",
                                                now=at(date(2026, 12, 29)))
    assert moved >= 1
    assert (await case_of(case_id))["due_on"] == date(2027, 1, 6)
    assert await deadline_notes(case_id) == ["日历调整（2027-01-04），办结期限由 2027年1月5日 调整为 2027年1月6日"]
    override_id = (await CalendarOverride.select(CalendarOverride.id).first())["id"]
    await calendar_service.remove_override(desk["admin"], override_id, now=at(date(2026, 12, 30)))
    assert (await case_of(case_id))["due_on"] == date(2027, 1, 5)
