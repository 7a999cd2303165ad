"""Journey: the counter's keys never cost typed work. Esc asks before a filled form is discarded (取消 keeps it),
Esc pressed while an input method composes belongs to the input method, and / in the search box never types."""

from playwright.sync_api import expect

from e2e.counter_steps import open_item
from e2e.helpers import login


def test_esc_asks_before_discarding_and_ignores_ime_composition(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = open_item(page, "ZF08", "房屋租赁登记备案")
    name = panel.get_by_label("姓名")
    name.fill("吴淑芬")

    # Esc while the input method is composing (choosing 拼音 candidates) closes nothing and asks nothing.
    name.dispatch_event("keydown", {"key": "Escape", "code": "Escape", "isComposing": True})
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(name).to_be_focused()
    expect(name).to_have_value("吴淑芬")

    # A real Esc on the filled form asks first; 取消 (the default) keeps everything and the cursor where it was.
    page.keyboard.press("Escape")
    dialog = page.get_by_role("dialog", name="放弃已填写的内容？")
    expect(dialog).to_be_visible()
    keep = dialog.get_by_role("button", name="取消")
    expect(keep).to_be_focused()
    page.screenshot(path=str(artifacts / "counter-discard-dialog.png"))
    keep.click()
    expect(dialog).to_be_hidden()
    expect(name).to_have_value("吴淑芬")
    expect(name).to_be_focused()

    # Esc inside the dialog is 取消 too.
    page.keyboard.press("Escape")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(name).to_have_value("吴淑芬")

    # The 取消 link of the form asks as well; 放弃 closes the panel and returns to the search box.
    panel.get_by_role("link", name="取消 Esc").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="放弃").click()
    expect(panel.get_by_role("heading", name="接待居民")).to_be_visible()
    expect(page.locator("#counter-search")).to_be_focused()

    # An empty form closes at once.
    open_item(page, "ZF08", "房屋租赁登记备案")
    page.keyboard.press("Escape")
    expect(panel.get_by_role("heading", name="接待居民")).to_be_visible()
    expect(page.locator("dialog[open]")).to_have_count(0)
    assert console_errors == []


def test_slash_focuses_the_search_box_and_types_only_in_other_fields(page, server, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    box = page.locator("#counter-search")
    expect(box).to_be_focused()
    page.keyboard.type("租赁")
    page.keyboard.press("/")
    expect(box).to_have_value("租赁")  # not "租赁/"
    assert box.evaluate("b => [b.selectionStart, b.selectionEnd]") == [0, 2]  # selected, ready to retype

    panel = open_item(page, "ZF08", "房屋租赁登记备案")
    note = panel.get_by_label("咨询内容 / 备注")
    note.click()
    page.keyboard.type("3/4 单元")
    expect(note).to_have_value("3/4 单元")  # in other fields / is just a character

    panel.get_by_role("heading", name="房屋租赁登记备案").click()  # nowhere in particular
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("ZF08")
    assert box.evaluate("b => [b.selectionStart, b.selectionEnd]") == [0, 4]
    assert console_errors == []
