"""The demo's 好差评 (issue #14): finished cases rated from all three channels, mostly well, five 差评 at the
follow-up's stages a manager meets, a pad at the demo worker's window; loading twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from center.demo.district import load_demo as real_load_demo
from center.demo.ratings import demo_pad_path
from center.domain.ratings import Appeal, Mark, State, deadline_mark
from center.services import ratings
from center.services.calendar import get_calendar
from center.tables import Case, Rating, RatingEvent, RatingFollowup, RatingPad
from center.timeutil import local_today, utcnow
from tests.factories import JOURNEY_NOW


@pytest.fixture(autouse=True)
def clock(frozen_clock):
    """The e2e journeys' clock (a Wednesday in December): the demo is loaded and judged on it."""
    return frozen_clock(JOURNEY_NOW)


async def _counts() -> dict[str, int]:
    return {"rating": await Rating.count(), "followup": await RatingFollowup.count(),
            "event": await RatingEvent.count(), "pad": await RatingPad.count()}


async def test_the_demo_rates_finished_cases_from_every_channel_mostly_well(demo_db):
    rows = await Rating.select(Rating.channel, Rating.score, Rating.method, Rating.entered_by, Rating.at,
                               Rating.case.closed_at.as_alias("closed_at"), Rating.case.status.as_alias("status"),
                               Rating.center.slug.as_alias("slug"))
    assert {r["slug"] for r in rows} == {"daxi", "huanghe"}
    by_channel = {c: [r for r in rows if r["channel"] == c] for c in ("phone", "pad", "callback")}
    assert len(by_channel["phone"]) > len(by_channel["callback"]) > 0
    assert len(by_channel["phone"]) > len(by_channel["pad"]) > 0
    assert all(r["method"] and r["entered_by"] for r in by_channel["callback"])  # who called, and how
    assert all(not r["method"] and r["entered_by"] is None for r in by_channel["phone"] + by_channel["pad"])
    assert all(r["status"] in ("completed", "refused", "consult") for r in rows)
    assert all(r["closed_at"] <= r["at"] <= utcnow() for r in rows)  # rated after it finished, never in the future
    bad = [r for r in rows if r["score"] <= 2]
    assert 0 < len(bad) <= len(rows) // 10  # mostly good
    assert all(r["at"] >= utcnow() - timedelta(days=31) for r in rows)  # the past month of the demo's cases


async def test_the_demo_has_a_bad_rating_at_every_stage_of_the_follow_up(demo_db):
    calendar, today = await get_calendar(), local_today()
    rows = await RatingFollowup.select(RatingFollowup.id, RatingFollowup.state, RatingFollowup.due_on,
                                       RatingFollowup.appeal, RatingFollowup.feedback,
                                       RatingFollowup.rating.case.public_token.as_alias("token")).where(
        RatingFollowup.center.slug == "daxi")
    states = [r["state"] for r in rows]
    assert sorted(states) == sorted([State.pending, State.fixing, State.unfounded, State.closed, State.closed])
    pending = next(r for r in rows if r["state"] == State.pending)
    assert deadline_mark(pending["state"], pending["due_on"], today, calendar) in (Mark.due_soon, Mark.overdue)
    closed = [r for r in rows if r["state"] == State.closed]
    assert all(r["feedback"] for r in closed)
    appealed = [r for r in rows if r["appeal"]]
    assert [r["appeal"] for r in appealed] == [Appeal.pending.value]
    # The feedback is what the resident reads on the status page of the case they rated.
    published = next(r for r in closed if not r["appeal"])
    view = await ratings.status_view(published["token"])
    assert view["rating"]["rated"] and view["rating"]["feedback"] == published["feedback"]
    # Every step left its event: open, then verify, fix, feedback, appeal as far as each one went.
    actions = {r["id"]: [e["action"] for e in await RatingEvent.select(RatingEvent.action).where(
        RatingEvent.followup == r["id"]).order_by(RatingEvent.id)] for r in rows}
    assert actions[pending["id"]] == ["open"]
    assert actions[published["id"]] == ["open", "verify", "fix", "feedback"]
    assert actions[appealed[0]["id"]] == ["open", "verify", "feedback", "appeal"]


async def test_the_demo_pad_is_registered_at_the_demo_workers_window_and_opens(demo_client, db):
    path = await demo_pad_path()
    assert path is not None and path.startswith("/rate/daxi/") and path.endswith("?pad=demo-pad-1")
    answer = await demo_client.get(path, follow_redirects=False)
    assert answer.status_code == 303  # the tablet is bound to the window (cookie) and sent to the pad's page
    page = await demo_client.get(answer.headers["location"])
    assert page.status_code == 200 and "评价器未登记" not in page.text and "欢迎评价" in page.text


async def test_loading_the_demo_twice_changes_no_rating(demo_db):
    before = await _counts()
    assert before["rating"] > 0 and before["event"] > 0 and before["pad"] == 1
    created = await real_load_demo(demo_db)
    assert created["ratings"] == 0
    assert await _counts() == before
    assert await Case.count() > 0
