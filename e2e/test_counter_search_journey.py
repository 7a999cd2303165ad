"""Journey: at the counter a worker types what residents say (社保, 医保, 低保, 社保卡) and finds the item; a resident
comes back and the worker finds the case by its code and by the last 4 digits of the phone, and opens it in place."""

import re

from playwright.sync_api import expect

from e2e.helpers import login

RESULTS = "#search-results a[data-result]"


def search(page, text):
    box = page.locator("#counter-search")
    box.fill(text)
    return box


def test_the_counter_finds_the_words_residents_say(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    expect(page.locator("#counter-search")).to_be_focused()
    items = page.locator(RESULTS + ":not(.result-case)")
    for word, first, also in [
        ("社保", "城乡居民基本养老保险参保登记", "灵活就业人员社会保险参保登记"),
        ("医保", "城乡居民基本医疗保险参保登记", "基本医疗保险异地就医备案"),
        ("低保", "最低生活保障申请", None),
        ("社保卡", "社会保障卡申领", "社会保障卡挂失与补换"),
    ]:
        search(page, word)
        expect(items.first.locator(".result-name")).to_have_text(first)
        expect(items.first).to_contain_text(f"俗称“{word}”")  # why an item whose name never says it was found
        if also:
            expect(items.filter(has_text=also)).to_have_count(1)
        if word == "社保卡":
            page.screenshot(path=str(artifacts / "counter-search-words.png"))
    # Enter opens the first one: the right item, its materials, ready to accept.
    page.locator("#counter-search").press("Enter")
    expect(page.locator("#work-panel").get_by_role("heading", name="社会保障卡申领")).to_be_visible()
    assert console_errors == []


def test_a_returning_resident_is_found_by_case_code_and_phone_tail(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = page.locator("#work-panel")

    # The resident's first visit: a 无犯罪记录证明, found by what people call it (良民证), accepted.
    search(page, "良民证")
    expect(page.locator(RESULTS).first).to_contain_text("无犯罪记录证明申请")
    page.locator("#counter-search").press("Enter")
    expect(panel.get_by_role("heading", name="无犯罪记录证明申请")).to_be_visible()
    panel.get_by_label("姓名").fill("司马青云")
    panel.get_by_label("联系电话").fill("13700002468")
    panel.get_by_label("联系电话").press("Enter")
    expect(panel.locator(".status")).to_have_text("待补正")  # a required material not ticked: 待补正 at once
    code = panel.locator(".case-code").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{6}", code)
    page.keyboard.press("Escape")
    expect(panel.locator(".panel-welcome")).to_be_visible()

    # Days later the resident reads the code off the slip: typed in lower case, the case is found and opens in place.
    search(page, code.lower())
    found = page.locator(RESULTS + ".result-case")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(code)
    expect(found).to_contain_text("无犯罪记录证明申请")
    expect(found).to_contain_text("司***")  # masked: the family name only
    expect(found).to_contain_text("137****2468")
    expect(page.locator("#search-results")).not_to_contain_text("司马青云")
    url = page.url
    found.click()
    expect(panel.locator(".case-code")).to_have_text(code)
    expect(panel.locator(".status")).to_have_text("待补正")  # a required material not ticked: 待补正 at once
    assert page.url == url  # opened in place, no page load

    # Or only the last 4 digits of the phone: ↓ to the case, Enter opens it.
    search(page, "2468")
    mine = page.locator(RESULTS + ".result-case").filter(has_text=code)
    expect(mine).to_have_count(1)
    expect(page.locator("#search-results .results-heading").first).to_contain_text("办件")
    page.screenshot(path=str(artifacts / "counter-search-case.png"))
    page.keyboard.press("Escape")
    expect(panel.locator(".panel-welcome")).to_be_visible()
    page.locator("#counter-search").focus()
    index = page.locator(RESULTS).evaluate_all(
        "(links, code) => links.findIndex(a => a.textContent.includes(code))", code)
    for _ in range(index + 1):
        page.keyboard.press("ArrowDown")
    expect(mine).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel.locator(".case-code")).to_have_text(code)
    expect(panel).to_contain_text("137****2468")
    expect(panel).not_to_contain_text("13700002468")
    assert console_errors == []
