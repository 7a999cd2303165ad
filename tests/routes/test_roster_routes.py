"""Rosters, duty, the public screen and the hours API over HTTP, on data each test builds for itself: a center with
six staff, the three usual shift types and its service hours, its rosters filled for four weeks, and a clock
frozen on Wednesday 9 December 2026 (an ordinary working week; New Year's Day falls in the fourth)."""

import re
from datetime import date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from center.domain.periods import monday_of
from center.services import hours as hours_service
from center.services.rosters.grid import week_view
from center.services.rosters.publishing import publish
from center.services.rosters.rotation import fill_week
from center.services.rosters.shift_types import save_shift_type
from center.tables import Assignment, RosterWeek
from center.timeutil import LOCAL_TZ, local_today
from tests.factories import as_user, csrf_token, login, make_center, make_staff

HTMX = {"hx-request": "true"}

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=LOCAL_TZ)  # a Wednesday
MONDAY = date(2026, 12, 7)  # this week: Monday 7 – Sunday 13 December, no holiday
SATURDAY, SUNDAY = MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)
WEEKS = 4  # rostered ahead, as the weekly job keeps it: 7 December – 3 January (1 January is 元旦)

HOURS = (
    # day kind, start, end, kind, label
    ("workday", "08:30", "12:00", "regular", "上午"),
    ("workday", "12:00", "14:00", "extended", "午间不断档"),
    ("workday", "14:00", "17:30", "regular", "下午"),
    ("workday", "17:30", "19:30", "extended", "工作日延时"),
    ("restday", "09:00", "17:00", "duty", "周末值班"),
    ("holiday", "09:00", "17:00", "duty", "节假日值班"),
)
SHIFTS = (
    # name, start, end, day kinds, staff needed
    ("午间值守", "12:00", "14:00", ["workday"], 1),
    ("延时服务", "17:30", "19:30", ["workday"], 2),
    ("节假日值班", "09:00", "17:00", ["restday", "holiday"], 2),
)


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def clock(frozen_clock):
    """The server's clock starts on NOW (and runs on from there); the real clock comes back afterwards."""
    return frozen_clock(NOW)


async def make_roster_center(db, *, rostered: bool = True) -> dict:
    """A center with a manager, a worker and four colleagues, its hours, the three shift types (everyone may be put
    on them) and, unless `rostered` is False, its rosters filled by rotation for WEEKS weeks from MONDAY."""
    center = await make_center()
    manager = await make_staff(db, "manager", center, display_name="王负责人")
    worker = await make_staff(db, "worker", center, display_name="李社工")
    others = [await make_staff(db, "worker", center, display_name=f"社工{n}") for n in "甲乙丙丁"]
    boss = await as_user(manager)
    for day_kind, start, end, kind, label in HOURS:
        await hours_service.add_period(boss, center["id"], day_kind=day_kind, start=start, end=end, kind=kind,
                                       label=label)
    everyone = [manager["id"], worker["id"], *(o["id"] for o in others)]
    shifts = {}
    for name, start, end, kinds, needed in SHIFTS:
        shifts[name] = await save_shift_type(boss, center["id"], None, name=name, start=start, end=end,
                                             day_kinds=kinds, needed=needed, eligible=everyone)
    if rostered:
        for week in range(WEEKS):
            await fill_week(center["id"], MONDAY + timedelta(weeks=week))
    return {**center, "manager": manager, "worker": worker, "shifts": shifts, "boss": boss}


@pytest.fixture
async def center(db, clock) -> dict:
    """The manager's and the worker's center."""
    return await make_roster_center(db)


@pytest.fixture
async def admin(db, clock) -> dict:
    return await make_staff(db, "admin", display_name="区级管理员")


async def publish_weeks(center: dict, weeks: int = WEEKS) -> None:
    """Publish the center's weeks from this one on (confirming whatever the list of problems is)."""
    for i in range(weeks):
        monday = monday_of(local_today()) + timedelta(weeks=i)
        week = await week_view(center["boss"], center["id"], monday)
        await publish(center["boss"], center["id"], monday, confirmed=week.fingerprint)


async def as_manager(client, center: dict):
    await login(client, center["manager"]["username"])


async def as_worker(client, center: dict):
    await login(client, center["worker"]["username"])


