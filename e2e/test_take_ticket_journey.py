"""Journey: a resident takes a number at the hall door and follows it on their phone.

The tablet at the door (1080×1920 portrait) shows one big button per queue; a touch lands on the printed 80 mm
ticket, which goes back to the take page by itself. The ticket is printed by Chromium to an 80 mm PDF, rasterised
at 300 dpi by poppler and its QR decoded by zbar, as a phone's camera reads the paper; the address it holds opens
the resident's ticket page on a phone, which keeps its content when a poll fails and shows the window once called.
The server runs on the e2e clock (CENTER_CLOCK: a Wednesday morning in service hours, e2e/conftest.py).
"""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import expect

from e2e.helpers import decode_qr, overflow, pdf_page_count, pdf_to_pngs, run_tool, small_targets

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
QUEUES = ["A 社保医保", "B 民政老龄", "C 户籍居住", "D 综合咨询"]


def queue_button(page, name: str):
    return page.get_by_role("button", name=re.compile("^" + re.escape(name)))


def db_path(server) -> str:
    return server.env["DATABASE_URL"].removeprefix("sqlite:///")


def test_a_touch_prints_a_ticket_whose_qr_opens_the_ticket_page_on_a_phone(page, server, browser, auditor,
                                                                            artifacts, tmp_path):
    # ---- the tablet at the door
    page.set_viewport_size(PORTRAIT)
    page.goto(server.url + "/take/daxi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("取号")
    for name in QUEUES:
        expect(queue_button(page, name)).to_be_enabled()
        expect(queue_button(page, name)).to_contain_text(re.compile(r"等候 \d+ 人"))
    expect(page.locator(".take-until")).to_have_text(re.compile(r"今日取号截至 \d\d:\d\d"))
    priority = page.get_by_role("checkbox", name="老年人、残疾人优先")
    expect(priority).not_to_be_checked()
    assert small_targets(page, "main", minimum=64) == []
    assert overflow(page)["x"] == 0
    page.screenshot(path=str(artifacts / "take-portrait.png"))
    # The priority choice is a toggle: a touch sets it, a second clears it.
    page.locator(".take-priority").click()
    expect(priority).to_be_checked()
    auditor.check_page(page, "with priority chosen")
    page.locator(".take-priority").click()
    expect(priority).not_to_be_checked()

    queue_button(page, "A 社保医保").click()
    expect(page).to_have_url(re.compile(re.escape(server.url) + r"/take/daxi/ticket/[A-Za-z0-9_-]{20,}$"))
    ticket_url = page.url
    number = page.get_by_role("heading", level=1).inner_text().strip()
    assert re.fullmatch(r"A\d{3}", number), number
    expect(page.locator(".ticket-before")).to_have_text(re.compile(r"前面还有 \d+ 人"))
    expect(page.locator(".ticket-wait")).to_have_text(re.compile(r"预计等候约 \d+ 分钟|暂无窗口开放，请留意叫号"))
    expect(page.get_by_role("link", name="返回取号")).to_be_visible()
    assert overflow(page)["x"] == 0
    page.screenshot(path=str(artifacts / "take-ticket-screen.png"), full_page=True)
    # The tablet goes back to the take page by itself, ready for the next person.
    expect(page).to_have_url(server.url + "/take/daxi")
    expect(queue_button(page, "A 社保医保")).to_be_enabled()

    # ---- the paper: the same ticket printed on an 80 mm roll (scripts off: it would print and leave by itself)
    printer = browser.new_context(java_script_enabled=False)
    sheet = printer.new_page()
    sheet.goto(ticket_url)
    expect(sheet.get_by_role("heading", level=1)).to_have_text(number)
    pdf = tmp_path / "ticket.pdf"
    sheet.pdf(path=str(pdf), width="80mm", prefer_css_page_size=True, print_background=True)
    printer.close()
    assert pdf_page_count(pdf) == 1
    width_pt = float(re.search(r"Page size:\s+([\d.]+) x", run_tool("pdfinfo", pdf)).group(1))
    assert abs(width_pt - 80 / 25.4 * 72) < 2, width_pt  # 80 mm
    codes = [code for png in pdf_to_pngs(pdf, tmp_path, dpi=300) for code in decode_qr(png)]
    assert len(codes) == 1, codes
    status_url = codes[0]
    assert re.fullmatch(re.escape(server.url) + r"/q/[A-Za-z0-9_-]{20,}", status_url), status_url
    text = re.sub(r"\s+", "", run_tool("pdftotext", pdf, "-"))
    for words in (number, "A社保医保", "前面还有", "今日取号截至", "扫码查看排队进度"):
        assert words in text, (words, text)
    run_tool("pdftoppm", "-r", 150, "-png", "-singlefile", pdf, artifacts / "take-ticket-print")

    # ---- the resident's phone opens what the QR says
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    mine = phone.new_page()
    mine.goto(status_url)
    expect(mine.get_by_role("heading", level=1)).to_have_text(number)
    live = mine.locator("#ticket-live")
    expect(live).to_contain_text("等候中")
    expect(live).to_contain_text(re.compile(r"前面还有 \d+ 人"))
    assert overflow(mine)["x"] == 0
    mine.screenshot(path=str(artifacts / "take-q-phone.png"), full_page=True)

    # A poll that fails (the hall's wifi drops) keeps what is shown.
    mine.route("**/q/*", lambda route: route.abort())
    with mine.expect_event("requestfailed", timeout=30_000):
        pass
    expect(live).to_contain_text(re.compile(r"前面还有 \d+ 人"))
    mine.unroute("**/q/*")

    # Called to window 3 (as the window's 叫号 writes it): the phone shows it by itself within a poll.
    token = status_url.rsplit("/", 1)[1]
    with sqlite3.connect(db_path(server), timeout=10) as conn:
        conn.execute("UPDATE ticket SET state = 'called', window = '3', version = version + 1 WHERE token = ?",
                     (token,))
    expect(live.locator(".mine-window")).to_have_text(re.compile(r"请到\s*3\s*号窗口"))
    expect(live).to_contain_text("请到窗口")
    mine.screenshot(path=str(artifacts / "take-q-phone-called.png"), full_page=True)
    auditor.check_page(mine, "once called")
    phone.close()


def test_the_take_page_fits_the_tablet_the_screen_and_a_phone(page, server, artifacts):
    for name, size in (("portrait", PORTRAIT), ("landscape", LANDSCAPE), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(server.url + "/take/daxi")
        expect(queue_button(page, "D 综合咨询")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), name
        assert small_targets(page, "main", minimum=64) == [], name
        page.screenshot(path=str(artifacts / f"take-{name}.png"), full_page=True)
