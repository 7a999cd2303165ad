"""Journey: a case accepted with required materials missing waits for them from the start (一次性告知).

Before pressing 受理 the worker reads, by the button, that the case will be 待补正 and what the resident must bring,
updated as the boxes are ticked; once accepted the case is 待补正 with the clock paused from that day, its timeline
says what was missing, and the slip and the resident's status page (opened from the slip, not logged in) list what to
bring.
"""

import re

from playwright.sync_api import expect

from e2e.counter_steps import open_item, unexpected
from e2e.helpers import login

ITEM = ("MZ04", "居家养老服务补贴申请")
ALL = ["居民身份证", "户口簿", "老年人能力评估表", "家庭经济状况声明"]


def test_accepting_with_a_material_missing_tells_what_to_bring_and_pauses_the_clock(page, server, browser, artifacts,
                                                                                   console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = open_item(page, *ITEM)
    outcome = panel.locator("[data-accept-outcome]")
    expect(outcome).to_have_text("受理后此件为“待补正”（暂停计时），告知居民需补交：" + "、".join(ALL), use_inner_text=True)
    panel.get_by_label("居民身份证").check()
    panel.get_by_label("户口簿").check()
    expect(outcome).to_have_text(re.compile("需补交：老年人能力评估表、家庭经济状况声明$"), use_inner_text=True)
    panel.get_by_label("老年人能力评估表").check()
    panel.get_by_label("家庭经济状况声明").check()
    expect(outcome).to_have_text("必需材料已齐，受理后即开始计时", use_inner_text=True)
    panel.get_by_label("家庭经济状况声明").uncheck()
    expect(outcome).to_have_text(re.compile("需补交：家庭经济状况声明$"), use_inner_text=True)
    page.screenshot(path=str(artifacts / "counter-accept-outcome.png"), full_page=True)

    panel.get_by_label("姓名").fill("龚秀梅")
    panel.get_by_role("button", name=re.compile("^受理")).click()
    expect(panel.locator(".status")).to_have_text("待补正")
    expect(panel.locator(".flash-success")).to_contain_text("待补正（暂停计时）：家庭经济状况声明")
    expect(panel.locator(".badge-paused")).to_have_text("暂停计时")
    expect(panel.locator(".case-due")).to_contain_text("12月9日起暂停计时")
    expect(panel.locator(".timeline")).to_contain_text("受理时材料不全，待补正：家庭经济状况声明")
    expect(panel.get_by_role("button", name="材料已补齐")).to_be_visible()
    case_id = panel.locator(".case-panel").get_attribute("data-case-id")

    page.goto(server.url + f"/cases/{case_id}/slip")
    sheet = page.locator("main.sheet")
    expect(sheet.locator(".slip-table")).to_contain_text("待补正")
    expect(sheet.locator(".slip-due")).to_contain_text("补正期间暂停计时")
    expect(sheet.locator("tr.missing")).to_have_count(1)
    expect(sheet.locator("tr.missing")).to_contain_text("家庭经济状况声明")
    expect(sheet.locator("tr.missing")).to_contain_text("需补交")
    page.screenshot(path=str(artifacts / "slip-accepted-missing.png"), full_page=True)

    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(page.locator(".qr-url").inner_text())
    expect(phone.locator(".status-big")).to_contain_text("待补正")
    expect(phone.locator(".status-missing li")).to_have_text(["家庭经济状况声明"])
    expect(phone.locator(".status-due")).to_contain_text("补正期间暂停计时，补齐后顺延")
    context.close()
    assert not unexpected(console_errors)
