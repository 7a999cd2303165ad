"""The calendar for years the statutory data does not know: the API's provisional flag and day list, the notice
form on /calendar (admin only, preview before saving), the 预计 deadline on the case page."""


import pytest
from bs4 import BeautifulSoup

from center.config import DEMO_PASSWORD
from center.services import calendar as calendar_service
from center.tables import CalendarNotice, CalendarOverride
from tests.factories import csrf_token, load_demo, login, logout, vary

NOTICE_ROWS = [("元旦", "2027-01-01", "2027-01-03"), ("春节", "2027-02-05", "2027-02-13"),
               ("清明节", "2027-04-03", "2027-04-05"), ("劳动节", "2027-05-01", "2027-05-05"),
               ("端午节", "2027-06-09", "2027-06-11"), ("中秋节", "2027-09-15", "2027-09-17"),
               ("国庆节", "2027-10-01", "2027-10-07")]
MAKEUP = ["2027-01-31", "2027-02-20", "2027-05-08", "2027-09-26", "2027-10-09"]


def notice_form(token: str, rows=NOTICE_ROWS, makeup=MAKEUP, **extra) -> dict:
    return {"_csrf_token": token, "year": "2027", "title": "测试通知", "h_name": [r[0] for r in rows],
            "h_first": [r[1] for r in rows], "h_last": [r[2] for r in rows], "makeup": list(makeup), **extra}


@pytest.fixture
async def demo_client(client, db):
    await load_demo(db)
    await CalendarNotice.delete(force=True)
    await CalendarOverride.delete(force=True)
    calendar_service.invalidate()
    yield client
    await CalendarNotice.delete(force=True)
    calendar_service.invalidate()


@pytest.mark.parametrize(("start", "days", "due", "provisional"), [
    ("2026-12-28", 5, "2027-01-05", True),  # Fri 1 Jan 2027 is 元旦 by its rule, even before the notice
    ("2026-12-28", 3, "2026-12-31", False),  # no day of 2027 counted
    ("2026-02-13", 1, "2026-02-14", False),  # the 2026 make-up Saturday, from the shipped notice
    ("2027-02-04", 1, "2027-02-11", True),  # 春节 5–10 Feb 2027 by the lunar calendar
])
async def test_workdays_api_says_when_the_due_date_is_provisional(demo_client, start, days, due, provisional):
    response = await demo_client.get(f"/api/v1/calendar/workdays?start={start}&days={days}")
    assert response.status_code == 200
    assert response.json() == {"start": start, "days": days, "due": due, "provisional": provisional}


