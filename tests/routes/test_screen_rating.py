"""本月满意率 on the hall screen (/screen/{slug}): off by default; the center's manager switches it on its page (a
plain form post with CSRF, audited); then the screen shows it, "本月暂无评价" before the first rating, and the next
poll after a rating has the new figure (the rating's audit row drops the screen's caches, its ETag changes)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from center.services import cache, cases
from center.services.cases import ReceiveForm
from center.tables import AuditLog, Case, Center
from center.timeutil import LOCAL_TZ
from tests.factories import (
    as_user,
    csrf_token,
    item_id,
    load_demo_catalog,
    login,
    logout,
    make_center,
    make_staff,
)

FRAGMENT = {"HX-Request": "true", "HX-Target": "screen-body"}


@pytest.fixture
async def hall(db, frozen_clock):
    # A Wednesday morning in an ordinary month: ratings and the screen's month agree whatever the real date.
    frozen_clock(datetime(2026, 12, 9, 10, 0, tzinfo=LOCAL_TZ))
    await load_demo_catalog()
    center = await make_center()
    manager = await make_staff(db, "manager", center, display_name="测试主任")
    worker = await make_staff(db, "worker", center, display_name="张敏")
    return {"center": center, "manager": manager, "worker": worker}


async def finished_token(hall) -> str:
    worker = await as_user(hall["worker"])
    form = ReceiveForm(item_id=await item_id("MZ01"), action="accept", resident_name="张桂英", brought=(0, 1, 2))
    case_id = (await cases.receive(worker, form))["case_id"]
    await cases.act(worker, case_id, "complete")
    return (await Case.select(Case.public_token).where(Case.id == case_id).first())["public_token"]


def satisfaction(response) -> str | None:
    node = BeautifulSoup(response.text, "html.parser").select_one("[data-figure=satisfaction]")
    return None if node is None else node.get_text(" ", strip=True)


async def switch(client, slug: str, on: bool):
    token = await csrf_token(client, f"/centers/{slug}")
    return await client.post(f"/centers/{slug}/screen-rating", data={"_csrf_token": token,
                                                                      "screen_rating": "1" if on else "0"},
                             follow_redirects=False)


async def test_the_screen_shows_no_satisfaction_until_the_manager_switches_it_on(client, hall):
    slug = hall["center"]["slug"]
    token = await finished_token(hall)
    assert (await client.post("/api/v1/ratings", json={"token": token, "score": 5})).status_code == 201
    page = await client.get(f"/screen/{slug}")
    assert page.status_code == 200 and satisfaction(page) is None and "满意率" not in page.text

    assert (await login(client, hall["manager"]["username"])).status_code == 302
    center_page = BeautifulSoup((await client.get(f"/centers/{slug}")).text, "html.parser")
    form = center_page.select_one("form[action$='/screen-rating']")
    assert form["method"] == "post" and form.select_one("[name=_csrf_token]")["value"]
    assert center_page.select_one("[data-figure=screen_rating]").get_text() == "不显示"
    switched = await switch(client, slug, True)
    assert switched.status_code in (302, 303) and switched.headers["location"].endswith(f"/centers/{slug}")
    assert (await Center.select(Center.screen_rating).where(Center.slug == slug).first())["screen_rating"] is True
    audit = await AuditLog.select().where(AuditLog.action == "center.screen_rating").first()
    assert audit["actor"] == hall["manager"]["id"] and audit["center"] == hall["center"]["id"]

    assert satisfaction(await client.get(f"/screen/{slug}", headers=FRAGMENT)) == "本月满意率 100.0% 1 次评价"
    assert (await switch(client, slug, False)).status_code in (302, 303)
    assert satisfaction(await client.get(f"/screen/{slug}")) is None


async def test_the_figure_is_fresh_on_the_next_poll_after_a_rating(client, hall, db):
    slug = hall["center"]["slug"]
    await Center.update({Center.screen_rating: True}).where(Center.slug == slug)
    cache.changed()  # the switch was written behind the app's back here; the form post audits it (test above)
    before = await client.get(f"/screen/{slug}", headers=FRAGMENT)
    assert satisfaction(before) == "本月暂无评价"  # not 0%
    assert not re.search(r"\d%", before.text.split("data-figure=\"satisfaction\"")[1].split("</p>")[0])

    good, bad = await finished_token(hall), await finished_token(hall)
    assert (await client.post("/api/v1/ratings", json={"token": good, "score": 3})).status_code == 201
    after = await client.get(f"/screen/{slug}", headers={**FRAGMENT, "If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert satisfaction(after) == "本月满意率 100.0% 1 次评价"  # 基本满意 counts as satisfied
    assert (await client.post("/api/v1/ratings", json={"token": bad, "score": 1})).status_code == 201
    latest = await client.get(f"/screen/{slug}", headers={**FRAGMENT, "If-None-Match": after.headers["etag"]})
    assert latest.status_code == 200 and satisfaction(latest) == "本月满意率 50.0% 2 次评价"
    page = await client.get(f"/screen/{slug}")
    assert satisfaction(page) == "本月满意率 50.0% 2 次评价"
    # Nothing about the resident or the worker reaches the screen.
    assert "张桂英" not in page.text and "张敏" not in page.text
    again = await client.get(f"/screen/{slug}", headers={**FRAGMENT, "If-None-Match": latest.headers["etag"]})
    assert again.status_code == 304


async def test_only_the_centers_manager_or_the_admin_switches_it(client, hall, db):
    slug = hall["center"]["slug"]
    assert (await login(client, hall["worker"]["username"])).status_code == 302
    page = BeautifulSoup((await client.get(f"/centers/{slug}")).text, "html.parser")
    assert page.select_one("form[action$='/screen-rating']") is None  # a worker reads the setting, no button
    assert (await switch(client, slug, True)).status_code == 403
    await logout(client)
    stranger = await make_staff(db, "manager", await make_center(), display_name="别的中心")
    assert (await login(client, stranger["username"])).status_code == 302
    token = await csrf_token(client, "/counter/stats")
    refused = await client.post(f"/centers/{slug}/screen-rating", data={"_csrf_token": token, "screen_rating": "1"},
                                follow_redirects=False)
    assert refused.status_code == 403
    await logout(client)
    admin = await make_staff(db, "admin", None, display_name="区管理员")
    assert (await login(client, admin["username"])).status_code == 302
    assert (await switch(client, slug, True)).status_code in (302, 303)
    # Without the CSRF field the post is refused and nothing changes.
    assert (await client.post(f"/centers/{slug}/screen-rating", data={"screen_rating": "0"})).status_code == 403
    assert (await Center.select(Center.screen_rating).where(Center.slug == slug).first())["screen_rating"] is True
