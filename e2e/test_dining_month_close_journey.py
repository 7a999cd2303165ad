"""Journey: the manager closes November for one canteen (issue #10, point 5). The question names the canteen and
the month; afterwards that canteen refuses November meals while the others of the center still take them, the
page keeps its filter, and the canteen's Excel file has its own Chinese name.

C02 (黛溪三路幸福食堂) is closed here; no other journey closes a month. Cards D0415/D0416 are used nowhere else."""

import re
from urllib.parse import parse_qs, urlsplit

import httpx
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.helpers import login

CANTEEN = "黛溪三路幸福食堂"
NOVEMBER_MEAL = "2026-11-30T12:00:00+08:00"


def post_meal(server, token: str, card: str, key: str) -> httpx.Response:
    return httpx.post(server.url + "/api/v1/meals", json={"card_no": card, "kind": "lunch", "price_fen": 1500,
                                                           "eaten_at": NOVEMBER_MEAL},
                      headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})


def test_manager_closes_one_canteens_month(page, server, artifacts, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, server, "manager")
    page.goto(server.url + "/dining/months?month=2026-11")
    page.get_by_role("combobox", name="助餐点").select_option(label=CANTEEN)
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"2026 年 11 月 · {CANTEEN}")
    view_url = page.url
    assert parse_qs(urlsplit(view_url).query)["canteen"]

    page.get_by_role("button", name=f"结账 2026 年 11 月（{CANTEEN}）").click()
    question = page.locator("#month-close")
    expect(question.get_by_role("heading")).to_have_text("确认结账 2026 年 11 月？")
    expect(question.locator(".close-list li")).to_have_text([CANTEEN])  # exactly the canteen shown
    confirm = page.get_by_role("button", name="确认结账")
    expect(confirm).to_be_focused()
    page.screenshot(path=str(artifacts / "dining-month-close-question.png"))
    confirm.press("Enter")

    expect(page.locator(".flash-success")).to_have_text(f"已结账 2026 年 11 月：{CANTEEN}")
    assert page.url == view_url  # the filter stays
    expect(page.get_by_role("heading", level=1).locator(".badge-ok")).to_have_text("已结账")
    page.screenshot(path=str(artifacts / "dining-month-closed.png"), full_page=True)

    # The canteen's own 台账: a Chinese name of its own, the month marked closed.
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel 台账").click()
    assert info.value.suggested_filename == f"老年助餐台账-2026年11月-{CANTEEN}.xlsx"
    info.value.save_as(tmp_path / "c02.xlsx")
    summary = list(load_workbook(tmp_path / "c02.xlsx")["汇总"].iter_rows(values_only=True))
    assert "已结账" in summary[0][0] and next(r for r in summary if r[0] == CANTEEN)[5] == "已结账"

    # The center's view: only that canteen is closed.
    page.goto(server.url + "/dining/months?month=2026-11")
    expect(page.get_by_role("heading", level=1).locator(".badge-ok")).to_have_count(0)
    rows = page.locator("#by-canteen-heading + .dining-scroll tbody tr")
    expect(rows.filter(has_text=CANTEEN)).to_contain_text("已结账")
    expect(rows.filter(has_text="纸箱厂社区老年食堂")).to_contain_text("未结账")

    # A terminal of the closed canteen is refused a November meal; the first canteen's terminal still records one.
    page.goto(server.url + "/dining/devices")
    page.get_by_role("combobox", name="助餐点").select_option(label=CANTEEN)
    page.get_by_label("终端名称").fill("结账测试终端")
    page.get_by_role("button", name="生成终端令牌").click()
    token = page.locator("code.token").inner_text().strip()
    refused = post_meal(server, token, "D0415", "close-journey-1")
    assert refused.status_code == 422 and "已结账" in refused.json()["detail"]
    accepted = post_meal(server, "demo-terminal-1", "D0416", "close-journey-2")
    assert accepted.status_code == 201, accepted.text
    assert re.fullmatch(r"\d+", str(accepted.json()["meal_id"]))
