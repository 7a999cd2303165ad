"""Journey: 好差评 from the slip to the published answer.

A worker completes a case and prints its slip; the resident's phone reads the QR off the printed A4 (rasterised by
poppler, decoded by zbar), opens the address without any login and rates the service 不满意 with reasons and a
comment. The center's manager finds the 差评 among the counter's reminders and on /ratings, checks it (核实：属实),
records the fix (整改) and what the resident was told (反馈). The resident opens the same address again and reads
"您的评价已处理：…" — and nothing about who served or who followed up.
"""

import re

from playwright.sync_api import expect

from e2e.counter_steps import accept_case
from e2e.helpers import decode_printed_qr, login, overflow

ITEM = ("MZ12", "退役军人优待证申领")
RESIDENT = "邵秀琴"
COMMENT = "材料第一次没说全，跑了两趟 <b>不满意</b>"
FEEDBACK = "已核实并整改：窗口已补充材料清单提示，工作人员已培训。感谢您的监督！"


def test_the_resident_rates_from_the_slip_and_reads_the_managers_answer(page, server, browser, artifacts, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *ITEM, RESIDENT)
    panel.get_by_role("button", name="办结", exact=True).click()
    panel.get_by_role("button", name="确认办结").click()
    expect(panel.locator(".status")).to_have_text("已办结")

    page.goto(server.url + f"/cases/{case_id}/slip")
    printed = decode_printed_qr(page, tmp_path, dpi=300, name="rating-slip")
    assert printed["pages"] == 1 and len(printed["codes"]) == 1, printed
    status_url = printed["codes"][0]

    # The resident's phone, never logged in: the finished service asks for a rating.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    assert phone.goto(status_url).status == 200 and "/login" not in phone.url
    form = phone.locator("form.rating-form")
    expect(form).to_be_visible()
    assert overflow(phone)["x"] == 0, overflow(phone)
    # Submitting with no level chosen is stopped by the browser (required), and nothing is lost.
    form.get_by_label("多次跑腿").check()
    form.get_by_label(re.compile("意见或建议")).fill(COMMENT)
    form.get_by_role("button", name="提交评价").click()
    expect(form).to_be_visible()
    form.get_by_label("不满意", exact=True).check()
    form.get_by_role("button", name="提交评价").click()
    done = phone.locator("#rating")
    expect(done).to_contain_text("感谢您的评价")
    expect(done).to_contain_text("您的评价：不满意")
    expect(phone.locator("[data-rating=in-progress]")).to_be_visible()
    expect(phone.locator("form.rating-form")).to_have_count(0)
    phone.screenshot(path=str(artifacts / "rating-phone-rated.png"), full_page=True)

    # The manager: the reminder at the counter, then the follow-up, step by step.
    manager = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    login(manager, server, "manager")
    manager.goto(server.url + "/counter")
    reminder = manager.locator("[data-reminder=rating]", has_text=code)
    expect(reminder).to_contain_text("差评待核实")
    reminder.locator("a").click()
    expect(manager.get_by_role("heading", name=f"差评整改 · {code}")).to_be_visible()
    expect(manager.locator(".rating-comment")).to_have_text(COMMENT)  # the resident's words, inert
    expect(manager.locator("dl.facts")).to_contain_text("多次跑腿")

    verify = manager.locator("form.followup-verify")
    verify.get_by_label("属实", exact=True).check()
    verify.get_by_label("核实情况").fill("电话联系群众，确认首次告知遗漏“收入证明”，情况属实")
    verify.get_by_role("button", name="提交核实结果").click()
    expect(manager.locator(".followup-confirm")).to_contain_text("确认核实？")
    manager.get_by_role("button", name="确认提交").click()
    expect(manager.locator("[data-followup=state]")).to_contain_text("整改中")
    fix = manager.locator("form.followup-fix")
    fix.get_by_label(re.compile("整改措施")).fill("窗口材料清单补充收入证明提示；对首问人员开展一次性告知培训")
    fix.get_by_role("button", name="记录整改").click()
    manager.get_by_role("button", name="确认提交").click()
    expect(manager.locator("[data-followup=state]")).to_contain_text("已整改")
    answer = manager.locator("form.followup-feedback")
    answer.get_by_label("反馈内容").fill(FEEDBACK)
    answer.get_by_role("button", name="提交反馈并办结").click()
    confirm = manager.locator(".followup-confirm")
    expect(confirm).to_contain_text("以下内容将显示在群众的办件查询页上")
    expect(confirm.locator(".confirm-note")).to_have_text(FEEDBACK)
    manager.get_by_role("button", name="确认提交").click()
    expect(manager.locator("[data-followup=state]")).to_contain_text("已反馈")
    expect(manager.locator("[data-followup=events] li")).to_have_count(4)
    manager.screenshot(path=str(artifacts / "rating-followup-closed.png"), full_page=True)
    manager.goto(server.url + "/ratings?view=all")
    expect(manager.locator("tr", has_text=code).first).to_contain_text("已反馈")
    manager.context.close()

    # The resident opens the same address again: the answer is there, nothing personal.
    phone.goto(status_url)
    feedback = phone.locator("[data-rating=feedback]")
    expect(feedback).to_contain_text("您的评价已处理：")
    expect(feedback).to_contain_text(FEEDBACK)
    body = phone.locator("body")
    for personal in (RESIDENT, "社工", "负责人", "manager", "worker"):
        expect(body).not_to_contain_text(personal)
    assert overflow(phone)["x"] == 0, overflow(phone)
    phone.screenshot(path=str(artifacts / "rating-phone-feedback.png"), full_page=True)
    context.close()
