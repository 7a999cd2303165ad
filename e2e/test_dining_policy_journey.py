"""Journey (issue #16, points 1 and 2): a district on a Tianjin-like per-meal policy. The admin reads the policy in
force; November's meals are paid by two funds; the manager closes November for the first canteen and the month
shows the subsidy per fund and the canteen's operating subsidy, in the page and in the Excel 台账 read back.

Its own server: the demo switched to center/demo/policies/tianjin.toml from 2026-11-20
(`center demo --policy tianjin --policy-from 2026-11-20`), so no other journey sees this policy."""

import sqlite3
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.conftest import CLOCK, TODAY
from e2e.helpers import login
from e2e.servers import demo_env
from tests.support.live_server import LiveServer, center_command

CANTEEN = "纸箱厂社区老年食堂"
NOVEMBER = "2026-11-27T12:00:00+08:00"


@pytest.fixture(scope="module")
def tianjin():
    env = demo_env("center-e2e-policy-", CLOCK)
    center_command(["demo", "--policy", "tianjin", "--policy-from", "2026-11-20"], env)
    live = LiveServer(env, Path(env["CENTER_VAR_DIR"]) / "server.log").start()
    live.today = TODAY
    live.db = env["DATABASE_URL"].removeprefix("sqlite:///")
    yield live
    live.stop()


def card(db: str, sql: str) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def meal(server, card_no: str, key: str) -> httpx.Response:
    return httpx.post(server.url + "/api/v1/meals", json={"card_no": card_no, "kind": "lunch", "price_fen": 1500,
                                                           "eaten_at": NOVEMBER},
                      headers={"Authorization": "Bearer demo-terminal-1", "Idempotency-Key": key})


def test_a_month_under_a_per_meal_policy_closes_with_its_funds_and_the_operating_subsidy(page, tianjin, artifacts,
                                                                                          tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, tianjin, "admin")
    page.goto(tianjin.url + "/dining/policy")
    current = page.locator("#policy-current")
    expect(current).to_contain_text("每餐补贴（天津式）")
    expect(current.locator("tr[data-scheme]")).to_have_count(2)
    expect(current.locator(".policy-operating")).to_contain_text("每餐 1.00 元")
    page.screenshot(path=str(artifacts / "dining-policy-tianjin.png"), full_page=True)

    # November 27th: a senior of 80 or more (区财政) and a 低保 senior under 80 (福彩公益金) eat lunch.
    old = card(tianjin.db, "SELECT card_no FROM senior WHERE birth_date <= '1946-11-27' AND card_no <= 'D0490' AND id "
                           "NOT IN (SELECT senior FROM senior_category) ORDER BY card_no DESC LIMIT 1")
    poor = card(tianjin.db, "SELECT s.card_no FROM senior s JOIN senior_category c ON c.senior = s.id WHERE "
                            "c.category = '低保' AND s.birth_date > '1946-11-27' ORDER BY s.card_no DESC LIMIT 1")
    paid = {}
    for who, key in ((old, "tj-e2e-1"), (poor, "tj-e2e-2")):
        answer = meal(tianjin, who, key)
        assert answer.status_code == 201, answer.text
        paid[who] = answer.json()
    assert paid[old]["subsidy_fen"] == 300 and paid[poor]["subsidy_fen"] == 300
    assert paid[old]["paid_fen"] == 1200

    login(page, tianjin, "manager")
    page.goto(tianjin.url + "/dining/months?month=2026-11")
    page.get_by_role("combobox", name="助餐点").select_option(label=CANTEEN)
    page.get_by_role("button", name="查看").click()
    sources = page.locator("#by-source")
    expect(sources.locator('tr[data-source="福彩公益金"]')).to_be_visible()
    expect(sources.locator('tr[data-source="区财政"]')).to_be_visible()
    expect(page.locator("[data-operating]").first).to_contain_text("结账时入账")
    page.get_by_role("button", name=f"结账 2026 年 11 月（{CANTEEN}）").click()
    page.get_by_role("button", name="确认结账").press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("已结账 2026 年 11 月")
    operating = page.locator("[data-operating]").first
    expect(operating).not_to_contain_text("结账时入账")
    page.screenshot(path=str(artifacts / "dining-month-closed-tianjin.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel 台账").click()
    info.value.save_as(tmp_path / "tianjin.xlsx")
    book = load_workbook(tmp_path / "tianjin.xlsx")
    funds = {r[0]: r for r in book["按资金来源"].iter_rows(values_only=True) if r and r[0]}
    assert funds["福彩公益金"][1] >= 1 and float(funds["福彩公益金"][2]) >= 3.0
    rows = [r for r in book["运营补贴"].iter_rows(values_only=True) if r and r[0] == CANTEEN]
    assert rows and rows[0][2] == "已入账" and float(rows[0][1]) >= 500.0  # 500 a month plus 1 a meal served
