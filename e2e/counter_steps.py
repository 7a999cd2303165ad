"""Steps at the kiosk counter shared by the counter journeys (search an item by its code, accept a case)."""

import re

from playwright.sync_api import expect


def open_item(page, code: str, name: str):
    """Type the item's code into the search box and open it; returns the work panel."""
    box = page.locator("#counter-search")
    box.fill(code)
    result = page.locator("#search-results a", has_text=name).first
    expect(result).to_be_visible()
    result.click()
    panel = page.locator("#work-panel")
    expect(panel.get_by_role("heading", name=name)).to_be_visible()
    return panel


def accept_case(page, code: str, name: str, resident: str, brought: tuple[str, ...] | None = None) -> tuple:
    """Open the item, tick the materials brought (None: every one, so the case is 已受理 with the clock running;
    else the labels given, and a required one left out makes it 待补正), type the resident's name, press 受理;
    returns (panel, case id, case code)."""
    panel = open_item(page, code, name)
    boxes = panel.locator("input[name=brought]")
    if brought is None:
        for i in range(boxes.count()):
            boxes.nth(i).check()
    else:
        for label in brought:
            panel.get_by_label(label).check()
    panel.get_by_label("姓名").fill(resident)
    panel.get_by_role("button", name=re.compile("^受理")).click()
    expect(panel.locator(".status")).to_have_text("已受理" if brought is None else re.compile("^(已受理|待补正)$"))
    case_id = panel.locator(".case-panel").get_attribute("data-case-id")
    return panel, case_id, panel.locator(".case-code").inner_text()


def case_status(page, server, case_id) -> str:
    """The case's state read back from a fresh load of its page (what anyone opening it now sees)."""
    html = page.request.get(f"{server.url}/cases/{case_id}").text()
    return re.search(r'<span class="status status-\w+">([^<]+)</span>', html).group(1)


def unexpected(console_errors: list[str], *statuses: int) -> list[str]:
    """Console errors other than the browser's note on an answer the journey expects (a 422 re-render)."""
    expected = tuple(f"status of {status} " for status in statuses)
    return [e for e in console_errors if not ("Failed to load resource" in e and any(s in e for s in expected))]
