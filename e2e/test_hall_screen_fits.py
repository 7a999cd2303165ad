"""Journey: the hall screen with the longest content it allows, on the hall's 1920×1080 TV and on a phone, and a TV
set to another time zone.

The content is the most the screen can be given: the most announcements a day allows at their longest, the longest
center, staff and shift names the database takes, three people on a one-person shift, two 调休 notices and a
holiday with its duty. It is made in a server of this module's own (the shared one stays as the demo made it).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from center.services.hours import ANNOUNCEMENT_MAX_CHARS, MAX_ANNOUNCEMENTS
from e2e.conftest import CLOCK, TODAY
from e2e.helpers import overflow
from tests.support.live_server import LiveServer, center_command

AT = f"{TODAY.isoformat()}T12:30"  # Wednesday lunch: the lunch shift on duty now, the evening shift next
CENTER_NAME_MAX, STAFF_NAME_MAX, SHIFT_NAME_MAX = 120, 60, 40  # center.name, staff.display_name, shift_type.name


def longest(prefix: str, length: int) -> str:
    return (prefix + "党群服务中心值班人员名称很长" * 20)[:length]


@pytest.fixture(scope="module")
def full_screen():
    """A demo server whose center `daxi` has the longest content the screen allows."""
    tmp = Path(tempfile.mkdtemp(prefix="center-e2e-screen-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/center.db", "CENTER_VAR_DIR": str(tmp), "CENTER_DEMO": "1",
           "CENTER_SCHEDULER": "0", "CENTER_CLOCK": CLOCK}
    env.pop("SECRET_KEY", None)
    center_command(["migrate"], env)
    stamp = datetime.now(timezone.utc).isoformat(sep=" ")
    with sqlite3.connect(tmp / "center.db") as db:
        # A holiday within the screen's horizon and two 调休 Saturdays/Sundays before it (set before the demo
        # rosters are made, so the holiday has its duty).
        db.executemany("INSERT INTO calendar_override (day, kind, name, created_at) VALUES (?, ?, ?, ?)", [
            ("2027-01-01", "holiday", "元旦", stamp), ("2027-01-02", "holiday", "元旦", stamp),
            ("2027-01-03", "holiday", "元旦", stamp), ("2026-12-19", "workday", "", stamp),
            ("2026-12-20", "workday", "", stamp)])
    center_command(["demo"], env)
    with sqlite3.connect(tmp / "center.db") as db:
        center_id = db.execute("SELECT id FROM center WHERE slug = 'daxi'").fetchone()[0]
        db.execute("UPDATE center SET name = ? WHERE id = ?", (longest("黛溪街道纸箱厂社区", CENTER_NAME_MAX), center_id))
        # The month's 满意率 shown too (a per-center setting, off by default): its line is part of the fullest screen.
        db.execute("UPDATE center SET screen_rating = ? WHERE id = ?", (True, center_id))
        staff = [r[0] for r in db.execute("SELECT id FROM staff WHERE center = ? ORDER BY id", (center_id,))]
        for i, staff_id in enumerate(staff):
            db.execute("UPDATE staff SET display_name = ? WHERE id = ?",
                       (f"{i:02d}" + longest("欧阳", STAFF_NAME_MAX - 2), staff_id))
        for i, (shift_id,) in enumerate(db.execute("SELECT id FROM shift_type WHERE center = ?", (center_id,)).fetchall()):
            db.execute("UPDATE shift_type SET name = ? WHERE id = ?", (f"{i}" + longest("延时错时", SHIFT_NAME_MAX - 1), shift_id))
        db.execute("DELETE FROM announcement WHERE center = ?", (center_id,))
        db.executemany(
            "INSERT INTO announcement (center, text, starts_on, ends_on, created_at) VALUES (?, ?, ?, ?, ?)",
            [(center_id, (f"第{i + 1}条公告：" + "本中心周六、周日及法定节假日照常值班，社保、医保、老年证、居住证等业务照常办理，"
                          "请携带身份证原件。" * 10)[:ANNOUNCEMENT_MAX_CHARS],
              (TODAY - timedelta(days=1)).isoformat(), (TODAY + timedelta(days=30)).isoformat(), stamp)
             for i in range(MAX_ANNOUNCEMENTS)])
        lunch = db.execute("SELECT id FROM shift_type WHERE center = ? ORDER BY sort_order LIMIT 1", (center_id,)).fetchone()[0]
        held = {r[0] for r in db.execute("SELECT staff FROM assignment WHERE shift_type = ? AND day = ?",
                                         (lunch, TODAY.isoformat()))}
        extra = [s for s in staff if s not in held][:2]
        db.executemany("INSERT INTO assignment (center, shift_type, day, staff, manual, created_at) VALUES (?, ?, ?, ?, 1, ?)",
                       [(center_id, lunch, TODAY.isoformat(), s, stamp) for s in extra])
        monday = TODAY - timedelta(days=TODAY.weekday())
        for week in range(5):
            db.execute("INSERT INTO roster_week (center, week, status, published_at) VALUES (?, ?, 'published', ?) "
                       "ON CONFLICT (center, week) DO UPDATE SET status = 'published'",
                       (center_id, (monday + timedelta(weeks=week)).isoformat(), stamp))
    live = LiveServer(env, tmp / "server.log").start()
    yield live
    live.stop()
    shutil.rmtree(tmp, ignore_errors=True)


# Every element that carries text of its own and that a person can see, with the part of its box they see (an
# ancestor that clips, e.g. a line ended in "…", cuts it), for the checks below.
BOXES = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === 'hidden' || el.closest('[hidden]')) continue;
    let r = el.getBoundingClientRect();
    let box = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      box = {left: Math.max(box.left, c.left), top: Math.max(box.top, c.top),
             right: Math.min(box.right, c.right), bottom: Math.min(box.bottom, c.bottom)};
    }
    if (box.right - box.left < 1 || box.bottom - box.top < 1) continue;
    out.push({text: el.textContent.trim().slice(0, 40), cls: String(el.className || el.tagName), ...box,
              updated: !!el.closest('.updated')});
  }
  return out;
}"""
CLIPPED = """() => [...document.querySelectorAll('.panel, .status, .notice, #screen-body')]
  .filter(el => getComputedStyle(el).display !== 'none' && el.scrollHeight > el.clientHeight + 1)
  .map(el => `${el.className || el.id}: ${el.scrollHeight} > ${el.clientHeight}`)"""


