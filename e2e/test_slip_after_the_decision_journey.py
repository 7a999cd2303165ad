"""Journey: what the resident takes home and reads on the phone says the same as the case, whatever was decided.

A refused case's slip is a refusal notice with its reason (no promised date, nothing to bring back) and its status
page states the refusal and the reason; a completed case asks for nothing more; a case awaiting materials (待补正)
lists what to bring and shows its date as paused. The resident's side is read the way a resident reads it: the QR
of the slip printed to A4, rasterised and decoded, opened by a visitor who is not logged in.
"""

import re

from playwright.sync_api import expect

from e2e.counter_steps import accept_case
from e2e.helpers import decode_printed_qr, login

REFUSED = ("MZ05", "最低生活保障申请")
COMPLETED = ("MZ08", "残疾人证申领")
AWAITING = ("MZ06", "特困人员救助供养申请")
COME_BACK = re.compile("需补交|再来窗口|尚缺")


def printed_status_url(page, server, case_id, tmp_path, name: str) -> str:
    """Print the case's slip to A4 and read its QR as a phone reads paper."""
    printed = decode_printed_qr(page, tmp_path, dpi=300, name=name)
    assert printed["pages"] == 1 and len(printed["codes"]) == 1, printed
    return printed["codes"][0]


def as_resident(browser, url: str):
    """The status page on a phone that never logged in."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    response = phone.goto(url)
    assert response.status == 200 and "/login" not in phone.url
    return context, phone


def test_a_refused_case_prints_a_refusal_notice_and_the_phone_reads_the_reason(page, server, browser, artifacts,
                                                                               tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *REFUSED, "鲁春梅")
    reason = "家庭人均收入高于本市低保标准"
    panel.get_by_label("不予受理原因").fill(reason)
    panel.get_by_role("button", name="不予受理", exact=True).click()
    panel.get_by_role("button", name="确认不予受理").click()
    expect(panel.locator(".status")).to_have_text("不予受理")

    page.goto(server.url + f"/cases/{case_id}/slip")
    sheet = page.locator("main.sheet")
    expect(page.locator(".slip-title")).to_have_text("“一窗通办”不予受理告知书")
    expect(sheet.locator("tr", has_text="不予受理原因")).to_contain_text(reason)
    expect(sheet).to_contain_text(code)
    expect(sheet).not_to_contain_text("承诺办结")
    expect(sheet).not_to_contain_text(COME_BACK)
    page.screenshot(path=str(artifacts / "slip-refused.png"), full_page=True)

    url = printed_status_url(page, server, case_id, tmp_path, "refused")
    context, phone = as_resident(browser, url)
    expect(phone.locator(".status-big")).to_have_text("不予受理")
    expect(phone.get_by_role("heading", name="不予受理原因")).to_be_visible()
    expect(phone.locator("main")).to_contain_text(reason)
    expect(phone.locator("main")).not_to_contain_text("承诺办结")
    expect(phone.locator("main")).not_to_contain_text("鲁春梅")
    phone.screenshot(path=str(artifacts / "status-refused-phone.png"), full_page=True)
    context.close()


def test_a_completed_case_asks_for_nothing_more(page, server, browser, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *COMPLETED, "尹德胜")
    panel.get_by_role("button", name="办结", exact=True).click()
    panel.get_by_role("button", name="确认办结").click()
    expect(panel.locator(".status")).to_have_text("已办结")

    page.goto(server.url + f"/cases/{case_id}/slip")
    sheet = page.locator("main.sheet")
    expect(sheet.locator(".slip-table")).to_contain_text("已办结")
    expect(sheet).not_to_contain_text(COME_BACK)
    page.screenshot(path=str(artifacts / "slip-completed.png"), full_page=True)

    context, phone = as_resident(browser, page.locator(".qr-url").inner_text())
    expect(phone.locator(".status-big")).to_have_text("已办结")
    expect(phone.locator("main")).not_to_contain_text(COME_BACK)
    expect(phone.locator("main")).not_to_contain_text("请补交")
    context.close()


def test_a_case_awaiting_materials_tells_the_phone_what_to_bring_and_that_the_clock_is_paused(
        page, server, browser, artifacts, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    # Accepted with two required materials missing: 待补正 at once (一次性告知, the clock waits for them).
    panel, case_id, code = accept_case(page, *AWAITING, "佟桂香", brought=("居民身份证", "户口簿"))
    expect(panel.locator(".status")).to_have_text("待补正")
    expect(panel.locator(".materials-missing")).to_have_text("尚缺：特困人员救助供养申请书、残疾证或医院诊断证明")

    page.goto(server.url + f"/cases/{case_id}/slip")
    url = printed_status_url(page, server, case_id, tmp_path, "awaiting")
    context, phone = as_resident(browser, url)
    expect(phone.locator(".status-big")).to_contain_text("待补正")
    bring = phone.get_by_role("heading", name="请补交以下材料")
    expect(bring).to_be_visible()
    expect(phone.locator(".status-missing li")).to_have_text(["特困人员救助供养申请书", "残疾证或医院诊断证明"])
    expect(phone.locator(".status-due")).to_contain_text("补正期间暂停计时，补齐后顺延")
    expect(phone.locator("main")).not_to_contain_text("佟桂香")
    expect(phone.locator("main")).not_to_contain_text("户口簿")  # received: not asked for again
    phone.screenshot(path=str(artifacts / "status-awaiting-phone.png"), full_page=True)
    context.close()
