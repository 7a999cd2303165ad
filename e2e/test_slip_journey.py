"""Journey: the printed one-time notification slip (一次性告知单) as the resident takes it home.

The QR is read the way a phone reads paper: the slip printed to an A4 PDF by Chromium, rasterised at 300 dpi by
poppler and decoded by zbar; the address it holds is opened by a visitor who is not logged in. The materials keep
one meaning everywhere: ☑ = received, from the intake checklist to the case page to the printed slip.
"""

import re

from playwright.sync_api import expect

from e2e.helpers import decode_printed_qr, decode_qr, login, pdf_page_count, run_tool

# Items no other journey uses, so the shared server's data cannot surprise these tests.
QR_ITEM = "医疗费用手工（零星）报销"  # SB09: five materials, the longest slip
MATERIALS_ITEM = "无犯罪记录证明申请"  # GA07: 居民身份证, 用途说明材料, 代办人居民身份证及委托书
CONSULT_ITEM = "住房公积金提取（租房）"  # ZF02: four materials


def open_item(page, server, query: str, item_name: str):
    """At the counter: search, choose the item; returns the work panel showing it."""
    page.goto(server.url + "/counter")
    page.locator("#counter-search").fill(query)
    page.locator("#search-results [data-result]").filter(has_text=item_name).first.click()
    panel = page.locator("#work-panel")
    expect(panel.get_by_role("heading", name=item_name)).to_be_visible()
    return panel


def accept_case(page, server, query: str, item_name: str, resident: str, brought=()) -> tuple[int, str]:
    """Accept a case at the counter with the materials in `brought` ticked; returns (case id, case code)."""
    panel = open_item(page, server, query, item_name)
    for material in brought:
        panel.get_by_role("checkbox", name=re.compile("^" + re.escape(material))).check()
    panel.get_by_label("姓名").fill(resident)
    panel.get_by_role("button", name=re.compile("^受理")).click()
    expect(panel.locator(".status")).to_have_text(re.compile("^(已受理|待补正)$"))  # 待补正: something required missing
    case = panel.locator("article.case-panel")
    return int(case.get_attribute("data-case-id")), panel.locator(".case-code").inner_text()


