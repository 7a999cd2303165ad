"""Journey: a refused case's page promises nothing and asks for nothing; its dates read alike everywhere.

After 不予受理 the worker's case page shows no 承诺办结 date, labels the decision's time 不予受理时间 (not 办结时间)
and lists nothing as 尚缺; the case page, the slip and the resident's status page write the date the same way
(2026年12月9日).
"""

import re

from playwright.sync_api import expect

from e2e.counter_steps import accept_case
from e2e.helpers import login

ITEM = ("MZ10", "困难群众医疗救助申请")


def test_a_refused_case_page_shows_the_decision_not_a_promise(page, server, browser, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *ITEM, "滕玉珍", brought=("居民身份证",))
    expect(panel.locator(".status")).to_have_text("待补正")
    panel.get_by_label("不予受理原因").fill("不属于医疗救助对象")
    panel.get_by_role("button", name="不予受理", exact=True).click()
    panel.get_by_role("button", name="确认不予受理").click()
    expect(panel.locator(".status")).to_have_text("不予受理")

    page.goto(server.url + f"/cases/{case_id}")
    facts = page.locator(".facts")
    expect(facts).not_to_contain_text("承诺办结")
    expect(facts).not_to_contain_text("办结时间")
    expect(facts.locator("dt", has_text="不予受理时间")).to_be_visible()
    expect(page.locator(".case-closed")).to_have_text(re.compile(r"^2026年12月9日 \d\d:\d\d$"))
    expect(facts.locator("dt", has_text=re.compile("^受理时间$")).locator("+ dd")).to_contain_text("2026年12月9日")
    expect(page.locator(".materials-missing")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("尚缺")
    page.screenshot(path=str(artifacts / "case-refused.png"), full_page=True)

    page.goto(server.url + f"/cases/{case_id}/slip")
    expect(page.locator(".slip-table")).to_contain_text("2026年12月9日")
    expect(page.locator(".slip-meta")).to_contain_text("日期 2026年12月9日")
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(page.locator(".qr-url").inner_text())
    expect(phone.locator(".facts")).to_contain_text("不予受理日期2026年12月9日")
    phone.context.close()