async def test_hours_api_acceptance(client, center):
    slug = center["slug"]
    await publish_weeks(center)
    makeup = (await client.get(f"/api/v1/centers/{slug}/hours?date=2026-02-14")).json()
    assert makeup["day_kind"] == "workday" and makeup["holiday_name"] is None
    assert {"start": "17:30", "end": "19:30", "kind": "extended"} in makeup["periods"]
    spring = (await client.get(f"/api/v1/centers/{slug}/hours?date=2026-02-17")).json()
    assert spring["day_kind"] == "holiday" and spring["holiday_name"] == "春节"
    assert spring["periods"] == [{"start": "09:00", "end": "17:00", "kind": "duty"}]
    for day in (SATURDAY, SUNDAY):  # the next ordinary Saturday and Sunday
        data = (await client.get(f"/api/v1/centers/{slug}/hours?date={day.isoformat()}")).json()
        assert data["day_kind"] == "restday"
        assert data["periods"] == [{"start": "09:00", "end": "17:00", "kind": "duty"}]
        assert len(data["on_duty"]) == 2 and {d["shift"] for d in data["on_duty"]} == {"节假日值班"}
        assert set(data["on_duty"][0]) == {"name", "shift", "start", "end"}
    assert (await client.get("/api/v1/centers/nowhere/hours")).status_code == 404
    assert (await client.get(f"/api/v1/centers/{slug}/hours?date=2026-13-01")).status_code == 400


async def test_worker_cannot_open_rosters_but_sees_own_duty(client, center):
    await as_worker(client, center)
    assert (await client.get("/rosters")).status_code == 403
    duty = await client.get("/duty")
    assert duty.status_code == 200 and "我的值班" in duty.text
    ical = soup(duty).select_one(".ical-url")["value"]
    feed = await client.get(ical.replace("http://testserver.local", ""))
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert (await client.get("/ical/not-a-token.ics")).status_code == 404


async def test_worker_swap_request_form_refuses_bad_input_in_chinese(client, center):
    await as_worker(client, center)
    token = await csrf_token(client, "/duty")
    response = await client.post("/duty/swaps", data={"_csrf_token": token, "mine": "x", "colleague": ""})
    assert response.status_code == 422 and "请选择要调换的班次和同事" in response.text
    mine = soup(await client.get("/duty")).select("select[name=mine] option[value]")
    value = next(o["value"] for o in mine if o["value"])
    response = await client.post("/duty/swaps", data={"_csrf_token": token, "mine": value, "colleague": "999999"})
    assert response.status_code == 422 and "本中心在岗的同事" in response.text


@pytest.mark.parametrize(("week", "cells"), [
    (None, 5 * 2 + 2),                # this week: five working days (lunch, evening), two rest days (duty)
    (date(2026, 9, 28), 3 * 2 + 4),   # 国庆: Monday–Wednesday at work, Thursday 1 October on holiday
    (date(2026, 2, 9), 6 * 2 + 1),    # 春节: Saturday 14 February is a make-up working day, Sunday a holiday
])
async def test_week_grid_and_cell_component(client, center, week, cells):
    await as_manager(client, center)
    page = soup(await client.get("/rosters" + (f"?week={week.isoformat()}" if week else "")))
    found = page.select("td.cell:not(.cell-na)")
    assert len(found) == cells
    first = found[0]
    shift_id, day = re.match(r"cell-(\d+)-(\d{4}-\d\d-\d\d)", first["id"]).groups()
    editor = await client.get(f"/rosters/cell?shift={shift_id}&day={day}&edit=1",
                              headers={**HTMX, "hx-target": first["id"]})
    assert editor.status_code == 200 and editor.text.strip().startswith("<td")
    form = soup(editor).select_one("form.assign-form")
    assert form and form.select("select[name=staff] option[value]")
    plain = await client.get(f"/rosters/cell?shift={shift_id}&day={day}&edit=1")
    assert "<html" in plain.text and "返回本周排班" in plain.text


