"""Journey: the small things a real office notices at the counter. A wrong ID checksum is marked and focused, 转办
needs its 说明, 转交 names the colleague, the district admin is not offered the intake, and −5 and 99999999 are
told apart."""

import re

from playwright.sync_api import expect

from e2e.counter_steps import accept_case, open_item, unexpected
from e2e.helpers import login

BAD_CHECKSUM = "110105194912310021"  # 11010519491231002X with a wrong last character


def expect_field_error(page, field, message: str) -> None:
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    described = page.locator("#" + field.get_attribute("aria-describedby"))
    expect(described).to_have_text(message)
    expect(field).to_have_accessible_description(message)


def test_a_wrong_id_checksum_is_marked_next_to_the_field_and_focused(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = open_item(page, "GA07", "无犯罪记录证明申请")
    panel.get_by_label("姓名").fill("冯志强")
    panel.get_by_label("身份证号").fill(BAD_CHECKSUM)
    panel.get_by_label("联系电话").fill("13711112222")
    panel.get_by_label("联系电话").press("Enter")

    id_field = panel.get_by_label("身份证号")
    expect_field_error(page, id_field, "身份证号校验位不正确，请核对")
    expect(id_field).to_have_value(BAD_CHECKSUM)
    expect(panel.get_by_label("姓名")).to_have_value("冯志强")
    expect(panel.get_by_label("联系电话")).to_have_value("13711112222")
    page.screenshot(path=str(artifacts / "counter-id-error.png"), full_page=True)

    # Correct it where the cursor already is, Enter: accepted.
    id_field.fill("11010519491231002X")
    id_field.press("Enter")
    expect(panel.locator(".status")).to_have_text("待补正")  # a required material not ticked: 待补正 at once
    assert unexpected(console_errors, 422) == []


def test_a_wrong_id_checksum_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    login(page, server, "worker")
    page.goto(server.url + "/counter?q=GA07")
    page.locator("#search-results a", has_text="无犯罪记录证明申请").click()
    page.get_by_label("姓名").fill("冯志强")
    page.get_by_label("身份证号").fill(BAD_CHECKSUM)
    page.get_by_role("button", name=re.compile("^受理")).click()
    expect_field_error(page, page.get_by_label("身份证号"), "身份证号校验位不正确，请核对")
    expect(page.get_by_label("姓名")).to_have_value("冯志强")
    context.close()


def test_forwarding_needs_a_note_and_the_hand_over_names_the_colleague(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, "GA09", "死亡人员户口注销", "韩桂兰")

    note = panel.get_by_label("转办说明（转往哪个部门、办理什么）")
    note.fill("   ")
    panel.get_by_role("button", name="转办", exact=True).click()
    note = panel.get_by_label("转办说明（转往哪个部门、办理什么）")
    expect_field_error(page, note, "请填写转办说明：转往哪个部门、办理什么")
    expect(panel.locator(".status")).to_have_text("已受理")
    note.fill("辖区派出所户籍室：注销户口")
    panel.get_by_role("button", name="转办", exact=True).click()
    expect(panel.locator(".status")).to_have_text("已转办")
    expect(panel.locator(".timeline")).to_contain_text("辖区派出所户籍室：注销户口")

    select = panel.get_by_label("接手同事")
    colleague = select.locator("option").nth(1).inner_text()
    select.select_option(label=colleague)
    panel.get_by_label("转交原因").fill("本人下午外出培训")
    panel.get_by_role("button", name="转交同事").click()
    panel.get_by_role("button", name=f"确认转交给 {colleague}").click()  # asked first, naming the colleague
    expect(panel.locator(".flash-success")).to_have_text(f"已转交给 {colleague}")
    expect(panel).to_contain_text(f"此件由 {colleague} 负责办理")
    assert unexpected(console_errors, 422) == []


def test_the_admin_is_told_why_there_is_no_intake_form(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "admin")
    page.goto(server.url + "/counter")
    expect(page.get_by_role("note")).to_contain_text("区级管理员账号不属于任何服务中心，不能在窗口受理")
    panel = open_item(page, "ZF09", "个人住房状况查询证明")
    expect(panel.get_by_role("note")).to_contain_text("不能在窗口受理或答复咨询")
    expect(panel).to_contain_text("居民身份证")  # the materials can be read
    expect(panel.get_by_role("button", name=re.compile("受理|答复咨询"))).to_have_count(0)
    expect(panel.get_by_label("姓名")).to_have_count(0)
    page.screenshot(path=str(artifacts / "counter-admin.png"), full_page=True)

    # A case of a center: what the district may do stays, the counter-only step does not.
    page.goto(server.url + "/cases/1")
    expect(page.locator(".case-code")).to_be_visible()
    expect(page.get_by_role("link", name="为该居民办理其他事项")).to_have_count(0)
    assert console_errors == []


def test_minus_five_and_99999999_get_their_own_messages_at_the_canteen_desk(page, server, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "canteen")
    card = page.get_by_label("就餐卡号（刷卡或输入后回车）")
    card.fill("D0477")
    card.press("Enter")
    for typed, message in (("−5", "餐费不能为负数"), ("99999999", "餐费不能超过 1000 元"), ("12.345", "餐费最多两位小数（精确到分）")):
        price = page.get_by_label("餐费（元）")
        price.fill(typed)
        page.get_by_role("button", name="记录就餐").click()
        expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.locator(".desk-today tbody tr", has_text="D0477")).to_have_count(0)  # nothing was recorded
    assert unexpected(console_errors, 422) == []
