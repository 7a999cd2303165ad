"""Journey: a worker looks cases up on /cases: the center's open cases, then closed ones page by page (the filter
kept on page 2, in the address bar, after a reload and Back), overdue ones, their own, one by its code; and the
same filters as a plain form with JavaScript off."""

import re

from playwright.sync_api import expect

from e2e.helpers import login, overflow

OPEN = {"已受理", "待补正", "已转办"}
CLOSED = {"已办结", "不予受理", "咨询已答复"}
PAGE_SIZE = 20


def count(page) -> int:
    return int(page.locator("#case-count strong").inner_text())


def column(page, index: int) -> list[str]:
    return page.locator("#case-rows tr").evaluate_all(
        "(rows, i) => rows.map(r => (r.cells[i] ? r.cells[i].innerText.trim() : ''))", index)


def codes(page) -> list[str]:
    return column(page, 0)


def wait_for_rows(page, url_pattern: str) -> None:
    """The person waits for the address and the count line to show what they asked for."""
    expect(page).to_have_url(re.compile(url_pattern))  # htmx pushes the address once the rows are swapped


def test_a_worker_filters_the_case_list_and_pages_through_it(page, server, artifacts, console_errors):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "worker")
    page.get_by_role("link", name="本中心全部在办").click()
    expect(page).to_have_url(server.url + "/cases")
    expect(page.get_by_role("heading", name="办件查询", level=1)).to_be_visible()

    # The center's open cases, most urgent first: the count and the rows agree.
    total_open = count(page)
    assert total_open > 0
    expect(page.locator("#case-rows tr")).to_have_count(min(total_open, PAGE_SIZE))
    assert set(column(page, 3)) <= OPEN

    # Closed cases are a filter: chosen, the rows change in place and the address keeps the choice.
    page.get_by_label("状态").select_option(label="已结束")
    wait_for_rows(page, r"/cases\?state=closed$")
    expect(page.locator("#case-count")).to_contain_text("第 1 /")
    closed = count(page)
    assert closed > PAGE_SIZE, "the demo center has more than a page of closed cases"
    expect(page.locator("#case-rows tr")).to_have_count(PAGE_SIZE)
    assert set(column(page, 3)) <= CLOSED
    first_page = codes(page)
    page.screenshot(path=str(artifacts / "cases-closed.png"), full_page=True)

    # Page 2 keeps the filter.
    page.locator("#case-pager").get_by_role("link", name="下一页").click()
    wait_for_rows(page, r"/cases\?state=closed&page=2$")
    expect(page.locator("#case-count")).to_contain_text("第 2 /")
    expect(page.locator("#case-rows tr")).to_have_count(min(closed - PAGE_SIZE, PAGE_SIZE))
    assert set(column(page, 3)) <= CLOSED
    assert not set(codes(page)) & set(first_page)
    second_page = codes(page)

    # A reload shows the same page with the filter chosen in the form; Back returns to page 1.
    page.reload()
    expect(page.get_by_label("状态")).to_have_value("closed")
    expect(page.locator("#case-count")).to_contain_text("第 2 /")
    assert codes(page) == second_page
    page.go_back()
    expect(page).to_have_url(re.compile(r"/cases\?state=closed$"))
    expect(page.locator("#case-count")).to_contain_text("第 1 /")
    assert codes(page) == first_page

    # Overdue, over every state: each row marked, as many as the count says.
    page.get_by_label("状态").select_option(label="全部状态")
    wait_for_rows(page, r"state=all$")
    page.get_by_label("只看超期").check()
    wait_for_rows(page, r"state=all&overdue=1")
    overdue = count(page)
    assert overdue > 0
    expect(page.locator("#case-rows tr")).to_have_count(min(overdue, PAGE_SIZE))
    assert set(column(page, 6)) == {"已超期"}
    assert set(column(page, 3)) <= {"已受理", "已转办"}

    # Only mine: every row is the worker's.
    page.get_by_label("只看超期").uncheck()
    wait_for_rows(page, r"state=all$")
    page.get_by_label("范围").select_option(label="我的")
    wait_for_rows(page, r"state=all&view=mine")
    mine = count(page)
    assert mine > 0
    expect(page.locator("#case-rows tr")).to_have_count(min(mine, PAGE_SIZE))
    assert set(column(page, 7)) == {"王磊"}

    # One case by its code, typed in lower case: exactly that row.
    code = codes(page)[0]
    page.get_by_role("searchbox", name="查找").fill(code.lower())
    wait_for_rows(page, rf"q={code.lower()}")
    expect(page.locator("#case-rows tr")).to_have_count(1)
    expect(page.locator("#case-count strong")).to_have_text("1")
    assert codes(page) == [code]
    link = page.locator("#case-rows").get_by_role("link", name=code)
    assert re.fullmatch(r"/cases/\d+", link.get_attribute("href"))  # the case page, a plain link (new tab works)

    # On a phone the page does not scroll sideways: the table scrolls in its own box.
    page.goto(server.url + "/cases?state=closed")
    page.set_viewport_size({"width": 390, "height": 844})
    assert overflow(page)["x"] == 0
    page.locator("#case-filters").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "cases-phone.png"))
    assert console_errors == []


def test_the_case_list_filters_work_as_a_plain_form_without_javascript(browser, server, artifacts):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    login(page, server, "worker")
    page.goto(server.url + "/cases")
    page.get_by_label("状态").select_option(label="已结束")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"/cases\?.*state=closed"))
    closed = count(page)
    expect(page.locator("#case-rows tr")).to_have_count(min(closed, PAGE_SIZE))
    assert set(column(page, 3)) <= CLOSED
    page.locator("#case-pager").get_by_role("link", name="下一页").click()
    expect(page).to_have_url(re.compile(r"/cases\?state=closed&page=2$"))
    expect(page.get_by_label("状态")).to_have_value("closed")
    expect(page.locator("#case-rows tr")).to_have_count(min(closed - PAGE_SIZE, PAGE_SIZE))
    assert set(column(page, 3)) <= CLOSED
    context.close()
