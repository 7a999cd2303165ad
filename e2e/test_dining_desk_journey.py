"""Journeys at the canteen desk (issue #10, points 2–4): the ledger gets the menu price of the kind the operator
chose, a second press or a re-entered card never records a second meal without 再记一餐, and a void asks first,
from the keyboard or without JavaScript, and keeps its reason.

Cards D04xx with n % 3 != 0 belong to other centers: the demo gives them no meal at this canteen (C01) today, so
each journey starts from a clean day of its own."""

import re
import sqlite3

from playwright.sync_api import expect

from e2e.helpers import login, small_targets

CARD_BOX = "就餐卡号（刷卡或输入后回车）"
KIND_LABELS = {"breakfast": "早餐", "lunch": "午餐", "dinner": "晚餐"}


def database(server) -> sqlite3.Connection:
    path = server.env["DATABASE_URL"].removeprefix("sqlite:///")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def menu(server, code: str = "C01") -> dict[str, int]:
    """The canteen's menu as the manager set it, in fen."""
    with database(server) as conn:
        row = conn.execute("SELECT breakfast_fen, lunch_fen, dinner_fen FROM canteen WHERE code = ?", (code,)).fetchone()
    return dict(zip(("breakfast", "lunch", "dinner"), row))


def meals_of(server, card: str, code: str = "C01") -> list[tuple[str, int, int]]:
    """(kind, price, subsidy) of the card's meals today at the operator's canteen, not voided, oldest first."""
    with database(server) as conn:
        return conn.execute(
            "SELECT m.kind, m.price_fen, m.subsidy_fen FROM meal m JOIN senior s ON s.id = m.senior "
            "JOIN canteen c ON c.id = m.canteen WHERE s.card_no = ? AND c.code = ? AND m.book_date = ? AND m.txn "
            "NOT IN (SELECT reverses FROM ledger_txn WHERE reverses IS NOT NULL) ORDER BY m.id",
            (card, code, server.today.isoformat())).fetchall()


def fen(text: str) -> int:
    whole, cents = re.search(r"(-?[\d,]+)\.(\d\d)", text).groups()
    return int(whole.replace(",", "")) * 100 + (int(cents) if not whole.startswith("-") else -int(cents))


def open_card(page, card: str) -> None:
    box = page.get_by_label(CARD_BOX)
    box.fill(card)
    box.press("Enter")
    expect(page.locator(".senior-card")).to_contain_text(card)


