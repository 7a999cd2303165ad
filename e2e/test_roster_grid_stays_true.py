"""Journey: a manager edits a published week on the grid and every part of the page stays true without a reload:
both cells of a swap, the conflict and 超员 counts, the 发布后的修改 log; a second person on a one-person shift is
marked 超员.

Demo center `fenghuang`, next week (the admin manages it; no other journey uses it).
"""

import re
from datetime import timedelta

from playwright.sync_api import expect

from e2e.helpers import login

CENTER = "fenghuang"


def lunch_cell(page, column: int):
    return page.locator("#roster-grid tr", has=page.locator("th", has_text="午间值守")).locator("td.cell").nth(column)


def change_log(page):
    """The list under 发布后的修改."""
    return page.locator("section", has=page.locator("h2", has_text="发布后的修改")).locator("ul.changes").first


def names_in(cell) -> list[str]:
    return [n.strip() for n in cell.locator(".cell-people .who").all_inner_texts()]


def open_editor(page, cell):
    cell_id = cell.get_attribute("id")
    cell.get_by_role("link", name=re.compile("编辑")).click()
    editor = page.locator(f"td#{cell_id}.cell-editing")
    expect(editor.locator("select[name=staff]")).to_be_visible()
    return editor


def test_a_swap_and_an_extra_person_refresh_the_whole_grid_in_place(browser, server, artifacts):
    monday = server.today - timedelta(days=server.today.weekday()) + timedelta(weeks=1)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, server, "admin")
    page.goto(f"{server.url}/rosters?week={monday.isoformat()}&center={CENTER}")
    page.get_by_role("button", name="发布本周").click()
    # Publishing always asks first, naming the week (and listing any problem another journey left in it).
    expect(page.get_by_role("alertdialog")).to_contain_text("的排班？")
    page.get_by_role("button", name=re.compile("确认发布|仍然发布")).click()
    expect(page.locator(".week-status")).to_contain_text("已发布")
    expect(change_log(page)).to_contain_text("暂无")
    expect(page.locator(".week-status")).not_to_contain_text("处冲突")
    page.evaluate("window.stillTheSamePage = true")  # gone if anything reloads the page

    monday_cell, tuesday_cell = lunch_cell(page, 0), lunch_cell(page, 1)
    on_monday, on_tuesday = names_in(monday_cell), names_in(tuesday_cell)
    assert len(on_monday) == 1 and len(on_tuesday) == 1 and on_monday != on_tuesday

    # Swap Monday's lunch person with Tuesday's: both cells show the swapped people, the log says so.
    editor = open_editor(page, monday_cell)
    tuesday = monday + timedelta(days=1)
    editor.get_by_label(f"{on_monday[0]} 与谁交换").select_option(label=f"{tuesday.month}/{tuesday.day} 午间值守 {on_tuesday[0]}")
    editor.get_by_role("button", name="交换").click()
    expect(monday_cell.locator(".who")).to_have_text(on_tuesday)
    expect(tuesday_cell.locator(".who")).to_have_text(on_monday)  # not the old person twice
    expect(change_log(page)).to_contain_text(f"{on_monday[0]} ⇄")
    expect(change_log(page)).to_contain_text(on_tuesday[0])

    # A second person on Tuesday's one-person lunch shift, and one on leave that day: 超员 and a conflict,
    # counted in the week's summary at once.
    leave_line = page.locator("section", has=page.locator("h2", has_text="请假")).locator("ul.changes li").first
    on_leave = leave_line.inner_text().split("：")[0].strip()
    editor = open_editor(page, tuesday_cell)
    expect(editor.locator(".cell-note")).to_contain_text("再安排将超员")
    choice = next(o for o in editor.locator("select[name=staff] option").all_inner_texts()
                  if o.startswith(on_leave) and "当天请假" in o)
    editor.locator("select[name=staff]").select_option(label=choice)
    editor.get_by_role("button", name="安排").click()
    over = tuesday_cell.locator(".over")
    expect(over).to_contain_text("超员 1 人")
    expect(over).to_contain_text("需 1 人，已排 2 人")
    expect(tuesday_cell).to_have_class(re.compile(r"\bcell-over\b"))
    expect(tuesday_cell.locator("li.has-problem")).to_contain_text("当天请假")
    expect(page.locator(".week-status")).to_contain_text("1 个班次超员")
    expect(page.locator(".week-status")).to_contain_text("1 处冲突")
    expect(change_log(page)).to_contain_text(f"增加 {on_leave}")
    page.screenshot(path=str(artifacts / "roster-grid-over-staffed.png"), full_page=True)

    # Taking the extra person off again clears both marks in place.
    tuesday_cell.get_by_role("button", name=f"撤下 {on_leave}").click()
    # 撤下 asks first in the cell, naming the person; 确认撤下 has the focus, so Enter takes them off.
    question = page.get_by_role("alertdialog", name=f"撤下 {on_leave}？")
    expect(question).to_be_visible()
    expect(question.get_by_role("button", name="确认撤下")).to_be_focused()
    expect(tuesday_cell.locator(".over")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(tuesday_cell.locator(".over")).to_have_count(0)
    expect(page.locator(".week-status")).not_to_contain_text("处冲突")
    expect(change_log(page)).to_contain_text(f"撤下 {on_leave}")
    assert page.evaluate("window.stillTheSamePage") is True
    page.screenshot(path=str(artifacts / "roster-grid-after-edits.png"), full_page=True)
    context.close()
