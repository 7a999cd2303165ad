"""Journey: on the case panel, what the worker cannot take back asks first. 转交 names the colleague who will own
the case; 材料已补齐 names the materials it will mark as received; 取消 (or Esc) leaves everything as it was. An
empty reason is answered in Chinese on its field, never by the browser's English bubble."""

import re

from playwright.sync_api import expect

from e2e.counter_steps import accept_case, case_status, unexpected
from e2e.helpers import login

HAND_OVER = ("GA03", "户口迁入（投靠）受理")
RESUME = ("GA01", "居住证申领")
REASONS = ("GA08", "户籍信息变更更正")


def test_a_hand_over_asks_first_naming_the_colleague(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *HAND_OVER, "甘秀英")
    select = panel.get_by_label("接手同事")
    colleague = select.locator("option").nth(1).inner_text()
    select.select_option(label=colleague)
    panel.get_by_label("转交原因").fill("本人明日起休假")
    panel.get_by_role("button", name="转交同事").click()

    step = panel.get_by_role("alertdialog", name=f"确认转交给 {colleague}？")
    expect(step).to_be_visible()
    expect(step).to_contain_text(code)
    expect(step).to_contain_text("本人明日起休假")
    expect(step).to_contain_text("不能再办理此件")
    confirm = step.get_by_role("button", name=f"确认转交给 {colleague}")
    expect(confirm).to_be_focused()
    page.screenshot(path=str(artifacts / "case-confirm-hand-over.png"), full_page=True)

    # Esc: nothing changed, the colleague and the reason still chosen.
    page.keyboard.press("Escape")
    expect(step).to_have_count(0)
    expect(panel.get_by_label("接手同事").locator("option:checked")).to_have_text(colleague)
    expect(panel.get_by_label("转交原因")).to_have_value("本人明日起休假")
    expect(panel).not_to_contain_text(f"此件由 {colleague} 负责办理")

    panel.get_by_role("button", name="转交同事").click()
    panel.get_by_role("button", name=f"确认转交给 {colleague}").click()
    expect(panel.locator(".flash-success")).to_have_text(f"已转交给 {colleague}")
    expect(panel).to_contain_text(f"此件由 {colleague} 负责办理")
    assert case_status(page, server, case_id) == "已受理"
    assert console_errors == []


def test_materials_supplied_asks_first_naming_what_it_marks_received(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    # Only the ID card brought: 待补正 at intake, the two proofs to bring.
    panel, case_id, code = accept_case(page, *RESUME, "蒋立华", brought=("居民身份证",))
    expect(panel.locator(".status")).to_have_text("待补正")
    expect(panel.locator(".materials-missing")).to_have_text("尚缺：合法稳定住所证明、合法稳定就业或就读证明")

    panel.get_by_role("button", name="材料已补齐").click()
    step = panel.get_by_role("alertdialog", name="将全部材料标记为已收？")
    expect(step).to_contain_text("以下 2 项将标记为已收：合法稳定住所证明、合法稳定就业或就读证明")
    expect(step).to_contain_text("顺延至")
    expect(step.get_by_role("button", name="确认材料已补齐")).to_be_focused()
    page.screenshot(path=str(artifacts / "case-confirm-supplied.png"), full_page=True)

    # 取消: still awaiting, nothing ticked.
    step.get_by_role("button", name=re.compile("^取消")).click()
    expect(step).to_have_count(0)
    expect(panel.locator(".status")).to_have_text("待补正")
    expect(panel.locator(".materials-missing-count")).to_have_text("缺 2 项")

    panel.get_by_role("button", name="材料已补齐").click()
    panel.get_by_role("button", name="确认材料已补齐").click()
    expect(panel.locator(".status")).to_have_text("已受理")
    expect(panel.locator(".materials-received")).to_have_text("已收 3 项")
    assert case_status(page, server, case_id) == "已受理"
    assert console_errors == []


def test_an_empty_reason_is_answered_in_chinese_on_its_field(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *REASONS, "晏立群")
    for action, label, message in (
            ("不予受理", "不予受理原因", "请填写不予受理的原因"),
            ("转交同事", "转交原因", "请填写转交原因"),
    ):
        panel.get_by_role("button", name=action, exact=True).click()
        field = panel.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(message)
        expect(field).to_be_focused()
        assert field.evaluate("el => el.validationMessage") == ""  # no browser bubble ("Please fill out this field.")
    note = panel.get_by_label("转办说明（转往哪个部门、办理什么）")
    note.fill("")
    panel.get_by_role("button", name="转办", exact=True).click()
    expect(note).to_have_accessible_description("请填写转办说明：转往哪个部门、办理什么")
    page.screenshot(path=str(artifacts / "case-reason-chinese.png"), full_page=True)
    assert case_status(page, server, case_id) == "已受理"
    assert unexpected(console_errors, 422) == []