def section(page, heading: str):
    """A part of the screen by its heading, as a person finds it."""
    return page.locator("section", has=page.get_by_role("heading", name=re.compile(heading)))


def overlaps(a, b) -> bool:
    return a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1


def test_the_fullest_screen_fits_the_hall_tv_without_scrolling_or_overlap(browser, full_screen, artifacts):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.clock.install()  # the announcements page on the page's own clock: driven below, no waiting
    page.goto(f"{full_screen.url}/screen/daxi?at={AT}")
    expect(page.locator(".headline")).to_contain_text("服务中")
    assert overflow(page) == {"x": 0, "y": 0}
    boxes = page.evaluate(BOXES)
    outside = [b for b in boxes if b["left"] < 0 or b["top"] < 0 or b["right"] > 1920.5 or b["bottom"] > 1080.5]
    assert outside == [], outside
    updated = [b for b in boxes if b["updated"]]
    assert updated and "数据更新于" in updated[0]["text"]
    collisions = [(u["text"], b["text"]) for u in updated for b in boxes if not b["updated"] and overlaps(u, b)]
    assert collisions == [], collisions
    assert page.evaluate(CLIPPED) == []
    page.screenshot(path=str(artifacts / "screen-fullest-1920x1080.png"))
    # ... and it was the fullest screen: three on duty, a holiday with its duty, the notices, every announcement.
    expect(section(page, "正在值班")).to_contain_text("共 3 人")
    expect(section(page, "值班安排")).to_contain_text("元旦")
    expect(page.locator("[data-figure=satisfaction]")).to_have_text(re.compile(r"^(本月满意率 \d+(\.\d)?% \d+ 次评价|本月暂无评价)$"))
    expect(page.get_by_text("调休补班").first).to_be_visible()
    announcements = section(page, "公告").locator("p")
    expect(announcements).to_have_count(MAX_ANNOUNCEMENTS)

    # One announcement at a time, each in turn, each whole inside its box.
    box = section(page, "公告").bounding_box()
    for turn in range(MAX_ANNOUNCEMENTS):
        current = announcements.nth(turn)
        expect(current).to_be_visible()
        expect(current).to_have_class(re.compile(r"\bis-current\b"))
        expect(page.locator(".ann-page")).to_have_text(f"{turn + 1}/{MAX_ANNOUNCEMENTS}")
        shown = current.bounding_box()
        assert shown["y"] >= box["y"] and shown["y"] + shown["height"] <= box["y"] + box["height"] + 0.5
        assert announcements.filter(visible=True).count() == 1
        page.clock.run_for(10_000)
    expect(announcements.first).to_have_class(re.compile(r"\bis-current\b"))  # and round again
    context.close()


def test_the_fullest_screen_on_a_phone_stacks_into_one_column(browser, full_screen, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{full_screen.url}/screen/daxi?at={AT}")
    expect(page.locator(".headline")).to_contain_text("服务中")
    assert overflow(page)["x"] == 0
    duty, week, notes = (section(page, name).bounding_box() for name in ("正在值班", "本周延时与值班服务", "公告"))
    assert abs(duty["x"] - week["x"]) < 1 and week["y"] >= duty["y"] + duty["height"]  # one column
    assert notes["y"] >= week["y"] + week["height"]
    for i in range(MAX_ANNOUNCEMENTS):
        expect(section(page, "公告").locator("p").nth(i)).to_be_visible()  # a phone reads them all
    boxes = page.evaluate(BOXES)
    assert [b for b in boxes if b["right"] > 390.5 or b["left"] < 0] == []
    page.screenshot(path=str(artifacts / "screen-fullest-390x844.png"), full_page=True)
    context.close()


def test_a_tv_set_to_new_york_time_shows_the_time_in_shanghai(browser, full_screen, artifacts):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, timezone_id="America/New_York")
    page = context.new_page()
    before = _server_clock(full_screen)
    page.goto(f"{full_screen.url}/screen/daxi")
    clock = page.locator("#clock")
    expect(clock).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))  # the script's live clock has taken over
    shown = clock.inner_text()
    after = _server_clock(full_screen)
    new_york = page.evaluate("() => { const d = new Date(); return [d.getHours(), d.getMinutes()]; }")
    assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
    shown_minutes = int(shown[:2]) * 60 + int(shown[3:5])
    assert _minutes(before) - 1 <= shown_minutes <= _minutes(after) + 1, (shown, before, after)
    assert shown[:5] != f"{new_york[0]:02d}:{new_york[1]:02d}"
    page.screenshot(path=str(artifacts / "screen-new-york-tv.png"))
    context.close()


def _server_clock(server) -> str:
    """HH:MM in Asia/Shanghai as the server renders it on the screen (its own clock, whatever this machine's)."""
    html = httpx.get(f"{server.url}/screen/daxi", timeout=30).text
    return re.search(r'id="clock"[^>]*>(\d\d:\d\d)<', html).group(1)


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])
