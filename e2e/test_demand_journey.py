"""Journey: a resident's problem at the counter becomes a work order, its grid worker signs for it and closes it,
and the manager calls the resident back and reads the three rates.

At the kiosk the worker finds the resident's problem is no catalog item and records it as a demand in one step:
the address routes it to the building's grid, whose grid worker (here the same demo worker, who holds 网格 01) finds
it in their list, signs, contacts the resident and closes it, confirming the step that cannot be undone. The
manager records the callback (回访) and opens the figures: this month's orders went up by one and the rates are
shown with what they divide. Each page fits a TV-sized screen and a phone.
"""

import re

from playwright.sync_api import expect

from e2e.helpers import login, overflow

CONTENT = "楼道灯坏了三天，老人晚上下楼看不见"
ADDRESS = "纸箱厂小区4号楼2单元201"


def figures(page, server) -> dict[str, str]:
    page.goto(server.url + "/demands/figures")
    return {key: page.locator(f"[data-figure={key}]").inner_text().strip()
            for key in ("orders", "response_rate", "solve_rate", "satisfaction_rate")}


def test_a_counter_visit_becomes_a_demand_that_is_signed_closed_called_back_and_counted(page, server, browser,
                                                                                        artifacts):
    manager = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    login(manager, server, "manager")
    before = figures(manager, server)

    # The kiosk: not a catalog item, so a demand, with the visit, in one step.
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    page.goto(server.url + "/counter")
    page.locator("[data-demand-start]").click()
    panel = page.locator("#work-panel .demand-panel")
    expect(panel.get_by_role("heading", name="登记民情诉求")).to_be_visible()
    panel.get_by_label("报修").check()
    panel.get_by_label("诉求内容").fill(CONTENT)
    panel.get_by_label(re.compile("^地址")).fill(ADDRESS)
    panel.get_by_label("诉求人").fill("赵凤英")
    panel.get_by_label("联系电话").fill("139 1234 5678")
    panel.get_by_role("button", name="登记诉求").click()
    expect(page.locator("[data-demand=state]")).to_have_text("待签收")
    expect(page.locator(".flash-success, .flash")).to_contain_text(re.compile("已登记诉求 D\\d+，已派给网格员"))
    expect(page.locator("[data-demand=assignee]")).to_contain_text("纸箱厂第一网格 · 王磊")
    expect(page.locator("[data-demand=contact]")).to_have_text(re.compile("赵\\*\\* 139\\*\\*\\*\\*5678"))
    demand_url = page.url
    code = page.locator("h1").inner_text().split()[1]

    # The grid worker: the order is in their list, at the top, waiting to be signed.
    page.goto(server.url + "/demands?mine=1&state=open")
    row = page.locator("tr", has_text=code)
    expect(row).to_contain_text("待签收")
    row.get_by_role("link", name=code).click()
    page.get_by_role("button", name="签收", exact=True).click()
    expect(page.locator("[data-demand=state]")).to_have_text("已签收")
    contact = page.locator("form.demand-contact")
    contact.get_by_label(re.compile("联系情况")).fill("电话联系赵阿姨，约好下午物业电工上门")
    contact.get_by_role("button", name="记录联系").click()
    expect(page.locator("[data-demand=state]")).to_have_text("已联系")
    close = page.locator("form.demand-resolve")
    close.get_by_label(re.compile("办理结果")).fill("物业电工已更换楼道灯，赵阿姨确认")
    close.get_by_role("button", name="办结").click()  # not confirmed yet: asked, and what was typed is kept
    expect(page.locator("#demand-error")).to_contain_text("确认：提交后不能撤回")
    close = page.locator("form.demand-resolve")
    expect(close.get_by_label(re.compile("办理结果"))).to_have_value("物业电工已更换楼道灯，赵阿姨确认")
    close.get_by_label("确认：提交后不能撤回").check()
    close.get_by_role("button", name="办结").click()
    expect(page.locator("[data-demand=state]")).to_have_text("已办结")
    expect(page.locator("form.demand-callback")).to_have_count(0)  # the handler does not call back on their own work
    page.screenshot(path=str(artifacts / "demand-closed-kiosk.png"), full_page=True)

    # The manager calls back, then reads the figures.
    manager.goto(demand_url)
    callback = manager.locator("form.demand-callback")
    callback.get_by_label("已解决").check()
    callback.get_by_label("满意", exact=True).check()
    callback.get_by_label("确认：提交后不能撤回").check()
    callback.get_by_role("button", name="记录回访").click()
    expect(manager.locator("[data-demand=state]")).to_have_text("已回访")
    events = manager.locator("[data-demand=events] li")
    expect(events).to_have_count(5)
    expect(events.last).to_contain_text("已解决，满意")
    assert overflow(manager)["x"] == 0, overflow(manager)
    manager.screenshot(path=str(artifacts / "demand-visited-tv.png"), full_page=True)

    after = figures(manager, server)
    assert int(after["orders"]) == int(before["orders"]) + 1, (before, after)
    for key in ("response_rate", "solve_rate", "satisfaction_rate"):
        assert re.fullmatch(r"\d+(\.\d)?%", after[key]), after
    assert overflow(manager)["x"] == 0
    manager.screenshot(path=str(artifacts / "demand-figures-tv.png"), full_page=True)

    # On a phone: the order and the figures fit, tables scroll in their own box.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    login(phone, server, "manager")
    for path in (demand_url.replace(server.url, ""), "/demands/figures", "/demands"):
        phone.goto(server.url + path)
        assert overflow(phone)["x"] == 0, (path, overflow(phone))
    phone.goto(demand_url)
    phone.screenshot(path=str(artifacts / "demand-phone.png"), full_page=True)
