"""Journey: a resident's data typed at the counter is never lost by a click elsewhere. Picking another search
result or a case in the sidebar asks "放弃已填写的内容？" first (取消 keeps everything, 放弃 goes on); a menu link
or a reload asks the browser's leave-the-page question; once the case is accepted, nothing asks any more."""

import re

from playwright.sync_api import expect

from e2e.counter_steps import open_item
from e2e.helpers import login

ITEM = ("SB04", "社会保障卡申领")
OTHER = ("SB10", "失业保险金申领")


def fill_intake(panel) -> None:
    panel.get_by_label("居民身份证").first.check()
    panel.get_by_label("姓名").fill("潘玉珍")
    panel.get_by_label("联系电话").fill("13566667777")
    panel.get_by_label("咨询内容 / 备注").fill("照片现场采集")


def expect_intake_kept(panel) -> None:
    expect(panel.get_by_role("heading", name=ITEM[1])).to_be_visible()
    expect(panel.get_by_label("姓名")).to_have_value("潘玉珍")
    expect(panel.get_by_label("联系电话")).to_have_value("13566667777")
    expect(panel.get_by_label("咨询内容 / 备注")).to_have_value("照片现场采集")
    expect(panel.get_by_label("居民身份证").first).to_be_checked()


def test_another_search_result_or_sidebar_case_asks_before_the_typed_intake_goes(page, server, artifacts,
                                                                                  console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = open_item(page, *ITEM)
    fill_intake(panel)
    dialog = page.get_by_role("dialog", name="放弃已填写的内容？")

    # Another item from the search results: asked first; 取消 keeps the intake as typed.
    page.locator("#counter-search").fill(OTHER[0])
    other = page.locator("#search-results a", has_text=OTHER[1]).first
    other.click()
    expect(dialog).to_be_visible()
    page.screenshot(path=str(artifacts / "counter-typed-other-item.png"))
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect_intake_kept(panel)

    # A case in 我的在办: asked too; 取消 keeps it.
    sidebar_case = page.locator("#sidebar .case-list a").first
    sidebar_case.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="取消").click()
    expect_intake_kept(panel)

    # Enter in the search box opens the first result: asked as well.
    page.locator("#counter-search").press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # Esc in the dialog is 取消
    expect(dialog).to_be_hidden()
    expect_intake_kept(panel)

    # 放弃: the other item opens.
    other.click()
    dialog.get_by_role("button", name="放弃").click()
    expect(panel.get_by_role("heading", name=OTHER[1])).to_be_visible()
    expect(panel.get_by_label("姓名")).to_have_value("")
    assert console_errors == []


def test_a_menu_link_or_a_reload_asks_before_leaving_the_typed_intake(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    panel = open_item(page, *ITEM)
    fill_intake(panel)
    asked: list[str] = []

    # A top menu link: the browser asks; staying keeps everything on the counter.
    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    with page.expect_event("dialog"):  # waits until the browser has asked (the listener answers it)
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="事项目录").click()
    assert asked == ["beforeunload"]
    expect(page).to_have_url(re.compile(r"/counter$"))
    expect_intake_kept(panel)

    # A reload asks too; leaving is the worker's choice.
    def leave(dialog):
        asked.append(dialog.type)
        dialog.accept()

    page.once("dialog", leave)
    page.reload()
    assert asked == ["beforeunload", "beforeunload"]
    expect(page.locator("#work-panel").get_by_role("heading", name="接待居民")).to_be_visible()

    # After a successful 受理 nothing is left to lose: the menu link just goes.
    panel = open_item(page, *ITEM)
    fill_intake(panel)
    panel.get_by_role("button", name=re.compile("^受理")).click()
    expect(panel.locator(".status")).to_have_text("待补正")  # a required material not ticked: 待补正 at once
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="事项目录").click()
    expect(page).to_have_url(re.compile(r"/catalog"))
    assert asked == ["beforeunload", "beforeunload"]
    assert console_errors == []
