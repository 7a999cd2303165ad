"""Journey: the manager opens a new queue E 就业创业 and has window 6 serve it; the door's API offers it at once.
Then the month's figures show the hall: waits per hour drawn beside the one window's figures.

The set-up changes the hall, so it runs in a server of this module's own (the shared one stays as the demo made it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.conftest import CLOCK, TODAY
from e2e.helpers import login, overflow
from e2e.servers import demo_env
from tests.support.live_server import LiveServer


@pytest.fixture(scope="module")
def hall_server():
    env = demo_env("center-e2e-hall-", CLOCK)  # migrated, the demo loaded (e2e/servers.py)
    live = LiveServer(env, Path(env["CENTER_VAR_DIR"]) / "server.log").start()
    live.today = TODAY
    yield live
    live.stop()


def window_card(page, number: str):
    return page.locator("form.window-card").filter(has=page.get_by_role("heading", name=f"{number}号窗口", exact=True))


def test_the_manager_opens_queue_e_and_window_6_serves_it(page, hall_server, artifacts, console_errors):
    server = hall_server
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(page, server, "manager")
    page.goto(server.url + "/rosters")
    page.get_by_role("link", name="取号叫号设置").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("取号叫号设置")
    page.screenshot(path=str(artifacts / "hall-setup-1920.png"), full_page=True)

    # A code the tickets cannot carry (the field takes one character) is refused at its field; what was typed stays.
    form = page.locator("#queue-form")
    form.get_by_label("代码（一个大写字母）").fill("1")
    form.get_by_label("名称").fill("就业创业")
    form.get_by_label("社会保障").check()
    form.get_by_role("button", name="保存队列").click()
    expect(form.locator("#q-code-error")).to_have_text("队列代码须为一个大写字母（A–Z）")
    expect(form.get_by_label("名称")).to_have_value("就业创业")
    expect(form.get_by_label("社会保障")).to_be_checked()
    page.screenshot(path=str(artifacts / "hall-setup-refused.png"), full_page=False)

    form.get_by_label("代码（一个大写字母）").fill("E")
    form.get_by_role("button", name="保存队列").click()
    expect(page.locator("#queues")).to_contain_text("队列 E 已保存")
    expect(page.locator("#queues tbody")).to_contain_text("就业创业")

    # The windows learnt of the new queue without a reload: window 6 can be given it straight away.
    card = window_card(page, "6")
    card.get_by_label("E 就业创业").check()
    card.get_by_role("button", name="保存 6号窗口").click()
    expect(page.locator("#windows")).to_contain_text("6号窗口已保存")
    expect(window_card(page, "6").get_by_label("E 就业创业")).to_be_checked()
    expect(window_card(page, "6").get_by_label("D 综合咨询")).to_be_checked()  # what it served still served
    page.screenshot(path=str(artifacts / "hall-setup-saved-1920.png"), full_page=True)
    assert overflow(page)["x"] == 0

    queues = page.request.get(server.url + "/api/v1/centers/daxi/queues").json()
    assert {"code": "E", "name": "就业创业"}.items() <= next(q for q in queues if q["code"] == "E").items()

    # The same page on a phone: nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert overflow(page)["x"] == 0, overflow(page)
    page.screenshot(path=str(artifacts / "hall-setup-390.png"), full_page=True)
    # The refused form's answer is a 422 (swapped in by design); the browser logs any 4xx it loads.
    assert [e for e in console_errors if "status of 422" not in e] == []


def test_the_month_figures_show_the_hall_with_its_waiting_chart(page, hall_server, artifacts):
    server = hall_server
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, server, "manager")
    page.goto(server.url + f"/counter/stats?month={server.today:%Y-%m}")
    section = page.locator("#hall-figures")
    expect(section.get_by_role("heading", name="取号叫号", exact=True)).to_be_visible()
    chart = section.get_by_role("img", name=re.compile("各时段等候时间"))
    expect(chart).to_be_visible()
    heights = chart.locator("rect").evaluate_all("bars => bars.map(b => Number(b.getAttribute('height')))")
    assert len(heights) == 2 * 13 and sum(1 for h in heights if h > 0) >= 4  # the demo's mornings
    tickets = int(section.locator("[data-figure=hall_tickets] strong").inner_text().replace(",", ""))
    assert tickets > 50
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(artifacts / "stats-hall-section.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    assert overflow(page)["x"] == 0, overflow(page)
    section.screenshot(path=str(artifacts / "stats-hall-section-390.png"))
