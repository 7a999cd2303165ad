"""Journey: a manager sets up a canteen terminal without JavaScript: the token is shown once, a reload creates
no second terminal, a second terminal of the same name is refused at the name, and 吊销 asks first, naming the
terminal and its canteen."""

import re

from playwright.sync_api import expect

from e2e.helpers import login

NAME = "测试窗口刷卡机"


def rows_named(page, name):
    return page.locator("table tbody tr", has=page.locator("td", has_text=re.compile(f"^{name}$")))


def test_a_terminal_is_created_once_and_revoked_after_a_question(browser, server, artifacts):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, server, "manager")
    page.goto(f"{server.url}/dining/devices")
    form = page.locator("form[action='/dining/devices']")
    canteen = form.get_by_label("助餐点").locator("option").first.inner_text()
    form.get_by_label("终端名称").fill(NAME)
    form.get_by_role("button", name="生成终端令牌").click()
    token = page.locator("code.token")
    expect(token).to_be_visible()
    expect(page).to_have_url(re.compile(r"/dining/devices$"))  # post/redirect/get
    expect(rows_named(page, NAME)).to_have_count(1)
    page.reload()
    expect(page.locator("code.token")).to_have_count(0)  # shown once
    expect(rows_named(page, NAME)).to_have_count(1)  # the reload created nothing

    form.get_by_label("终端名称").fill(NAME)
    form.get_by_role("button", name="生成终端令牌").click()
    name_field = page.locator("form[action='/dining/devices']").get_by_label("终端名称")
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name-error")).to_have_text(re.compile(f"已有名为“{NAME}”的终端"))
    expect(name_field).to_have_value(NAME)  # kept
    expect(rows_named(page, NAME)).to_have_count(1)
    page.screenshot(path=str(artifacts / "dining-devices-duplicate.png"), full_page=True)

    page.get_by_role("button", name=f"吊销 {NAME}（{canteen}）").click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text(f"吊销终端“{NAME}”？")
    expect(question).to_contain_text(canteen)
    page.screenshot(path=str(artifacts / "dining-device-revoke-confirm.png"), full_page=True)
    question.get_by_role("link", name=re.compile("取消")).click()
    expect(rows_named(page, NAME)).to_contain_text("有效")
    page.get_by_role("button", name=f"吊销 {NAME}（{canteen}）").click()
    page.get_by_role("button", name="确认吊销").click()
    expect(page.locator(".flash-success")).to_contain_text("终端已吊销")
    expect(rows_named(page, NAME)).to_contain_text("已吊销")
    context.close()
