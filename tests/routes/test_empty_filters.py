"""A filter left at 全部 in a plain form sends an empty value: every page reads it as "none", never a 400."""

import pytest

from center.config import DEMO_PASSWORD
from center.services.dining.registry import senior_by_card
from tests.factories import load_demo, login

# (user, path with every optional number present and empty, as a plain GET form sends it)
EMPTY = [
    ("manager", "/dining/months?month=2026-11&canteen="),
    ("manager", "/dining/months/export.xlsx?month=2026-11&canteen="),
    ("manager", "/dining?card=&canteen=&meal="),
    ("manager", "/dining/policy?on="),
    ("manager", "/dining/seniors/{senior}?year="),
    ("manager", "/dining/seniors/{senior}/statement?year=&month="),
    ("admin", "/counter/stats?month=2026-11&center="),
    ("admin", "/counter/stats/export.xlsx?month=2026-11&center="),
    ("manager", "/counter?q=&item=&visit="),
    ("manager", "/calendar?year="),
    ("manager", "/cases?q=&state=&item=&overdue=&page="),
    ("manager", "/rosters?week=&center="),
]


@pytest.mark.parametrize(("user", "path"), EMPTY)
async def test_an_empty_filter_means_all(client, db, user, path):
    await load_demo(db)
    await login(client, user, DEMO_PASSWORD)
    senior = await senior_by_card("D0003")  # a senior of the manager's own center
    answer = await client.get(path.format(senior=senior["id"]))
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])


async def test_the_month_filter_at_all_shows_every_canteen_of_the_center(client, db):
    await load_demo(db)
    await login(client, "manager", DEMO_PASSWORD)
    everything = await client.get("/dining/months?month=2026-11")
    chosen_all = await client.get("/dining/months?month=2026-11&canteen=")
    assert chosen_all.status_code == 200
    assert chosen_all.text.count("<tr") == everything.text.count("<tr")
