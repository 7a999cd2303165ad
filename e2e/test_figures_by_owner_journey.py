"""Journey: a worker hands a case over; the manager's figures count it as the colleague's 在办 (who owns it now),
the receiver keeps the 受理, and the Excel 按社工 sheet says the same as the page. The figures page also marks
only 窗口统计 in the menu, and the tallest bar's value is not cut off."""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.counter_steps import accept_case
from e2e.helpers import login

ITEM = ("SB05", "社会保障卡挂失与补换")


def by_worker(page) -> dict[str, dict[str, int]]:
    """The 按社工 table as the manager reads it: name -> {column: number}."""
    table = page.locator("section", has=page.get_by_role("heading", name="按社工", exact=True)).locator("table")
    header = table.locator("thead th").all_inner_texts()
    rows = {}
    for cells in (row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()):
        if len(cells) == len(header):
            rows[cells[0]] = {name: int(re.match(r"\d+", value).group()) if re.match(r"\d", value) else 0
                              for name, value in zip(header[1:], cells[1:])}
    return rows


def test_a_handed_over_case_counts_as_the_colleagues_open_case(page, server, browser, artifacts, console_errors):
    month = server.today.strftime("%Y-%m")
    desk = browser.new_context(viewport={"width": 1366, "height": 768})
    manager = desk.new_page()
    login(manager, server, "manager")
    manager.goto(server.url + f"/counter/stats?month={month}")
    before = by_worker(manager)

    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *ITEM, "费兰英")
    receiver = panel.locator(".facts dd").first.inner_text()
    select = panel.get_by_label("接手同事")
    colleague = select.locator("option").nth(1).inner_text()
    select.select_option(label=colleague)
    panel.get_by_label("转交原因").fill("社保卡业务由专人办理")
    panel.get_by_role("button", name="转交同事").click()
    panel.get_by_role("button", name=f"确认转交给 {colleague}").click()
    expect(panel.locator(".flash-success")).to_have_text(f"已转交给 {colleague}")

    manager.reload()
    after = by_worker(manager)
    empty = {"受理": 0, "在办": 0}
    assert after[receiver]["受理"] == before.get(receiver, empty)["受理"] + 1  # the intake stays the receiver's
    assert after[receiver]["在办"] == before.get(receiver, empty)["在办"]  # the open case is no longer theirs
    assert after[colleague]["在办"] == before.get(colleague, empty)["在办"] + 1  # but the colleague's
    expect(manager.locator(".group-note")).to_contain_text("在办计入现责任人")
    manager.screenshot(path=str(artifacts / "stats-by-owner.png"), full_page=True)

    # The workbook says the same as the page, row by row.
    with manager.expect_download() as download:
        manager.get_by_role("link", name="导出 Excel").click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    sheet = book["按社工"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] != "合计"}
    for name, row in after.items():
        assert (rows[name]["受理"], rows[name]["在办"]) == (row["受理"], row["在办"]), name

    # Small things on this page: one menu entry marked, the tallest bar's value inside the chart.
    current = manager.get_by_role("navigation", name="主导航").locator("[aria-current=page]")
    expect(current).to_have_text("窗口统计")
    clipped = manager.evaluate("""() => {
      const box = document.querySelector('svg.chart').getBoundingClientRect();
      return [...document.querySelectorAll('svg.chart .bar-value')]
        .filter(t => t.getBoundingClientRect().top < box.top - 0.5).map(t => t.textContent);
    }""")
    assert clipped == []
    desk.close()
    assert console_errors == []