async def test_second_manager_gets_a_conflict_and_the_fresh_cell(client, center):
    await as_manager(client, center)
    shift = {"id": center["shifts"]["午间值守"]}
    day = date(2026, 12, 16)  # next week's Wednesday, an ordinary working day
    cell_id = f"cell-{shift['id']}-{day.isoformat()}"
    editor = soup(await client.get(f"/rosters/cell?shift={shift['id']}&day={day}&edit=1",
                                   headers={**HTMX, "hx-target": cell_id}))
    etag = editor.select_one("form.assign-form input[name=etag]")["value"]
    token = editor.select_one("input[name=_csrf_token]")["value"]
    choices = [o["value"] for o in editor.select("form.assign-form select[name=staff] option[value]") if o["value"]]
    data = {"_csrf_token": token, "shift": str(shift["id"]), "day": day.isoformat(), "etag": etag}
    first = await client.post("/rosters/cell/assign", data={**data, "staff": choices[0]},
                              headers={**HTMX, "hx-target": cell_id})
    assert first.status_code == 200
    second = await client.post("/rosters/cell/assign", data={**data, "staff": choices[1]},
                               headers={**HTMX, "hx-target": cell_id})
    assert second.status_code == 409
    body = soup(second)
    assert "已被其他负责人修改" in body.select_one("[role=alert]").get_text()
    staff_in_cell = {r["staff"] for r in await Assignment.select(Assignment.staff).where(
        (Assignment.shift_type == shift["id"]) & (Assignment.day == day))}
    assert int(choices[0]) in staff_in_cell and int(choices[1]) not in staff_in_cell
    # Plain form post (no htmx): redirect back to the week with the message.
    plain = await client.post("/rosters/cell/assign", data={**data, "staff": choices[1]}, follow_redirects=False)
    assert plain.status_code == 302 and plain.headers["location"].startswith("/rosters?week=")


async def test_publish_rotate_leave_and_print(client, center):
    await as_manager(client, center)
    week = (local_today() + timedelta(weeks=1)).isoformat()
    token = await csrf_token(client, f"/rosters?week={week}")
    asked = await client.post("/rosters/publish", data={"_csrf_token": token, "week": week}, follow_redirects=False)
    if asked.status_code == 200:  # the first press asks: confirm the list
        confirmed = soup(asked).select_one("input[name=confirmed]")["value"]
        asked = await client.post("/rosters/publish", data={"_csrf_token": token, "week": week,
                                                            "confirmed": confirmed}, follow_redirects=False)
    assert asked.status_code == 302
    page = soup(await client.get(f"/rosters?week={week}"))
    assert "已发布" in page.select_one(".week-status").get_text()
    bad = await client.post("/rosters/leave", data={"_csrf_token": token, "week": week, "staff": "", "start": "x",
                                                    "end": ""})
    assert bad.status_code == 422
    leave = soup(bad).select_one("form.leave-form")
    assert leave.select_one("#leave-start-error").get_text() == "请填写有效的开始日期（YYYY-MM-DD）"
    assert leave.select_one("#leave-staff-error").get_text() == "请选择请假的人员"
    assert leave.select_one("input[name=start]")["aria-invalid"] == "true"
    printed = await client.get(f"/rosters/print?week={week}")
    assert "延时错时与节假日值班表" in printed.text
    rotate = await client.post("/rosters/rotate", data={"_csrf_token": token, "week": week}, follow_redirects=False)
    assert rotate.status_code == 302