def test_the_printed_slip_scans_and_opens_the_status_page_without_login(page, server, browser, artifacts, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    case_id, code = accept_case(page, server, "医疗费用", QR_ITEM, "钱玉兰", brought=("社会保障卡",))

    page.goto(server.url + f"/cases/{case_id}/slip")
    expect(page.locator(".slip-title")).to_contain_text("一次性告知单")
    page.screenshot(path=str(artifacts / "slip-screen.png"), full_page=True)

    # Printed on A4 and scanned: one page, and zbar reads exactly one address from it.
    printed = decode_printed_qr(page, tmp_path, dpi=300, name="slip")
    assert printed["pages"] == 1
    assert len(printed["codes"]) == 1, printed["codes"]
    status_url = printed["codes"][0]
    assert re.fullmatch(re.escape(server.url) + r"/s/[A-Za-z0-9_-]{20,}", status_url)
    run_tool("pdftoppm", "-r", 100, "-png", "-singlefile", printed["pdf"], artifacts / "slip-print")

    # The paper also carries the address and the case code as text (a phone without a camera, a phone call).
    text = re.sub(r"\s+", "", run_tool("pdftotext", "-layout", printed["pdf"], "-"))
    assert status_url in text and code in text

    # The slip on screen scans too (a resident photographing the kiosk's monitor).
    page.locator(".slip-foot .qr").screenshot(path=str(tmp_path / "qr-screen.png"))
    assert decode_qr(tmp_path / "qr-screen.png") == [status_url]
    page.screenshot(path=str(tmp_path / "slip-screen.png"))
    assert decode_qr(tmp_path / "slip-screen.png") == [status_url]

    # What the resident's phone opens: the status of this very case, without any login.
    anonymous = browser.new_context(viewport={"width": 390, "height": 844})
    phone = anonymous.new_page()
    response = phone.goto(status_url)
    assert response.status == 200 and "/login" not in phone.url
    expect(phone.locator(".status-big")).to_contain_text("待补正")  # only the 社会保障卡 was brought
    expect(phone.get_by_role("heading", name=QR_ITEM)).to_be_visible()
    expect(phone.locator("body")).to_contain_text(code)
    expect(phone.locator("body")).not_to_contain_text("钱玉兰")
    phone.screenshot(path=str(artifacts / "slip-status-phone.png"), full_page=True)
    anonymous.close()


def slip_states(slip) -> dict[str, str]:
    """The printed materials table as the resident reads it: material name → its state column."""
    rows = slip.locator(".slip-materials tbody tr")
    return {rows.nth(i).locator("td").nth(1).inner_text(): rows.nth(i).locator("td").nth(4).inner_text().strip()
            for i in range(rows.count())}


def test_materials_ticked_at_intake_are_received_on_the_case_and_the_slip_follows(page, server, artifacts):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = open_item(page, server, "无犯罪", MATERIALS_ITEM)
    legend = panel.locator("fieldset.materials legend")
    expect(legend).to_contain_text("勾选")
    # At intake ☑ = brought: the ID card and the agent's papers, not the statement of purpose.
    panel.get_by_role("checkbox", name=re.compile("^居民身份证")).check()
    panel.get_by_role("checkbox", name=re.compile("^代办人居民身份证及委托书")).check()
    panel.get_by_label("姓名").fill("孔繁星")
    panel.get_by_role("button", name=re.compile("^受理")).click()
    expect(panel.locator(".status")).to_have_text("待补正")  # the statement of purpose is missing: it waits for it
    case_id = int(panel.locator("article.case-panel").get_attribute("data-case-id"))

    # The case page shows the same ticks, as received; the one not brought is missing, and said so.
    materials = panel.locator(".materials-section")
    expect(materials.get_by_role("checkbox", name=re.compile("^居民身份证"))).to_be_checked()
    expect(materials.get_by_role("checkbox", name=re.compile("^代办人"))).to_be_checked()
    expect(materials.get_by_role("checkbox", name=re.compile("^用途说明材料"))).not_to_be_checked()
    expect(materials.locator("h3")).to_contain_text("已收 2 项")
    expect(materials.locator("h3")).to_contain_text("缺 1 项")
    expect(materials.locator(".materials-missing")).to_have_text("尚缺：用途说明材料")
    expect(materials.locator("li.material-received .material-state")).to_have_text(["已收", "已收"])
    expect(materials.locator("li.material-missing")).to_contain_text("用途说明材料")
    expect(materials.locator("li.material-missing .material-state")).to_have_text("缺")
    page.screenshot(path=str(artifacts / "case-materials.png"), full_page=True)

    # The printed slip agrees.
    slip = page.context.new_page()
    slip.goto(server.url + f"/cases/{case_id}/slip")
    assert slip_states(slip) == {"居民身份证": "☑ 已收", "用途说明材料": "□ 需补交", "代办人居民身份证及委托书": "☑ 已收"}

    # The statement of purpose arrives, the agent's papers turn out to be the wrong ones: tick one, untick the other.
    materials.get_by_role("checkbox", name=re.compile("^用途说明材料")).check()
    materials.get_by_role("checkbox", name=re.compile("^代办人")).uncheck()
    materials.get_by_role("button", name="保存材料清单").click()
    expect(materials.locator(".materials-missing")).to_have_text("尚缺：代办人居民身份证及委托书")
    expect(materials.get_by_role("checkbox", name=re.compile("^用途说明材料"))).to_be_checked()
    expect(page.locator(".timeline")).to_contain_text("已收：居民身份证、用途说明材料；缺：代办人居民身份证及委托书")

    # The slip follows.
    slip.reload()
    assert slip_states(slip) == {"居民身份证": "☑ 已收", "用途说明材料": "☑ 已收", "代办人居民身份证及委托书": "□ 需补交"}
    expect(slip.locator(".slip-materials tr.missing")).to_have_count(1)
    expect(slip.locator("h2").first).to_contain_text("已收 2 项，尚缺 1 项")
    slip.screenshot(path=str(artifacts / "slip-materials.png"), full_page=True)
    slip.close()


def test_a_consultation_prints_the_materials_to_bring(page, server, artifacts, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = open_item(page, server, "租房", CONSULT_ITEM)
    panel.get_by_label("咨询内容 / 备注").fill("问租房提取要带什么")
    panel.get_by_role("button", name=re.compile("^答复咨询")).click()
    expect(panel.locator(".status")).to_have_text("咨询已答复")
    expect(panel.locator(".materials-section")).to_contain_text("房屋租赁合同或租赁备案证明")
    page.screenshot(path=str(artifacts / "consult-case.png"), full_page=True)

    with page.context.expect_page() as opened:
        panel.get_by_role("link", name=re.compile("打印所需材料清单")).click()
    sheet = opened.value
    sheet.wait_for_load_state()
    expect(sheet.locator(".slip-title")).to_have_text("“一窗通办”咨询答复 · 办理所需材料清单")
    expect(sheet.locator(".slip-subtitle")).to_contain_text("不是受理凭证")
    expect(sheet.locator(".slip-materials tbody tr td:nth-child(2)")).to_have_text(
        ["居民身份证", "房屋租赁合同或租赁备案证明", "婚姻状况声明", "本人一类银行卡"])
    # A consultation promises no date and marks nothing missing: it is what to bring.
    expect(sheet.locator("main")).not_to_contain_text("承诺办结")
    expect(sheet.locator("main")).not_to_contain_text("需补交")
    expect(sheet.locator("main")).not_to_contain_text("已收")
    expect(sheet.get_by_role("button", name="打印材料清单")).to_be_visible()
    sheet.screenshot(path=str(artifacts / "consult-materials.png"), full_page=True)
    sheet.pdf(path=str(tmp_path / "consult.pdf"), format="A4", prefer_css_page_size=True)
    assert pdf_page_count(tmp_path / "consult.pdf") == 1
    sheet.close()
