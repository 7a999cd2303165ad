"""Journeys: the manager swaps two shifts and publishes, the hall screen follows; two managers on one cell.

The hall screen's accessibility is checked by the Auditor (e2e/audit.py) wherever a journey opens it."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from e2e.helpers import login


def lunch_cell(page, column: int):
    return page.locator("tr", has=page.locator("th", has_text="午间值守")).locator("td.cell").nth(column)


def names_in(cell) -> list[str]:
    return [n.strip() for n in cell.locator(".cell-people .who").all_inner_texts()]


def test_manager_swaps_two_shifts_publishes_and_the_screen_follows(page, server, artifacts, console_errors, browser):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, server, "manager")
    page.goto(server.url + "/rosters")
    page.get_by_role("link", name="下周 →").click()
    expect(page.locator(".week-status")).to_contain_text("草稿")

    # Two weekdays whose lunch people differ, neither of them on leave this week (a swap must not move a person
    # onto a day of leave: the hall would rightly not show them).
    away = {line.split("：")[0].strip() for line in page.locator(
        "section", has=page.locator("h2", has_text="请假")).locator("ul.changes li").all_inner_texts()}
    column = next(i for i in range(4) if names_in(lunch_cell(page, i)) != names_in(lunch_cell(page, i + 1))
                  and not (set(names_in(lunch_cell(page, i))) | set(names_in(lunch_cell(page, i + 1)))) & away)
    thursday, friday = lunch_cell(page, column), lunch_cell(page, column + 1)
    thu_day = re.search(r"(\d{4}-\d\d-\d\d)", thursday.get_attribute("id")).group(1)
    before_thu, before_fri = names_in(thursday), names_in(friday)
    assert len(before_thu) == 1 and len(before_fri) == 1 and before_thu != before_fri

    thursday.get_by_role("link", name=re.compile("编辑")).click()
    editor = page.locator(f"td#{thursday.get_attribute('id')}.cell-editing")
    expect(editor).to_be_visible()
    fri = date.fromisoformat(thu_day) + timedelta(days=1)
    option = f"{fri.month}/{fri.day} 午间值守 {before_fri[0]}"
    editor.get_by_label(f"{before_thu[0]} 与谁交换").select_option(label=option)
    editor.get_by_role("button", name="交换").click()
    # (the editor's own options name everyone: wait for the person in the cell, not for the text anywhere in it)
    expect(page.locator(f"td#{thursday.get_attribute('id')} .cell-people .who")).to_have_text(before_fri)
    expect(page.locator(f"td#{friday.get_attribute('id')} .cell-people .who")).to_have_text(before_thu)
    page.reload()
    assert names_in(lunch_cell(page, column)) == before_fri and names_in(lunch_cell(page, column + 1)) == before_thu

    page.get_by_role("button", name="发布本周").click()
    # Publishing always asks first, naming the week (and listing any problem another journey left in it).
    expect(page.get_by_role("alertdialog")).to_contain_text("的排班？")
    page.get_by_role("button", name=re.compile("确认发布|仍然发布")).click()
    expect(page.locator(".flash-success")).to_contain_text("已发布")
    expect(page.locator(".week-status")).to_contain_text("已发布")
    page.screenshot(path=str(artifacts / "roster-grid.png"), full_page=True)

    # The hall screen at that day's lunch time shows the person swapped in.
    screen = browser.new_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{server.url}/screen/daxi?at={thu_day}T12:30")
    on_duty = screen.locator("section.panel.duty")
    expect(on_duty).to_contain_text(before_fri[0])
    expect(on_duty).not_to_contain_text(before_thu[0])
    expect(screen.locator(".headline")).to_contain_text("服务中")
    screen.screenshot(path=str(artifacts / "screen-1920x1080.png"))
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{server.url}/screen/daxi?at={thu_day}T12:30")
    expect(phone.locator(".headline")).to_contain_text("服务中")
    phone.screenshot(path=str(artifacts / "screen-390x844.png"), full_page=True)
    screen.close()
    phone.close()
    assert console_errors == []


def test_two_managers_on_one_cell_the_second_gets_a_conflict_and_nothing_is_lost(browser, server):
    first_ctx, second_ctx = browser.new_context(), browser.new_context()
    first, second = first_ctx.new_page(), second_ctx.new_page()
    for page, user in ((first, "manager"), (second, "admin")):
        page.set_viewport_size({"width": 1366, "height": 900})
        login(page, server, user)
        page.goto(server.url + "/rosters?week=" + (server.today + timedelta(weeks=2)).isoformat() + "&center=daxi")
    cell_id = lunch_cell(first, 1).get_attribute("id")
    for page in (first, second):
        page.locator(f"td#{cell_id}").get_by_role("link", name=re.compile("编辑")).click()
        expect(page.locator(f"td#{cell_id}.cell-editing")).to_be_visible()
    choices = [o for o in first.locator(f"td#{cell_id} select[name=staff] option").all_inner_texts() if o != "安排人员…"]
    first_pick, second_pick = choices[0].split("（")[0], choices[1].split("（")[0]
    first.locator(f"td#{cell_id} select[name=staff]").select_option(label=choices[0])
    first.locator(f"td#{cell_id}").get_by_role("button", name="安排").click()
    expect(first.locator(f"td#{cell_id} .cell-people .who", has_text=first_pick)).to_have_count(1)

    second.locator(f"td#{cell_id} select[name=staff]").select_option(label=choices[1])
    second.locator(f"td#{cell_id}").get_by_role("button", name="安排").click()
    alert = second.locator(f"td#{cell_id} [role=alert]")
    expect(alert).to_contain_text("已被其他负责人修改")
    expect(second.locator(f"td#{cell_id} .cell-people .who", has_text=first_pick)).to_have_count(1)  # fresh cell
    expect(second.locator(f"td#{cell_id} .cell-people .who", has_text=second_pick)).to_have_count(0)
    first.reload()
    expect(first.locator(f"td#{cell_id} .cell-people .who", has_text=first_pick)).to_have_count(1)
    first_ctx.close()
    second_ctx.close()