async def test_screen_is_public_cheap_when_unchanged_and_has_no_personal_data(client, center):
    slug = center["slug"]
    await publish_weeks(center, weeks=1)
    first = await client.get(f"/screen/{slug}", headers={**HTMX, "hx-target": "screen-body"})
    assert first.status_code == 200 and "set-cookie" not in first.headers
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = await client.get(f"/screen/{slug}", headers={**HTMX, "hx-target": "screen-body", "if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    full = await client.get(f"/screen/{slug}")
    assert full.headers["etag"] != etag and "<html" in full.text
    for pattern in (r"1[3-9]\d{9}", r"[1-9]\d{16}[\dX]", r"0543-"):
        assert not re.search(pattern, full.text)
    assert (await client.get("/screen/nowhere")).status_code == 404


async def test_screen_shows_who_is_on_duty_at_a_given_moment(client, center):
    slug = center["slug"]
    await publish_weeks(center)
    api = (await client.get(f"/api/v1/centers/{slug}/hours?date={SATURDAY}")).json()
    page = soup(await client.get(f"/screen/{slug}?at={SATURDAY}T10:30"))
    assert page.select_one(".headline").get_text().startswith("服务中")
    names = {p.select_one("strong").get_text() for p in page.select("section.panel")[0].select(".person")[:2]}
    assert names == {d["name"] for d in api["on_duty"]}


async def test_hours_settings_refuse_bad_input_in_chinese(client, center):
    await as_manager(client, center)
    token = await csrf_token(client, "/rosters/hours")
    for path, data, message in (
            ("/rosters/hours/periods", {"day_kind": "workday", "kind": "regular", "start": "18:00", "end": "08:00"}, "晚于"),
            ("/rosters/hours/periods", {"day_kind": "nope", "kind": "regular", "start": "8:00", "end": "9:00"}, "日期类型"),
            ("/rosters/hours/announcements", {"text": "", "starts_on": "2026-11-01", "ends_on": "2026-11-02"}, "公告内容"),
            ("/rosters/hours/exceptions", {"day": "2026-12-01", "closed": "1", "reason": ""}, "原因"),
            ("/rosters/hours/exceptions", {"day": "bad", "reason": "x"}, "有效日期")):
        response = await client.post(path, data={"_csrf_token": token, **data})
        assert response.status_code == 422 and message in soup(response).select_one("[role=alert]").get_text(), data
    ok = await client.post("/rosters/hours/announcements", data={
        "_csrf_token": token, "text": "本周六举办反诈宣传活动", "starts_on": local_today().isoformat(),
        "ends_on": (local_today() + timedelta(days=3)).isoformat()}, follow_redirects=False)
    assert ok.status_code == 302


async def test_a_refused_hours_form_comes_back_with_what_was_typed(client, center):
    """Nothing typed is lost: the form that was refused shows its own values again (and the others stay empty)."""
    await as_manager(client, center)
    token = await csrf_token(client, "/rosters/hours")
    refused = await client.post("/rosters/hours/exceptions", data={
        "_csrf_token": token, "day": "2026-12-21", "start": "10:00", "end": "09:00", "reason": "坏时间"})
    assert refused.status_code == 422
    form = soup(refused).select_one("form[action='/rosters/hours/exceptions']")
    assert {name: form.select_one(f"[name={name}]")["value"] for name in ("day", "start", "end", "reason")} == {
        "day": "2026-12-21", "start": "10:00", "end": "09:00", "reason": "坏时间"}
    period = soup(refused).select_one("form[action='/rosters/hours/periods']")
    assert period.select_one("[name=start]")["value"] == "" and period.select_one("[name=end]")["value"] == ""

    refused = await client.post("/rosters/hours/announcements", data={
        "_csrf_token": token, "text": "停电通知", "starts_on": "2026-12-10", "ends_on": "2026-12-05"})
    assert refused.status_code == 422
    form = soup(refused).select_one("form[action='/rosters/hours/announcements']")
    assert (form.select_one("[name=starts_on]")["value"], form.select_one("[name=ends_on]")["value"]) == (
        "2026-12-10", "2026-12-05")
    assert form.select_one("textarea[name=text]").get_text() == "停电通知"

    seasons = [o["value"] for o in soup(refused).select("select[name=season] option") if o["value"]]
    if seasons:  # the center keeps seasonal hours (作息): the one chosen stays chosen
        refused = await client.post("/rosters/hours/periods", data={
            "_csrf_token": token, "day_kind": "workday", "kind": "regular", "season": seasons[-1],
            "start": "18:00", "end": "08:00"})
        assert refused.status_code == 422
        assert soup(refused).select_one("select[name=season] option[selected]")["value"] == seasons[-1]


async def test_hours_forms_post_one_operation_each(client, center):
    """Each form of the hours page posts to its own operation's address (no hidden `op` to dispatch on)."""
    await as_manager(client, center)
    page = soup(await client.get("/rosters/hours"))
    actions = {f["action"] for f in page.select("main form[method=post]")}
    assert {"/rosters/hours/periods", "/rosters/hours/exceptions", "/rosters/hours/announcements"} <= actions
    assert not page.select("input[name=op]")
    period = page.select_one("form[action$='/remove']")
    assert re.fullmatch(r"/rosters/hours/periods/\d+/remove", period["action"])


async def test_manager_keeps_the_shift_types(client, center):
    await as_manager(client, center)
    page = soup(await client.get("/rosters/shifts"))
    assert len(page.select("form.shift-form")) == 4  # the center's three shift types and the blank one
    token = page.select_one("input[name=_csrf_token]")["value"]
    staff = [i["value"] for i in page.select("form.shift-form")[-1].select("input[name=eligible]")][:4]
    base = {"_csrf_token": token, "name": "错时早班", "start": "07:30", "end": "08:30", "needed": "1",
            "day_kinds": ["workday"], "eligible": staff}
    for change, message in (({"end": "07:00"}, "晚于"), ({"day_kinds": []}, "日期类型"), ({"needed": "0"}, "人数"),
                            ({"eligible": []}, "可排人员"), ({"name": ""}, "名称")):
        response = await client.post("/rosters/shifts", data={**base, **change})
        assert response.status_code == 422 and message in soup(response).select_one("[role=alert]").get_text()
    ok = await client.post("/rosters/shifts", data=base, follow_redirects=False)
    assert ok.status_code == 302
    grid = await client.get("/rosters")
    assert "错时早班" in grid.text
    await as_worker(client, center)
    assert (await client.get("/rosters/shifts")).status_code == 403


def out_of_band(body) -> dict:
    """The parts an htmx answer swaps out of band: {id: element}, each wrapped in a <template>."""
    parts = {}
    for template in body.find_all("template"):
        for element in template.find_all(attrs={"data-hx-swap-oob": "true"}, recursive=False):
            # parsed again outside the <template>, whose text BeautifulSoup keeps apart
            parts[element["id"]] = BeautifulSoup(str(element), "html.parser").find(id=element["id"])
    return parts


def grid_cell(page, shift_id: int, day: date):
    return page.select_one(f"td#cell-{shift_id}-{day.isoformat()}")


async def test_a_swap_answers_with_both_cells_the_counts_and_the_log(client, db, admin):
    """The htmx answer to a swap refreshes the other cell out of band, and the week's counts and change log."""
    other = await make_roster_center(db)  # the admin works on another center than the first: ?center= carries it
    slug, lunch = other["slug"], other["shifts"]["午间值守"]
    await login(client, admin["username"])
    monday = MONDAY + timedelta(weeks=2)
    await publish_weeks(other, weeks=3)
    week_page = soup(await client.get(f"/rosters?week={monday}&center={slug}"))
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    # an ordinary working week: one person at lunch each day
    first = grid_cell(week_page, lunch, tuesday).select_one(".who").get_text()
    second = grid_cell(week_page, lunch, wednesday).select_one(".who").get_text()
    cell_id = f"cell-{lunch}-{tuesday}"
    editor = soup(await client.get(f"/rosters/cell?shift={lunch}&day={tuesday}&center={slug}&edit=1",
                                   headers={**HTMX, "hx-target": cell_id}))
    form = editor.select_one("form.swap-form")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    choice = next(o["value"] for o in form.select("select[name=other] option")
                  if o["value"].startswith(f"{lunch}:{wednesday.isoformat()}:"))
    answer = await client.post("/rosters/cell/swap", data={**data, "other": choice},
                               headers={**HTMX, "hx-target": cell_id})
    assert answer.status_code == 200
    body = soup(answer)
    assert [w.get_text() for w in body.select(f"td#{cell_id} .who")] == [second]
    oob = out_of_band(body)
    assert [w.get_text() for w in oob[f"cell-{lunch}-{wednesday}"].select(".who")] == [first]
    assert f"cell-{lunch}-{monday}" not in oob  # untouched cells are left alone
    assert "week-summary" in oob
    changes = oob["roster-changes"]
    assert "交换" in changes.get_text() and first in changes.get_text() and second in changes.get_text()


async def test_a_second_person_on_a_one_person_shift_is_marked_over_staffed(client, db, admin):
    other = await make_roster_center(db)
    slug, lunch = other["slug"], other["shifts"]["午间值守"]
    await login(client, admin["username"])
    thursday = MONDAY + timedelta(weeks=3, days=3)  # 31 December, the working day before 元旦
    cell_id = f"cell-{lunch}-{thursday}"
    editor = soup(await client.get(f"/rosters/cell?shift={lunch}&day={thursday}&center={slug}&edit=1",
                                   headers={**HTMX, "hx-target": cell_id}))
    assert "再安排将超员" in editor.select_one(".cell-note").get_text()
    form = editor.select_one("form.assign-form")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    staff = next(o["value"] for o in form.select("select[name=staff] option") if o["value"] and "（" not in o.get_text())
    answer = soup(await client.post("/rosters/cell/assign", data={**data, "staff": staff},
                                    headers={**HTMX, "hx-target": cell_id}))
    assert "cell-over" in answer.select_one(f"td#{cell_id}")["class"]
    assert "超员 1 人" in answer.select_one(f"td#{cell_id} .over").get_text()
    assert "个班次超员" in out_of_band(answer)["week-summary"].get_text()
    grid = soup(await client.get(f"/rosters?week={thursday}&center={slug}"))
    assert "需 1 人，已排 2 人" in grid_cell(grid, lunch, thursday).select_one(".over").get_text()


async def test_publishing_with_problems_asks_first_on_a_page_without_javascript(client, db, admin):
    other = await make_roster_center(db)
    slug, lunch = other["slug"], other["shifts"]["午间值守"]
    await login(client, admin["username"])
    monday = MONDAY + timedelta(weeks=1)
    token = await csrf_token(client, f"/rosters?week={monday}&center={slug}")
    cell_id = f"cell-{lunch}-{monday}"
    editor = soup(await client.get(f"/rosters/cell?shift={lunch}&day={monday}&center={slug}&edit=1",
                                   headers={**HTMX, "hx-target": cell_id}))
    form = editor.select_one("form.assign-form")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    staff = next(o["value"] for o in form.select("select[name=staff] option") if o["value"])
    assert (await client.post("/rosters/cell/assign", data={**data, "staff": staff},
                              follow_redirects=False)).status_code == 302

    publish = {"_csrf_token": token, "week": monday.isoformat(), "center": slug}
    asked = await client.post("/rosters/publish", data=publish, follow_redirects=False)
    assert asked.status_code == 200
    page = soup(asked)
    assert page.select_one("h1").get_text().startswith("发布前请确认")
    rows = [r.get_text(" ", strip=True) for r in page.select(".publish-warnings tbody tr")]
    assert any("超员 1 人" in r and "午间值守" in r for r in rows), rows
    back = page.select_one("a[data-confirm-cancel]")
    assert back.get_text(strip=True).startswith("返回修改") and back["href"].startswith("/rosters?week=")
    still_draft = soup(await client.get(f"/rosters?week={monday}&center={slug}"))
    assert "草稿" in still_draft.select_one("#week-summary").get_text()

    confirm = page.select_one("form[action='/rosters/publish']")
    fields = {i["name"]: i["value"] for i in confirm.select("input[type=hidden]")}
    assert fields["confirmed"] and confirm.select_one("button[type=submit]").get_text().startswith("仍然发布")
    done = await client.post("/rosters/publish", data=fields, follow_redirects=False)
    assert done.status_code == 302
    assert "已发布" in soup(await client.get(done.headers["location"])).select_one("#week-summary").get_text()


async def test_hours_api_and_screen_show_a_draft_week_to_nobody(client, center):
    slug = center["slug"]
    saturday = MONDAY + timedelta(weeks=2, days=5)
    monday = saturday - timedelta(days=5)
    assert not await RosterWeek.exists().where((RosterWeek.center == center["id"]) & (RosterWeek.week == monday))
    assert await Assignment.count().where((Assignment.center == center["id"]) & (Assignment.day == saturday)) == 2
    draft = (await client.get(f"/api/v1/centers/{slug}/hours?date={saturday}")).json()
    assert draft["on_duty"] == [] and draft["periods"]
    names = {n.get_text() for n in soup(await client.get(f"/screen/{slug}?at={saturday}T10:30")).select(".person strong")}
    assert names == set()
    await publish_weeks(center, weeks=3)
    published = (await client.get(f"/api/v1/centers/{slug}/hours?date={saturday}")).json()
    assert len(published["on_duty"]) == 2
    on_now = soup(await client.get(f"/screen/{slug}?at={saturday}T10:31")).select(".duty .person strong")[:2]
    assert {n.get_text() for n in on_now} == {d["name"] for d in published["on_duty"]}


async def test_ical_feed_is_valid_rfc5545_with_one_charset(client, center):
    from tests.services.test_rosters import parse_strictly

    await publish_weeks(center)
    await as_worker(client, center)
    url = soup(await client.get("/duty")).select_one(".ical-url")["value"]
    feed = await client.get(url.replace("http://testserver.local", ""))
    assert feed.status_code == 200
    content_type = feed.headers["content-type"]
    assert content_type.startswith("text/calendar") and content_type.lower().count("charset") == 1, content_type
    calendar = parse_strictly(feed.content)
    assert [tz.tz_id for tz in calendar.timezones] == ["Asia/Shanghai"]
    assert calendar.events and all(str(e.dtstart.tzinfo) == "Asia/Shanghai" for e in calendar.events)


async def test_my_duty_marks_draft_shifts(client, center):
    await as_worker(client, center)
    worker = center["worker"]
    # This week published, the rest drafts.
    this_monday = MONDAY
    await publish_weeks(center, weeks=1)
    published = {this_monday}
    mine = await Assignment.select(Assignment.day).where(
        (Assignment.staff == worker["id"]) & (Assignment.day >= local_today()))
    rows = soup(await client.get("/duty")).select("tr.duty-row")
    assert len(rows) == len(mine)
    drafts = [r for r in rows if r.select_one(".draft-mark")]
    expected = sum(1 for a in mine if a["day"] - timedelta(days=a["day"].weekday()) not in published)
    assert expected > 0 and len(drafts) == expected
    assert "草稿" in drafts[0].get_text() and "尚未发布" in soup(await client.get("/duty")).get_text()


async def test_publishing_a_clean_week_asks_first_naming_the_week(client, center):
    """The first press of 发布本周 publishes nothing: a page (no JavaScript needed) names the week and asks."""
    await as_manager(client, center)
    monday = MONDAY + timedelta(weeks=3)
    token = await csrf_token(client, f"/rosters?week={monday}")
    asked = await client.post("/rosters/publish", data={"_csrf_token": token, "week": monday.isoformat()},
                              follow_redirects=False)
    assert asked.status_code == 200
    step = soup(asked).select_one("[role=alertdialog]")
    sunday = monday + timedelta(days=6)
    assert f"{monday.month}月{monday.day}日 – {sunday.month}月{sunday.day}日" in step.get_text()
    published = (RosterWeek.center == center["id"]) & (RosterWeek.week == monday) & (RosterWeek.status == "published")
    assert not await RosterWeek.exists().where(published)
    ok = step.select_one("button[data-confirm-ok]")
    assert ok.has_attr("autofocus")
    fields = {i["name"]: i["value"] for i in step.select("input[type=hidden]")}
    done = await client.post("/rosters/publish", data={**fields, ok["name"]: ok["value"]}, follow_redirects=False)
    assert done.status_code == 302
    assert await RosterWeek.exists().where(published)


async def test_the_grid_links_and_forms_carry_the_center_for_the_admin_only(client, db, admin):
    """The admin's week carries ?center= in every link and a hidden center field in every post; the manager's
    addresses have none (they have one center)."""
    other = await make_roster_center(db, rostered=False)
    slug, previous = other["slug"], MONDAY - timedelta(weeks=1)
    await login(client, admin["username"])
    page = soup(await client.get(f"/rosters?week={MONDAY}&center={slug}"))
    nav = {a.get_text(strip=True): a["href"] for a in page.select(".page-head nav a")}
    assert nav["← 上周"] == f"/rosters?week={previous}&center={slug}"
    assert nav["班次设置"] == f"/rosters/shifts?center={slug}"
    assert nav["公共大屏"] == f"/screen/{slug}"
    posts = page.select("main form[method=post]")
    assert posts and all(f.select_one("input[name=center]")["value"] == slug for f in posts)
    edit = page.select_one("a.cell-edit")
    assert edit["href"] == edit["data-hx-get"] and f"center={slug}" in edit["href"]

    await as_manager(client, other)
    page = soup(await client.get(f"/rosters?week={MONDAY}"))
    nav = {a.get_text(strip=True): a["href"] for a in page.select(".page-head nav a")}
    assert nav["← 上周"] == f"/rosters?week={previous}" and nav["班次设置"] == "/rosters/shifts"
    assert not page.select("main form[method=post] input[name=center]")
    assert "center=" not in page.select_one("a.cell-edit")["href"]
