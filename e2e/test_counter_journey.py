"""Journey: a senior-card case at the kiosk, from search to the printed slip, the resident's QR page, completion."""

import re

from playwright.sync_api import expect

from e2e.helpers import login




def test_worker_accepts_a_senior_card_case_and_completes_it(page, server, artifacts, console_errors, browser):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, server, "worker")
    expect(page).to_have_url(server.url + "/counter")

    # 1. Search as you type: the search box has focus on arrival.
    expect(page.locator("#counter-search")).to_be_focused()
    page.keyboard.type("老年")
    result = page.locator("#search-results [data-result]").filter(has_text="老年人优待证办理")
    expect(result).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    # 2. The item opens in place with its promise and materials; the resident's name, then Enter accepts.
    panel = page.locator("#work-panel")
    expect(panel.get_by_role("heading", name="老年人优待证办理（老年证）")).to_be_visible()
    expect(panel.locator(".promise")).to_contain_text("承诺 5 个工作日")
    name = panel.get_by_label("姓名")
    expect(name).to_be_focused()
    panel.get_by_label("居民身份证").check()
    panel.get_by_label("户口簿").check()
    name.fill("张桂英")
    panel.get_by_label("身份证号").fill("11010519491231002X")
    panel.get_by_label("联系电话").fill("13812345678")
    page.screenshot(path=str(artifacts / "counter-item.png"), full_page=True)
    panel.get_by_label("联系电话").press("Enter")

    # 3. The case panel replaces the form: accepted, owned by the worker; ☑ = received, as ticked at intake:
    #    居民身份证 and 户口簿 received, the photos missing, so the case waits for them (待补正, the clock paused).
    expect(panel.locator(".status")).to_have_text("待补正")
    expect(panel.locator(".flash-success")).to_contain_text("已受理")
    expect(panel.locator(".flash-success")).to_contain_text("待补正（暂停计时）：近期免冠一寸彩色照片")
    code = panel.locator(".case-code").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{6}", code)
    materials = panel.locator(".materials-section")
    expect(materials).to_contain_text("已收 2 项")
    expect(materials).to_contain_text("缺 1 项")
    expect(materials.locator(".materials-missing")).to_have_text("尚缺：近期免冠一寸彩色照片")
    expect(panel.get_by_role("checkbox", name=re.compile("户口簿"))).to_be_checked()
    expect(panel).not_to_contain_text("11010519491231002X")
    expect(panel).to_contain_text("110***********002X")
    expect(page.locator("#sidebar")).to_contain_text("老年人优待证办理")
    page.screenshot(path=str(artifacts / "counter-case.png"), full_page=True)

    # 4. The household register turns out unusable: untick it (no longer received) and save; it is missing now.
    panel.get_by_label(re.compile("户口簿")).uncheck()
    panel.get_by_role("button", name="保存材料清单").click()
    expect(materials).to_contain_text("已收 1 项")
    expect(materials).to_contain_text("缺 2 项")

    # 5. Print the slip: it opens in a new tab with the missing materials marked and a QR code.
    with page.context.expect_page() as slip_info:
        panel.get_by_role("link", name="打印一次性告知单").click()
    slip = slip_info.value
    slip.wait_for_load_state()
    expect(slip.locator(".slip-title")).to_have_text("“一窗通办”一次性告知单")
    expect(slip.locator(".slip-materials tr.missing")).to_have_count(2)
    expect(slip.locator(".qr svg")).to_be_visible()
    expect(slip).not_to_have_url(re.compile("/counter"))
    slip.screenshot(path=str(artifacts / "slip.png"), full_page=True)
    status_url = slip.locator(".qr").get_attribute("data-url")
    slip.close()

    # 6. The QR's status page, opened by an anonymous visitor: state and dates, no personal data.
    anonymous = browser.new_context()
    visitor = anonymous.new_page()
    visitor.set_viewport_size({"width": 390, "height": 844})
    visitor.goto(status_url)
    expect(visitor.locator(".status-big")).to_contain_text("待补正")
    expect(visitor.get_by_role("heading", name="老年人优待证办理（老年证）")).to_be_visible()
    body = visitor.locator("body").inner_text()
    for secret in ("张桂英", "11010519491231002X", "138", "王磊"):
        assert secret not in body
    visitor.screenshot(path=str(artifacts / "status.png"), full_page=True)
    anonymous.close()

    # 7. The resident brings the rest: tick them as received, materials complete, then the case is completed.
    panel.get_by_label(re.compile("户口簿")).check()
    panel.get_by_label(re.compile("近期免冠一寸彩色照片")).check()
    panel.get_by_role("button", name="保存材料清单").click()
    expect(materials).to_contain_text("已收 3 项")
    expect(materials).to_contain_text("齐全")
    panel.get_by_role("button", name="材料已补齐").click()
    panel.get_by_role("alertdialog", name="确认材料已补齐？").get_by_role("button", name="确认材料已补齐").click()
    expect(panel.locator(".status")).to_have_text("已受理")
    panel.get_by_role("button", name="办结").click()
    panel.get_by_role("alertdialog", name="确认办结？").get_by_role("button", name="确认办结").click()
    expect(panel.locator(".status")).to_have_text("已办结")
    expect(panel.locator(".timeline")).to_contain_text("办结")
    assert console_errors == []
