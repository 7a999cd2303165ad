"""Journey: residents ask for an item in words the catalog does not have yet; the manager adds the word to the item
on the catalog edit page, and the counter then finds the item by it."""

from playwright.sync_api import expect

from e2e.helpers import login

ITEM = "老旧小区加装电梯意见征询登记"
WORD = "爬楼难"


def counter_finds(page, word):
    box = page.locator("#counter-search")
    box.fill("")  # typed afresh, as the worker does for the next resident
    box.fill(word)
    return page.locator("#search-results a[data-result]")


def test_a_manager_adds_an_everyday_word_and_the_counter_finds_the_item_by_it(page, server, browser, artifacts,
                                                                              console_errors):
    # At the window, the word finds nothing yet.
    desk = browser.new_context(viewport={"width": 1366, "height": 768})
    worker = desk.new_page()
    login(worker, server, "worker")
    counter_finds(worker, WORD)
    expect(worker.locator("#search-results .empty")).to_contain_text(f"没有找到“{WORD}”相关事项")

    # The manager finds the item in the catalog by one of its words and edits them.
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, server, "manager")
    page.goto(server.url + "/catalog")
    page.get_by_role("searchbox").fill("装电梯")
    page.get_by_role("link", name=ITEM).click()
    expect(page.get_by_role("heading", name=ITEM)).to_be_visible()
    before = page.locator("dd.keywords").inner_text()
    assert "加装电梯" in before and WORD not in before
    version = page.locator("dt:text('当前版本') + dd").inner_text()
    page.get_by_role("link", name="编辑").click()
    words = page.get_by_label("常用说法")
    expect(words).to_have_value(before)
    words.fill(before + "、" + WORD)
    page.screenshot(path=str(artifacts / "catalog-edit-keywords.png"), full_page=True)
    page.get_by_role("button", name="保存（生成新版本）").click()
    expect(page.locator(".flash-success")).to_contain_text("事项已保存")
    expect(page.locator("dd.keywords")).to_have_text(before + "、" + WORD)
    expect(page.locator("dt:text('当前版本') + dd")).not_to_have_text(version)  # a new version, as every edit
    page.screenshot(path=str(artifacts / "catalog-show-keywords.png"), full_page=True)

    # Back at the window: the new word finds the item first.
    results = counter_finds(worker, WORD)
    expect(results.first.locator(".result-name")).to_have_text(ITEM)
    expect(results.first).to_contain_text(f"俗称“{WORD}”")
    worker.screenshot(path=str(artifacts / "counter-search-new-word.png"))
    desk.close()
    assert console_errors == []
