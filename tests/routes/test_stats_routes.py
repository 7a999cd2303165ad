"""/counter/stats over HTTP with the demo's overdue cases: the on-time rate counts them as late, page and workbook."""

import io
import re
from datetime import datetime

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from center.config import DEMO_PASSWORD
from center.timeutil import LOCAL_TZ, local_today
from tests.factories import load_demo, login

# The e2e journeys' clock, a Wednesday: the demo week's overdue cases fall in this month whatever the real date.
CLOCK = datetime(2026, 12, 9, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
async def manager_client(client, db, frozen_clock):
    frozen_clock(CLOCK)
    await load_demo(db)
    assert (await login(client, "manager", DEMO_PASSWORD)).status_code == 302
    return client


def figures(html: str) -> dict[str, str]:
    page = BeautifulSoup(html, "html.parser")
    return {node["data-figure"]: (node.select_one("strong") or node).get_text(strip=True)
            for node in page.select("[data-figure]")}


async def test_overdue_open_cases_bring_the_rate_below_100_on_the_page_and_in_the_workbook(manager_client):
    month = local_today().strftime("%Y-%m")
    shown = figures((await manager_client.get(f"/counter/stats?month={month}")).text)
    rate = float(re.match(r"[\d.]+", shown["on_time_rate"]).group())
    late, on_time, overdue_open = int(shown["late"]), int(shown["on_time"]), int(shown["overdue_open"])
    assert overdue_open >= 1 and late >= overdue_open  # the demo leaves cases open past their deadline
    assert rate < 100 and rate == round(100 * on_time / (on_time + late), 1)
    book = load_workbook(io.BytesIO((await manager_client.get(f"/counter/stats/export.xlsx?month={month}")).content))
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert (summary["按时办结率(%)"], summary["超期"], summary["其中在办超期"]) == (rate, late, overdue_open)
    by_worker = book["按社工"]
    header = [c.value for c in by_worker[1]]
    rows = [dict(zip(header, r)) for r in by_worker.iter_rows(min_row=2, values_only=True)]
    assert sum(r["其中在办超期"] for r in rows if r["社工"] != "合计") == overdue_open


async def test_a_manager_who_edits_the_center_in_the_address_is_told_not_shown_their_own(manager_client):
    """An outside tester changed ?center= to another center: the page answered 200 with the manager's own figures
    under that address. It is now a 403 in Chinese, for the page and its export alike."""
    from center.tables import Center, Staff

    own = (await Staff.select(Staff.center).where(Staff.username == "manager").first())["center"]
    other = (await Center.select(Center.id).where(Center.id != own).first())["id"]
    for path in (f"/counter/stats?center={other}", f"/counter/stats/export.xlsx?center={other}"):
        refused = await manager_client.get(path)
        assert refused.status_code == 403 and "只能查看本中心的统计" in refused.text, path
    assert (await manager_client.get(f"/counter/stats?center={own}")).status_code == 200
