"""The hall screen renders its page once a minute for everyone (issue #11, finding 12), and still shows a change
the moment it is written."""

from __future__ import annotations

import asyncio

import pytest

from center.routes import screen
from center.services import hours
from center.tables import Center
from center.timeutil import local_today
from tests.factories import as_user, make_staff

FRAGMENT = {"HX-Request": "true", "HX-Target": "screen-body"}


@pytest.fixture
def renders(monkeypatch):
    """How often the screen's template was rendered, by block (None: the whole page)."""
    counted: list[str | None] = []
    real = screen._render

    async def counting(request, slug, block, *args):
        counted.append(block)
        return await real(request, slug, block, *args)

    monkeypatch.setattr(screen, "_render", counting)
    return counted


async def test_forty_screens_asking_at_once_get_the_same_bytes_from_one_render(demo_client, renders):
    pages = await asyncio.gather(*(demo_client.get("/screen/daxi") for _ in range(40)))
    assert {p.status_code for p in pages} == {200}
    assert len({p.content for p in pages}) == 1
    assert "黛溪" in pages[0].text and pages[0].headers["content-type"].startswith("text/html")
    fragments = await asyncio.gather(*(demo_client.get("/screen/daxi", headers=FRAGMENT) for _ in range(10)))
    assert len({f.content for f in fragments}) == 1 and "<html" not in fragments[0].text
    assert renders.count(None) <= 1 and renders.count("screen_body") <= 1  # 0 if an earlier test filled it


async def test_an_announcement_is_on_the_next_poll_and_the_old_page_is_not_served(demo_client, renders, db):
    before = await demo_client.get("/screen/daxi", headers=FRAGMENT)
    center = await Center.select(Center.id, Center.slug).where(Center.slug == "daxi").first()
    manager = await as_user(await make_staff(db, role="manager", center=center))
    await hours.add_announcement(manager, center["id"], "明日上午停电检修，暂停办理", local_today(), local_today())
    after = await demo_client.get("/screen/daxi", headers=FRAGMENT)
    assert "明日上午停电检修" not in before.text and "明日上午停电检修" in after.text
    assert after.headers["etag"] != before.headers["etag"]
    again = await demo_client.get("/screen/daxi", headers={**FRAGMENT, "If-None-Match": after.headers["etag"]})
    assert again.status_code == 304


async def test_the_call_panel_poll_never_gets_the_whole_body_back_from_a_304(demo_client):
    """The browser keeps one cached answer per address: were the body's validator good for the panel's poll, a 304
    would put the whole body into the call panel (the TV doubled its content). Each block has its own validator."""
    body = await demo_client.get("/screen/daxi", headers=FRAGMENT)
    panel = await demo_client.get("/screen/daxi", headers={"HX-Request": "true", "HX-Target": "call-panel",
                                                            "If-None-Match": body.headers["etag"]})
    assert panel.status_code == 200 and panel.text.lstrip().startswith('<section id="call-panel"')
    assert "screen-grid" not in panel.text
    again = await demo_client.get("/screen/daxi", headers={"HX-Request": "true", "HX-Target": "call-panel",
                                                            "If-None-Match": panel.headers["etag"]})
    assert again.status_code == 304


def test_the_last_calls_name_each_ticket_once_at_its_latest_call():
    calls = [{"ticket_no": n, "window": w} for n, w in (("A003", "1"), ("A002", "2"), ("A003", "1"), ("A002", "2"),
                                                        ("B001", "3"))]
    panel = screen.call_panel({"queues": [], "calls": calls})
    assert panel["current"]["ticket_no"] == "A003"
    assert [c["ticket_no"] for c in panel["last"]] == ["A002", "B001"]  # a recall is not a second line
