"""Journey: searching the case list for a case that is already closed says so, and shows it with one click.

/cases lists open cases by default; a search whose only match is closed no longer just says nothing was found:
it says how many closed cases match and links to the list with the closed filter, where the case is.
"""

from playwright.sync_api import expect

from e2e.counter_steps import accept_case
from e2e.helpers import login

ITEM = ("MZ09", "困难残疾人生活补贴和重度残疾人护理补贴申请")


def test_a_search_matching_only_a_closed_case_offers_the_closed_ones(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel, case_id, code = accept_case(page, *ITEM, "邬桂芳")
    panel.get_by_role("button", name="办结", exact=True).click()
    panel.get_by_role("button", name="确认办结").click()
    expect(panel.locator(".status")).to_have_text("已办结")

    page.goto(server.url + f"/cases?q={code}")
    rows = page.locator("#case-rows")
    expect(rows).to_contain_text("另有 1 件已办结的办件符合")
    page.screenshot(path=str(artifacts / "cases-closed-hint.png"), full_page=True)
    rows.get_by_role("link", name="显示已办结").click()
    expect(page.get_by_label("状态")).to_have_value("closed")
    expect(rows.get_by_role("link", name=code)).to_be_visible()
    expect(rows).to_contain_text("已办结")