async def test_days_api_lists_a_years_non_ordinary_days_with_their_source(demo_client):
    provisional = (await demo_client.get("/api/v1/calendar/days?year=2027")).json()
    assert provisional["year"] == 2027 and provisional["source"] == "provisional"
    days = {d["date"]: d for d in provisional["days"]}
    assert days["2027-01-01"] == {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert days["2027-02-05"]["name"] == "春节" and days["2027-01-02"]["kind"] == "restday"
    assert "2027-01-04" not in days  # an ordinary Monday
    shipped = (await demo_client.get("/api/v1/calendar/days?year=2026")).json()
    assert shipped["source"] == "statutory-data"
    assert {"date": "2026-02-14", "kind": "workday", "name": "调休上班"} in shipped["days"]

    await login(demo_client, "admin", DEMO_PASSWORD)
    token = await csrf_token(demo_client, "/calendar?year=2027")
    preview = await demo_client.post("/calendar/notice/preview", data=notice_form(token))
    digest = BeautifulSoup(preview.text, "html.parser").select_one("input[name=digest]")["value"]
    saved = await demo_client.post("/calendar/notice", data=notice_form(token, digest=digest), follow_redirects=False)
    assert saved.status_code == 302

    noticed = (await demo_client.get("/api/v1/calendar/days?year=2027")).json()
    assert noticed["source"] == "notice"
    assert {"date": "2027-01-31", "kind": "workday", "name": "调休上班"} in noticed["days"]
    flag = (await demo_client.get("/api/v1/calendar/workdays?start=2026-12-28&days=5")).json()
    assert flag["provisional"] is False


@pytest.mark.parametrize("query", ["year=1999", "year=2101", "year=x", ""])
async def test_days_api_refuses_bad_years_without_a_500(demo_client, query):
    response = await demo_client.get(f"/api/v1/calendar/days?{query}")
    assert response.status_code == 400 and response.headers["content-type"].startswith("application/json")


async def test_the_openapi_schema_documents_the_calendar_endpoints(demo_client):
    schema = (await demo_client.get("/schema/openapi.json")).json()
    assert "/api/v1/calendar/days" in schema["paths"]
    workdays = schema["components"]["schemas"]["WorkdaysOut"]
    assert "provisional" in workdays["properties"] and "provisional" in workdays["required"]


async def test_a_manager_views_the_calendar_but_may_not_change_it(demo_client):
    await login(demo_client, "manager", DEMO_PASSWORD)
    page = await demo_client.get("/calendar?year=2027")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one(".source-provisional") is not None
    assert not soup.select("form[action='/calendar/notice/preview'], form[action='/calendar/overrides']")
    token = await csrf_token(demo_client, "/calendar?year=2027")
    for path, data in [("/calendar/notice/preview", notice_form(token)), ("/calendar/notice", notice_form(token)),
                       ("/calendar/overrides", {"_csrf_token": token, "day": "2027-03-01", "kind": "holiday",
                                                "name": "停工"})]:
        assert (await demo_client.post(path, data=data)).status_code == 403, path
    assert await CalendarNotice.count() == 0 and await CalendarOverride.count() == 0


async def test_the_admin_previews_the_notice_then_saves_it(demo_client):
    await login(demo_client, "admin", DEMO_PASSWORD)
    page = BeautifulSoup((await demo_client.get("/calendar?year=2027")).text, "html.parser")
    form = page.select_one("form[action='/calendar/notice/preview']")
    # The form starts from the rules' holidays: the admin types the notice's dates over them.
    assert [i["value"] for i in form.select("input[name=h_name]")][:7] == [r[0] for r in NOTICE_ROWS]
    assert form.select("input[name=h_first]")[1]["value"] == "2027-02-05"
    assert not (await demo_client.get("/calendar?year=2026")).text.count('action="/calendar/notice/preview"')

    token = await csrf_token(demo_client, "/calendar?year=2027")
    preview = await demo_client.post("/calendar/notice/preview", data=notice_form(token))
    assert preview.status_code == 200
    soup = BeautifulSoup(preview.text, "html.parser")
    summary = soup.select_one(".preview-summary").get_text()
    assert "天的安排改变" in summary and "件在办件的办结期限将调整" in summary
    rows = [r.get_text(" ", strip=True) for r in soup.select(".notice-preview tbody tr")]
    assert any("1月31日" in r and "调休上班" in r for r in rows)
    assert await CalendarNotice.count() == 0  # nothing saved by a preview

    fragment = await demo_client.post("/calendar/notice/preview", data=notice_form(token),
                               headers={"hx-request": "true", "hx-target": "notice-section"})
    assert "<html" not in fragment.text and "确认保存放假安排" in fragment.text
    assert vary(fragment) == {"HX-Request", "HX-Target"}

    digest = soup.select_one("input[name=digest]")["value"]
    saved = await demo_client.post("/calendar/notice", data=notice_form(token, digest=digest), follow_redirects=False)
    assert saved.status_code == 302 and saved.headers["location"] == "/calendar?year=2027"
    after = BeautifulSoup((await demo_client.get("/calendar?year=2027")).text, "html.parser")
    assert after.select_one(".source-notice") is not None
    assert "已录入 2027 年放假安排" in after.get_text()


@pytest.mark.parametrize(("rows", "makeup", "message"), [
    ([("春节", "2027-02-13", "2027-02-05")], [], "结束日期早于开始日期"),
    ([("春节", "2027-02-05", "2027-02-13")], ["2027-02-03"], "须为周六或周日"),
    ([("春节", "2027-02-31", "")], [], "不是有效日期"),
])
async def test_a_wrong_notice_is_refused_in_chinese_keeping_what_was_typed(demo_client, rows, makeup, message):
    await login(demo_client, "admin", DEMO_PASSWORD)
    token = await csrf_token(demo_client, "/calendar?year=2027")
    response = await demo_client.post("/calendar/notice/preview", data=notice_form(token, rows=rows, makeup=makeup))
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    assert message in soup.select_one("#notice-section [role=alert]").get_text()
    assert soup.select("input[name=h_first]")[0]["value"] == rows[0][1]
    assert [i["value"] for i in soup.select("input[name=makeup]") if i["value"]] == makeup


async def test_a_stale_preview_is_not_saved(demo_client):
    await login(demo_client, "admin", DEMO_PASSWORD)
    token = await csrf_token(demo_client, "/calendar?year=2027")
    saved = await demo_client.post("/calendar/notice", data=notice_form(token, digest="0" * 32))
    assert saved.status_code == 422 and "重新预览" in saved.text
    assert await CalendarNotice.count() == 0


async def test_the_banner_leads_the_admin_to_the_notice_form(demo_client):
    """In December 2026 the 2027 arrangement is unknown: the banner warns and links to the notice form."""
    from center.domain.calendar import WorkCalendar, next_year_warning
    from center.timeutil import local_today

    if next_year_warning(local_today(), WorkCalendar()) is None:
        pytest.skip("the banner shows from October while next year is unknown")
    await login(demo_client, "admin", DEMO_PASSWORD)
    await demo_client.get("/calendar")  # loads the calendar the layout peeks at
    banner = BeautifulSoup((await demo_client.get("/centers")).text, "html.parser").select_one(".banner")
    link = banner.select_one("a")
    assert link["href"] == f"/calendar?year={local_today().year + 1}#notice" and link.get_text() == "录入放假安排"
    await logout(demo_client)
    await login(demo_client, "manager", DEMO_PASSWORD)
    await demo_client.get("/calendar")
    banner = BeautifulSoup((await demo_client.get("/counter")).text, "html.parser").select_one(".banner")
    assert banner.select_one("a").get_text() == "查看工作日历"


@pytest.fixture
def late_december(frozen_clock):
    """The process's clock on Monday 28 December 2026, 10:00 in Shanghai (2027's notice not out)."""
    from datetime import datetime

    from center.timeutil import LOCAL_TZ

    return frozen_clock(datetime(2026, 12, 28, 10, tzinfo=LOCAL_TZ))


PROVISIONAL_LINE = "预计 2027年1月5日 办结（2027 年放假安排未公布，日期可能调整）"


def text(element) -> str:
    return " ".join(element.get_text().split())


async def test_a_late_december_promise_reads_expected_everywhere_the_date_is_shown(demo_client, late_december):
    """The counter's promise, the case page, the printed slip and the resident's status page all say 预计."""
    import re

    from tests.factories import item_id

    await login(demo_client, "worker", DEMO_PASSWORD)
    senior_card = await item_id("MZ01")  # 5 working days
    panel = BeautifulSoup((await demo_client.get(f"/counter?item={senior_card}")).text, "html.parser")
    assert text(panel.select_one(".promise")) == "承诺 5 个工作日，" + PROVISIONAL_LINE
    token = await csrf_token(demo_client, "/counter")
    accepted = await demo_client.post("/counter/receive", data={"_csrf_token": token, "item_id": str(senior_card),
                                                          "action": "accept", "resident_name": "张桂英",
                                                          "brought": ["0", "1", "2"]}, follow_redirects=False)
    case_path = accepted.headers["location"]
    case_page = BeautifulSoup((await demo_client.get(case_path)).text, "html.parser")
    assert text(case_page.select_one(".case-due")) == PROVISIONAL_LINE
    slip = BeautifulSoup((await demo_client.get(case_path + "/slip")).text, "html.parser")
    assert text(slip.select_one(".slip-due")).startswith(PROVISIONAL_LINE)
    status_url = slip.select_one(".qr")["data-url"]
    await logout(demo_client)
    status = BeautifulSoup((await demo_client.get(re.sub(r"^https?://[^/]+", "", status_url))).text, "html.parser")
    assert PROVISIONAL_LINE in text(status)
