"""Journey: late December, a promise runs into 2027 (a year chinese-calendar does not know). The counter and the
printed slip say 预计 and skip 1 January; the admin enters the 2027 notice on /calendar with a preview; the case
page then shows the new deadline and the line on its timeline."""

import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.helpers import login, overflow
from tests.support.live_server import LiveServer, center_command

# Monday 28 December 2026, 10:00 in Shanghai: the last week of the last year the statutory data knows.
DECEMBER_CLOCK = "2026-12-28T10:00:00+08:00"
PROVISIONAL_NOTE = "（2027 年放假安排未公布，日期可能调整）"
# A plausible 2027 notice (the real one is not out): 春节 5–13 February, 调休 Sunday 31 January and Saturday
# 20 February. The form starts from the rules (春节 5–10 February); the admin types the notice over it.
SPRING_FESTIVAL_LAST = "2027-02-13"
MAKEUP_DAYS = ["2027-01-31", "2027-02-20"]


@pytest.fixture(scope="module")
def december_server():
    """A second demo server whose clock starts in late December (the shared one runs on 9 December)."""
    tmp = Path(tempfile.mkdtemp(prefix="center-e2e-december-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/center.db", "CENTER_VAR_DIR": str(tmp),
           "CENTER_DEMO": "1", "CENTER_SCHEDULER": "0", "CENTER_CLOCK": DECEMBER_CLOCK}
    env.pop("SECRET_KEY", None)
    center_command(["migrate"], env)
    center_command(["demo"], env)
    live = LiveServer(env, tmp / "server.log").start()
    yield live
    live.stop()


def text(locator) -> str:
    return " ".join(locator.inner_text().split())


def accept_item(page, query: str, name: str) -> str:
    """Search an item at the counter, accept it for the resident; the case code."""
    panel = page.locator("#work-panel")
    search = page.locator("#counter-search")
    search.fill(query)
    page.locator("#search-results [data-result]").filter(has_text=name).first.click()
    expect(panel.get_by_role("heading", name=name)).to_be_visible()
    return panel


def test_a_late_december_promise_is_provisional_until_the_admin_enters_the_2027_notice(
        page, december_server, browser, artifacts, console_errors, tmp_path):
    server = december_server
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    expect(page).to_have_url(server.url + "/counter")
    panel = page.locator("#work-panel")

    # 1. 老年证 (5 working days) on Monday 28 December: 29, 30, 31 December, then Friday 1 January is 元旦 even
    #    before the notice, so Monday 4 and Tuesday 5 January: 预计 2027年1月5日, marked as provisional.
    accept_item(page, "老年证", "老年人优待证办理（老年证）")
    promise = panel.locator(".promise")
    expect(promise).to_contain_text("预计 2027年1月5日 办结" + PROVISIONAL_NOTE)
    page.screenshot(path=str(artifacts / "december-counter-promise.png"))
    panel.get_by_label("居民身份证").check()
    panel.get_by_label("户口簿").check()
    panel.get_by_label("近期免冠一寸彩色照片").check()  # everything brought: 已受理, the clock running
    panel.get_by_label("姓名").fill("腊月测试")
    panel.get_by_role("button", name="受理").click()
    expect(panel.locator(".status")).to_have_text("已受理")
    expect(panel.locator(".case-due")).to_have_text("预计 2027年1月5日 办结" + PROVISIONAL_NOTE)
    senior_code = panel.locator(".case-code").inner_text()

    # 2. The printed slip says the same: print it to PDF and read the text a resident takes home.
    with page.context.expect_page() as slip_info:
        panel.get_by_role("link", name="打印一次性告知单").click()
    slip = slip_info.value
    expect(slip.locator(".slip-due")).to_contain_text("预计 2027年1月5日 办结")
    slip.screenshot(path=str(artifacts / "december-slip.png"), full_page=True)
    slip.pdf(path=str(tmp_path / "slip.pdf"), format="A4")
    printed = subprocess.run(["pdftotext", "-layout", str(tmp_path / "slip.pdf"), "-"], capture_output=True,
                             text=True, check=True).stdout
    printed = re.sub(r"\s+", "", printed)
    assert "预计2027年1月5日办结（2027年放假安排未公布，日期可能调整）" in printed, printed
    assert "2027年1月4日" not in printed and "2027年01月04日" not in printed
    status_url = slip.locator(".qr").get_attribute("data-url")
    slip.close()
    # The resident's phone opens the slip's status address: the same expected date, without logging in.
    visitor_context = browser.new_context(viewport={"width": 390, "height": 844})
    visitor = visitor_context.new_page()
    visitor.goto(status_url)
    expect(visitor.locator(".status-card")).to_contain_text("预计 2027年1月5日 办结" + PROVISIONAL_NOTE)
    visitor.screenshot(path=str(artifacts / "december-status-phone.png"), full_page=True)
    visitor_context.close()

    # 3. Another resident, 最低生活保障 (30 working days): 元旦 and 春节 (5–10 February by the lunar calendar) are
    #    skipped: 预计 2027年2月15日.
    page.goto(server.url + "/counter")
    accept_item(page, "最低生活保障", "最低生活保障申请")
    expect(panel.locator(".promise")).to_contain_text("预计 2027年2月15日 办结" + PROVISIONAL_NOTE)
    for box in panel.locator(".materials input[type=checkbox]").all():
        box.check()
    panel.get_by_label("姓名").fill("腊月测试")
    panel.get_by_role("button", name="受理").click()
    expect(panel.locator(".status")).to_have_text("已受理")
    expect(panel.locator(".case-due")).to_have_text("预计 2027年2月15日 办结" + PROVISIONAL_NOTE)
    dibao_code = panel.locator(".case-code").inner_text()
    case_url = server.url + "/cases/" + panel.locator("[data-case-id]").get_attribute("data-case-id")
    page.screenshot(path=str(artifacts / "december-case-provisional.png"), full_page=True)

    # 4. A manager sees the provisional 2027 but cannot change the district's calendar.
    manager_context = browser.new_context(viewport={"width": 1366, "height": 768})
    manager = manager_context.new_page()
    login(manager, server, "manager")
    manager.locator(".banner").get_by_role("link", name="查看工作日历").click()
    expect(manager.locator(".calendar-source")).to_contain_text("预计")
    expect(manager.get_by_role("row").filter(has_text="春节")).to_contain_text("2月5日–2月10日")
    expect(manager.locator("form.notice-form")).to_have_count(0)
    expect(manager.get_by_role("button", name="保存调整")).to_have_count(0)
    manager.screenshot(path=str(artifacts / "december-calendar-manager.png"), full_page=True)
    manager_context.close()

    # 5. The admin follows the banner to the 2027 notice form, types the notice and previews it.
    admin_context = browser.new_context(viewport={"width": 1366, "height": 768})
    admin = admin_context.new_page()
    login(admin, server, "admin")
    banner = admin.locator(".banner")
    expect(banner).to_contain_text("2027 年放假安排尚未录入")
    banner.get_by_role("link", name="录入放假安排").click()
    expect(admin).to_have_url(re.compile(r"/calendar\?year=2027#notice$"))
    expect(admin.locator(".calendar-source")).to_contain_text("预计")
    form = admin.locator("form.notice-form")
    expect(form.get_by_label("春节放假开始")).to_have_value("2027-02-05")  # started from the rules
    form.get_by_label("春节放假结束").fill(SPRING_FESTIVAL_LAST)
    for index, day in enumerate(MAKEUP_DAYS, start=1):
        form.get_by_label(f"调休上班日 {index}", exact=True).fill(day)
    form.get_by_role("button", name="预览变化").click()

    preview = admin.locator(".notice-preview")
    expect(preview).to_be_visible()
    expect(preview.get_by_role("heading", name="预览：保存后的变化")).to_be_focused()
    changed = preview.locator("table").filter(has_text="安排改变的日期")
    expect(changed.locator("tr").filter(has_text="1月31日")).to_contain_text("调休上班")
    expect(changed.locator("tr").filter(has_text="2月11日")).to_contain_text("春节（放假）")
    moves = preview.locator(".preview-moves")
    expect(moves.locator("tr").filter(has_text=dibao_code)).to_contain_text("2027年2月15日")
    expect(moves.locator("tr").filter(has_text=dibao_code)).to_contain_text("2027年2月16日")
    expect(moves.locator("tr").filter(has_text=senior_code)).to_have_count(0)  # 5 January does not move
    expect(preview.locator(".preview-summary")).to_contain_text("件在办件的办结期限将调整")
    admin.screenshot(path=str(artifacts / "december-calendar-preview.png"), full_page=True)

    # 6. Saved: the year now comes from the notice.
    preview.get_by_role("button", name="确认保存放假安排").click()
    expect(admin.locator(".flash-success")).to_contain_text("已录入 2027 年放假安排")
    expect(admin.locator(".calendar-source")).to_contain_text("已录入国务院通知")
    admin.screenshot(path=str(artifacts / "december-calendar-saved.png"), full_page=True)
    admin.set_viewport_size({"width": 390, "height": 844})
    assert overflow(admin)["x"] == 0
    admin.screenshot(path=str(artifacts / "december-calendar-phone.png"), full_page=True)
    admin.goto(server.url + "/centers")
    expect(admin.get_by_role("heading", level=1)).to_be_visible()
    expect(admin.locator(".banner")).to_have_count(0)  # 2027 is known now: no more warning
    admin_context.close()

    # 7. The worker's case page: the new deadline, no longer 预计, and the change on the timeline.
    page.goto(case_url)
    expect(page.locator(".case-due")).to_have_text("2027年2月16日")
    expect(page.locator(".timeline")).to_contain_text("放假安排公布，办结期限由 2027年2月15日 调整为 2027年2月16日")
    page.screenshot(path=str(artifacts / "december-case-moved.png"), full_page=True)
    page.goto(server.url + "/counter")
    page.locator("#sidebar").get_by_role("link").filter(has_text=senior_code).click()
    expect(page.locator("#work-panel .case-due")).to_have_text("2027年1月5日")
    expect(page.locator("#work-panel .timeline")).not_to_contain_text("放假安排公布")
    assert console_errors == []
