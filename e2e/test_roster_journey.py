"""Journeys: the manager swaps two shifts and publishes, the hall screen follows; two managers on one cell."""

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from e2e.helpers import login

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"




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

    wednesday, thursday = lunch_cell(page, 2), lunch_cell(page, 3)
    wed_day = re.search(r"(\d{4}-\d\d-\d\d)", wednesday.get_attribute("id")).group(1)
    before_wed, before_thu = names_in(wednesday), names_in(thursday)
    assert len(before_wed) == 1 and len(before_thu) == 1 and before_wed != before_thu

    wednesday.get_by_role("link", name=re.compile("编辑")).click()
    editor = page.locator(f"td#{wednesday.get_attribute('id')}.cell-editing")
    expect(editor).to_be_visible()
    thu = date.fromisoformat(wed_day) + timedelta(days=1)
    option = f"{thu.month}/{thu.day} 午间值守 {before_thu[0]}"
    editor.get_by_label(f"{before_wed[0]} 与谁交换").select_option(label=option)
    editor.get_by_role("button", name="交换").click()
    expect(page.locator(f"td#{wednesday.get_attribute('id')}")).to_contain_text(before_thu[0])
    page.reload()
    assert names_in(lunch_cell(page, 2)) == before_thu and names_in(lunch_cell(page, 3)) == before_wed

    page.get_by_role("button", name="发布本周").click()
    expect(page.locator(".flash-success")).to_contain_text("已发布")
    expect(page.locator(".week-status")).to_contain_text("已发布")
    page.screenshot(path=str(artifacts / "roster-grid.png"), full_page=True)

    # The hall screen at Wednesday lunch time shows the person swapped in.
    screen = browser.new_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{server.url}/screen/daxi?at={wed_day}T12:30")
    on_duty = screen.locator("section.panel").first
    expect(on_duty).to_contain_text(before_thu[0])
    expect(on_duty).not_to_contain_text(before_wed[0])
    expect(screen.locator(".headline")).to_contain_text("服务中")
    screen.screenshot(path=str(artifacts / "screen-1920x1080.png"))
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{server.url}/screen/daxi?at={wed_day}T12:30")
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


def test_screen_passes_an_accessibility_check(browser, server):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    for url in ("/screen/daxi", "/screen/daxi?at=" + server.today.isoformat() + "T21:00"):
        page.goto(server.url + url)
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]
               if v["impact"] in ("serious", "critical")]
        assert bad == [], bad
    context.close()
