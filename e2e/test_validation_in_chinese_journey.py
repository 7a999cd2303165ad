"""Journey: a browser set to English still tells the worker in Chinese what is wrong with a field.

The browser's own bubbles follow its language ("Please fill out this field.", "Value must be greater than or equal
to 0."); every field of the app answers in Chinese from what is wrong with it, and the message goes away once the
field is corrected, so the form is sent.
"""

import re

from playwright.sync_api import expect

from e2e.helpers import login


def english_page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 768})
    return context, context.new_page()


def message(field) -> str:
    return field.evaluate("el => el.validationMessage")


def test_the_login_page_asks_for_the_empty_field_in_chinese(browser, server):
    context, page = english_page(browser)
    page.goto(server.url + "/login")
    page.get_by_role("button", name="登录").click()
    username = page.get_by_label("用户名")
    expect(username).to_be_focused()
    assert message(username) == "请填写此项"
    username.fill("worker")
    assert message(username) == ""
    page.get_by_role("button", name="登录").click()
    assert message(page.get_by_label("密码")) == "请填写此项"
    expect(page).to_have_url(re.compile("/login"))
    context.close()


def test_the_catalog_editor_says_the_smallest_promise_in_chinese(browser, server):
    context, page = english_page(browser)
    login(page, server, "manager")
    page.goto(server.url + "/catalog/1/edit")
    days = page.get_by_label("承诺时限（工作日）")
    days.fill("-5")
    page.get_by_role("button", name="保存（生成新版本）").click()
    expect(days).to_be_focused()
    assert message(days) == "不能小于 0"
    days.fill("61")
    page.get_by_role("button", name="保存（生成新版本）").click()
    assert message(days) == "不能大于 60"
    days.fill("2.5")
    page.get_by_role("button", name="保存（生成新版本）").click()
    assert message(days) == "请输入整数"
    expect(page).to_have_url(re.compile("/catalog/1/edit$"))  # nothing was sent
    context.close()
