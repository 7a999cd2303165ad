"""Every year, month or day in an address (issue #11, finding 10): ?month=9999 and its export used to raise a
ValueError (500). Now an empty value is the page's default, and a wrong or out-of-range one is told in Chinese (422),
on pages and in the API, while the right ones still answer 200."""

import pytest
from bs4 import BeautifulSoup

from center.config import DEMO_PASSWORD
from center.services.dining.registry import senior_by_card
from center.tables import ShiftType
from tests.factories import login, logout

# (who, the address with {} where the value goes, a value that is right)
PARAMETERS = [
    ("manager", "/counter/stats?month={}", "2026-11"),
    ("manager", "/counter/stats?month={}", "2026"),
    ("manager", "/counter/stats/export.xlsx?month={}", "2026-11"),
    ("manager", "/dining/months?month={}", "2026-11"),
    ("manager", "/dining/months/export.xlsx?month={}", "2026-11"),
    ("manager", "/dining/seniors/{senior}?year={}", "2026"),
    ("manager", "/dining/seniors/{senior}/statement?year={}", "2026"),
    ("manager", "/dining/seniors/{senior}/statement?year=2026&month={}", "3"),
    ("manager", "/dining/policy?on={}", "2026-03-01"),
    ("manager", "/calendar?year={}", "2027"),
    ("manager", "/rosters?week={}", "2026-12-07"),
    ("manager", "/rosters/print?week={}", "2026-12-07"),
    ("manager", "/rosters/cell?shift={shift}&day={}", "2026-12-07"),
    (None, "/screen/daxi?at={}", "2026-12-07T10:00"),
]
WRONG = ["9999", "9999-12", "99999", "2026-13", "9999-12-31", "1800-01-01", "garbage", "2026-02-30", "x" * 300]


async def answers(client, who, template, values):
    if who:
        await login(client, who, DEMO_PASSWORD)
    senior = await senior_by_card("D0003")  # a senior of the manager's own center
    shift = await ShiftType.select(ShiftType.id).where(ShiftType.center.slug == "daxi").first()
    try:
        return [await client.get(template.format(value, senior=senior["id"], shift=shift["id"])) for value in values]
    finally:
        if who:
            await logout(client)


@pytest.mark.parametrize(("who", "template", "right"), PARAMETERS, ids=[p[1] for p in PARAMETERS])
async def test_a_wrong_period_in_the_address_is_told_in_chinese_never_a_500(demo_client, who, template, right):
    right_answer, *wrong_answers = await answers(demo_client, who, template, [right, *WRONG])
    assert right_answer.status_code == 200, (template, right, right_answer.text[:300])
    for value, answer in zip(WRONG, wrong_answers):
        assert answer.status_code == 422, (template, value, answer.status_code)
        message = BeautifulSoup(answer.text, "html.parser").select_one(".error-page h1 + p").get_text()
        assert ("无法识别" in message or "超出范围" in message), (template, value, message)
        assert "Traceback" not in answer.text and "ValueError" not in answer.text
        if who is None:  # the hall screen's error keeps the residents' layout: no staff header, no way to the login
            assert 'href="/login' not in answer.text and "退出" not in answer.text


async def test_the_month_close_form_with_a_wrong_month_is_told_and_closes_nothing(demo_client):
    from center.tables import ClosedCanteenMonth, ClosedMonth
    from tests.factories import csrf_token

    await login(demo_client, "manager", DEMO_PASSWORD)
    before = (await ClosedMonth.count(), await ClosedCanteenMonth.count())
    token = await csrf_token(demo_client, "/dining/months")
    for value in ("9999-12", "2026-13"):
        answer = await demo_client.post("/dining/months/close", data={"_csrf_token": token, "month": value, "confirm": "1"})
        assert answer.status_code == 422 and "月份" in answer.text, (value, answer.status_code)
    assert (await ClosedMonth.count(), await ClosedCanteenMonth.count()) == before
    await logout(demo_client)


@pytest.mark.parametrize("query", ["centers/daxi/hours?date=9999-12-31", "centers/daxi/hours?date=1800-01-01",
                                   "calendar/workdays?start=9999-12-31&days=5",
                                   "calendar/workdays?start=1800-01-01&days=1"])
async def test_an_api_date_outside_the_years_kept_is_422_in_chinese(client, query):
    answer = await client.get(f"/api/v1/{query}")
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("application/json")
    assert "超出范围" in answer.json()["detail"]


def test_the_schemas_date_pattern_admits_exactly_the_years_the_api_serves():
    import re

    from center.domain.periods import FIRST_YEAR, LAST_YEAR
    from center.routes.api import YEAR_RANGE_DATE

    admitted = [year for year in range(1000, 10000) if re.match(YEAR_RANGE_DATE, f"{year:04d}-06-15")]
    assert (admitted[0], admitted[-1], len(admitted)) == (FIRST_YEAR, LAST_YEAR, LAST_YEAR - FIRST_YEAR + 1)