def last_ledger_row(page, server, card: str):
    """The senior's account page, as the operator opens it from the desk: the newest row of the history."""
    open_card(page, card)
    page.get_by_role("link", name=re.compile("账户明细与对账单")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(card)
    return page.locator("main table tbody tr").last


def test_the_ledger_gets_the_menu_price_of_the_kind_chosen(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "canteen")
    prices = menu(server)
    # 10:00 on the server's clock: the desk offers 午餐 first; the operator picks each kind in turn.
    for card, kind in (("D0401", "breakfast"), ("D0403", "dinner"), ("D0404", "lunch")):
        page.goto(server.url + "/dining")
        open_card(page, card)
        page.get_by_role("radio", name=re.compile("^" + KIND_LABELS[kind])).check()
        expect(page.get_by_label("餐费（元）")).to_have_value(f"{prices[kind] // 100}.{prices[kind] % 100:02d}")
        page.get_by_role("button", name="记录就餐").click()
        expect(page.locator(".meal-result")).to_contain_text(KIND_LABELS[kind])
        row = last_ledger_row(page, server, card)
        expect(row).to_contain_text(f"就餐 · {KIND_LABELS[kind]}")
        assert fen(row.locator("td").nth(3).inner_text()) == prices[kind]
        assert meals_of(server, card) == [(kind, prices[kind], min(prices[kind], 20000))]
    page.goto(server.url + "/dining")
    open_card(page, "D0404")
    page.screenshot(path=str(artifacts / "canteen-desk-kiosk.png"))
    assert small_targets(page, "main") == []


def test_without_javascript_the_server_takes_the_chosen_kinds_price(browser, server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        login(page, server, "canteen")
        prices = menu(server)
        page.goto(server.url + "/dining?card=D0406")
        expect(page.get_by_label("餐费（元）")).to_have_value("15.00")  # filled for 午餐, the kind offered at 10:00
        page.get_by_role("radio", name=re.compile("^早餐")).check()  # no script runs: the field still says 15.00
        page.get_by_role("button", name="记录就餐").click()
        expect(page.locator(".meal-result")).to_contain_text("早餐")
        assert meals_of(server, "D0406") == [("breakfast", prices["breakfast"], prices["breakfast"])]
        # A price the operator typed on purpose is kept.
        page.get_by_label(CARD_BOX).fill("D0406")
        page.get_by_label(CARD_BOX).press("Enter")
        page.get_by_role("radio", name=re.compile("^晚餐")).check()
        page.get_by_label("餐费（元）").fill("8.50")
        page.get_by_role("button", name="记录就餐").click()
        expect(page.locator(".meal-result")).to_contain_text("晚餐 8.50")
        assert meals_of(server, "D0406")[-1] == ("dinner", 850, 850)
    finally:
        context.close()


def test_a_second_press_asks_before_a_second_meal(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "canteen")
    open_card(page, "D0407")
    page.get_by_role("radio", name=re.compile("^午餐")).check()
    page.get_by_role("button", name="记录就餐").click()
    # Ready for the next card: the box empty and focused, the result large, no button left to press again.
    result = page.locator(".meal-result")
    expect(result).to_contain_text("D0407")
    box = page.get_by_label(CARD_BOX)
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    expect(page.get_by_role("button", name="记录就餐")).to_have_count(0)
    page.screenshot(path=str(artifacts / "canteen-desk-recorded.png"))
    assert len(meals_of(server, "D0407")) == 1

    # The card comes again (a second swipe) and 记录就餐 is pressed: the desk asks.
    box.fill("D0407")
    box.press("Enter")
    page.get_by_role("button", name="记录就餐").click()
    question = page.get_by_role("alert")
    expect(question).to_contain_text("今天已记过午餐，确定再记一餐？")
    cancel = page.get_by_role("link", name="取消")
    expect(cancel).to_be_focused()  # Enter by habit cancels; 再记一餐 takes a deliberate choice
    page.screenshot(path=str(artifacts / "canteen-desk-repeat.png"))
    cancel.press("Enter")
    expect(page.get_by_label(CARD_BOX)).to_be_focused()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert len(meals_of(server, "D0407")) == 1  # cancelling recorded nothing

    open_card(page, "D0407")
    expect(page.locator(".eaten-today")).to_contain_text("午餐")
    page.get_by_role("button", name="记录就餐").click()
    page.get_by_role("button", name="再记一餐").click()
    expect(page.locator(".meal-result")).to_contain_text("D0407")
    assert [m[0] for m in meals_of(server, "D0407")] == ["lunch", "lunch"]


def test_a_void_asks_for_a_reason_from_the_keyboard(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "canteen")
    open_card(page, "D0409")
    balance = fen(page.locator(".balance strong").inner_text())
    page.get_by_role("button", name="记录就餐").click()
    expect(page.locator(".meal-result")).to_contain_text("D0409")

    void = page.get_by_role("button", name=re.compile("撤销 D0409"))
    void.focus()
    void.press("Enter")
    expect(page.get_by_role("heading", name="撤销这笔就餐？")).to_be_visible()
    first_reason = page.get_by_role("radio", name="重复记录")
    expect(first_reason).to_be_focused()
    assert len(meals_of(server, "D0409")) == 1  # asking voids nothing
    page.screenshot(path=str(artifacts / "canteen-desk-void.png"))
    assert small_targets(page, ".dining-confirm") == []
    page.keyboard.press("ArrowDown")  # 餐别或餐费录错
    expect(page.get_by_role("radio", name="餐别或餐费录错")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("应为晚餐")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="确认撤销")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("已撤销 D0409")
    row = page.locator(".desk-today tbody tr", has_text="D0409")
    expect(row).to_contain_text("已撤销 · 餐别或餐费录错：应为晚餐")
    assert meals_of(server, "D0409") == []
    ledger = last_ledger_row(page, server, "D0409")
    expect(ledger).to_contain_text("冲正")
    expect(ledger).to_contain_text("原因：餐别或餐费录错：应为晚餐")
    assert fen(page.locator(".big-numbers strong").first.inner_text()) == balance  # the subsidy came back


def test_without_javascript_a_void_asks_on_a_page_of_its_own(browser, server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        login(page, server, "canteen")
        page.goto(server.url + "/dining?card=D0410")
        page.get_by_role("button", name="记录就餐").click()
        expect(page.locator(".meal-result")).to_contain_text("D0410")
        page.get_by_role("button", name=re.compile("撤销 D0410")).click()
        expect(page.get_by_role("heading", name="撤销这笔就餐？")).to_be_visible()
        page.get_by_role("button", name="确认撤销").click()  # no reason chosen
        expect(page.get_by_role("alert")).to_contain_text("请选择撤销原因")
        assert len(meals_of(server, "D0410")) == 1
        page.get_by_role("radio", name="其他").check()
        page.get_by_label(re.compile("补充说明")).fill("老人临时离开")
        page.get_by_role("button", name="确认撤销").click()
        expect(page.locator(".flash-success")).to_contain_text("老人临时离开")
        assert meals_of(server, "D0410") == []
    finally:
        context.close()
