"""Journey: 办结 and 不予受理 cannot be undone, so the counter asks first: in place and from the keyboard (Enter
confirms, Esc goes back), and without JavaScript on a confirmation page."""

import re

from playwright.sync_api import expect

from e2e.counter_steps import accept_case, case_status
from e2e.helpers import login


def test_worker_confirms_completion_from_the_keyboard_and_esc_goes_back(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, "MZ11", "惠民殡葬补贴申请", "孙立新")

    complete = panel.get_by_role("button", name="办结", exact=True)
    complete.click()
    step = panel.get_by_role("alertdialog", name="确认办结？")
    expect(step).to_be_visible()
    expect(step).to_contain_text(code)
    expect(step).to_contain_text("惠民殡葬补贴申请")
    expect(step).to_contain_text("不能撤销")
    confirm = step.get_by_role("button", name="确认办结")
    expect(confirm).to_be_focused()
    page.screenshot(path=str(artifacts / "counter-confirm-complete.png"), full_page=True)

    # Esc: back to the case, nothing done, the cursor on 办结 again.
    page.keyboard.press("Escape")
    expect(step).to_have_count(0)
    expect(panel.locator(".status")).to_have_text("已受理")
    expect(complete).to_be_focused()
    assert case_status(page, server, case_id) == "已受理"

    # Enter on 办结 asks again; Enter on 确认办结 completes.
    page.keyboard.press("Enter")
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel.locator(".status")).to_have_text("已办结")
    expect(panel.locator(".flash-success")).to_contain_text("已办结")
    assert case_status(page, server, case_id) == "已办结"
    assert panel.locator(".timeline li", has_text="办结").count() == 1
    assert console_errors == []


def test_refusal_in_place_cancel_keeps_the_reason(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, "MZ07", "临时救助申请", "郑海燕")

    reason = panel.get_by_label("不予受理原因")
    reason.fill("已在户籍地申领，不重复受理")
    panel.get_by_role("button", name="不予受理", exact=True).click()
    step = panel.get_by_role("alertdialog", name="确认不予受理？")
    expect(step).to_contain_text("已在户籍地申领，不重复受理")
    expect(step).to_contain_text(code)
    expect(step.get_by_role("button", name="确认不予受理")).to_be_focused()

    step.get_by_role("button", name=re.compile("^取消")).click()
    expect(step).to_have_count(0)
    expect(panel.get_by_label("不予受理原因")).to_have_value("已在户籍地申领，不重复受理")  # nothing typed is lost
    assert case_status(page, server, case_id) == "已受理"
    assert console_errors == []


def test_refusal_without_javascript_asks_on_a_confirmation_page(browser, server, artifacts):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    login(page, server, "worker")
    page.goto(server.url + "/counter?q=MZ12")
    page.locator("#search-results a", has_text="退役军人优待证申领").click()
    page.get_by_label("姓名").fill("周建国")
    page.get_by_role("button", name=re.compile("^受理")).click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    code = page.locator(".case-code").inner_text()

    page.get_by_label("不予受理原因").fill("非本辖区户籍，请到户籍地办理")
    page.get_by_role("button", name="不予受理", exact=True).click()
    step = page.get_by_role("alertdialog", name="确认不予受理？")
    expect(step).to_contain_text(code)
    expect(step).to_contain_text("非本辖区户籍，请到户籍地办理")
    expect(step.get_by_role("button", name="确认不予受理")).to_be_focused()  # autofocus: no script needed
    page.screenshot(path=str(artifacts / "case-confirm-refuse-nojs.png"), full_page=True)
    expect(page.locator(".status")).to_have_text("待补正")  # nothing ticked at intake; not refused yet

    step.get_by_role("button", name="确认不予受理").click()
    expect(page).to_have_url(case_url)
    expect(page.locator(".status")).to_have_text("不予受理")
    expect(page.locator(".timeline")).to_contain_text("非本辖区户籍，请到户籍地办理")
    context.close()
