"""Journeys: a meal at the canteen desk and its void; the manager's month view and the Excel 台账."""

import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.helpers import login




def yuan(text: str) -> int:
    return round(float(re.search(r"[\d.]+", text).group()) * 100)


def test_operator_records_a_meal_and_voids_it(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "canteen")
    expect(page).to_have_url(re.compile("/dining"))
    card = page.get_by_label("就餐卡号（刷卡或输入后回车）")
    expect(card).to_be_focused()
    card.fill("D0300")
    card.press("Enter")
    balance = page.locator(".balance strong")
    expect(balance).to_be_visible()
    before = yuan(balance.inner_text())
    page.get_by_role("radio", name=re.compile("^午餐")).check()
    page.get_by_label("餐费（元）").fill("15.00")
    page.get_by_role("button", name="记录就餐").click()
    result = page.locator(".meal-result")
    expect(result).to_contain_text("余额")
    after = yuan(result.locator("strong").nth(2).inner_text())
    subsidy = yuan(result.locator("strong").nth(0).inner_text())
    assert after == before - subsidy and subsidy == min(1500, before)
    expect(page.get_by_label("就餐卡号（刷卡或输入后回车）")).to_be_focused()

    row = page.locator(".desk-today tbody tr", has_text="D0300").first
    row.get_by_role("button", name=re.compile("撤销")).click()
    page.get_by_role("radio", name="重复记录").check()
    page.get_by_role("button", name="确认撤销").click()
    expect(page.locator(".flash-success")).to_contain_text("已撤销")
    page.get_by_label("就餐卡号（刷卡或输入后回车）").fill("D0300")
    page.get_by_label("就餐卡号（刷卡或输入后回车）").press("Enter")
    expect(page.locator(".balance strong")).to_have_text(f"{before // 100}.{before % 100:02d}")
    assert console_errors == []
    # Last: Playwright's capture leaves style="" on elements, which htmx's settle would copy on a later swap
    # (a CSP report of the test's own making).
    page.screenshot(path=str(artifacts / "canteen-desk.png"))


def test_manager_opens_the_month_and_downloads_the_excel(page, server, artifacts, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, server, "manager")
    page.goto(server.url + "/dining/months")
    expect(page.get_by_role("heading", name=re.compile("月度对账"))).to_be_visible()
    expect(page.locator("svg.chart rect").first).to_be_attached()
    page.screenshot(path=str(artifacts / "dining-month.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel 台账").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    book = load_workbook(target)
    assert "汇总" in book.sheetnames
    assert any(row[0] == "合计" for row in book["汇总"].iter_rows(values_only=True))
