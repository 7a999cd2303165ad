"""Journey: the center's manager reads the month's figures while cases are overdue; the rate does not flatter."""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.helpers import login


def figure(page, name: str) -> str:
    return page.locator(f"[data-figure={name}]").first.inner_text()


def test_the_manager_sees_overdue_open_cases_pull_the_on_time_rate_down(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "manager")
    month = server.today.strftime("%Y-%m")
    page.goto(server.url + f"/counter/stats?month={month}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{server.today.month} 月")

    # The demo week leaves cases open past their deadline (accepted early in the week, promised 3 working days).
    rate_box = page.locator("[data-figure=on_time_rate]")
    expect(rate_box).to_contain_text("按时办结率")
    rate = float(re.search(r"[\d.]+", rate_box.locator("strong").inner_text()).group())
    late = int(page.locator("[data-figure=late] strong").inner_text())
    on_time = int(figure(page, "on_time"))
    overdue_open = int(figure(page, "overdue_open"))
    assert overdue_open >= 1 and late >= overdue_open
    assert rate < 100
    assert rate == round(100 * on_time / (on_time + late), 1)  # the rule, as the page itself states it
    expect(page.locator("[data-figure=rate_note]")).to_contain_text("已过承诺日期仍未办结")
    page.screenshot(path=str(artifacts / "stats-month.png"), full_page=True)

    # The workbook the manager reports from says the same.
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["按时办结率(%)"] == rate
    assert (summary["超期"], summary["其中在办超期"]) == (late, overdue_open)
