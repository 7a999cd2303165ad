"""Journey: the intake tells every mistake at once. Several wrong fields are each marked with their own message,
the cursor goes to the first; an ID number born in the future (2050, valid checksum) is refused; the phone's
message says what it accepts (spaces too)."""

import re

from playwright.sync_api import expect

from e2e.counter_steps import open_item, unexpected
from e2e.helpers import login

ITEM = ("SB02", "城乡居民基本养老保险待遇领取申请")
FUTURE_BIRTH = "370302205001011230"  # GB 11643 checksum right, born 1 Jan 2050


def expect_marked(field, message: str) -> None:
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(message)


def test_every_wrong_field_is_marked_at_once_and_the_first_gets_the_cursor(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = open_item(page, *ITEM)
    panel.get_by_label("身份证号").fill(FUTURE_BIRTH)
    panel.get_by_label("联系电话").fill("138 1234 567a")
    panel.get_by_label("咨询内容 / 备注").fill("本人到龄申领")
    panel.get_by_role("button", name=re.compile("^受理")).click()

    name, id_number, phone = panel.get_by_label("姓名"), panel.get_by_label("身份证号"), panel.get_by_label("联系电话")
    expect_marked(name, "请填写居民姓名")
    expect_marked(id_number, "身份证号中的出生日期无效")
    expect_marked(phone, "电话号码只能包含数字、空格和连字符（-）")
    expect(panel.locator(".field-error")).to_have_count(3)
    expect(name).to_be_focused()
    expect(id_number).to_have_value(FUTURE_BIRTH)
    expect(phone).to_have_value("138 1234 567a")
    expect(panel.get_by_label("咨询内容 / 备注")).to_have_value("本人到龄申领")
    page.screenshot(path=str(artifacts / "counter-every-error-at-once.png"), full_page=True)

    # Corrected where told (spaces in the phone are fine, as the message says): accepted.
    name.fill("褚凤英")
    id_number.fill("11010519491231002X")
    phone.fill("138 1234 5678")
    phone.press("Enter")
    expect(panel.locator(".status")).to_have_text("待补正")  # a required material not ticked: 待补正 at once
    expect(panel).to_contain_text("138****5678")
    assert unexpected(console_errors, 422) == []
