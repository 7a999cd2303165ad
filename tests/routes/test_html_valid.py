"""Every GET page of the app, for every role and for the public, passes the Nu Html Checker (vnu.jar).

The URLs come from the app's own route table, so a new page cannot escape: a GET route is either checked as a
page, or named below as something that is not an HTML document (JSON, a workbook, a feed, an htmx fragment).
Routes with ids get real ones from the demo district. One JVM serves the whole module.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from bs4 import BeautifulSoup
from litestar.testing import AsyncTestClient

from center.app import create_app
from center.config import DEMO_PASSWORD
from center.tables import Demand, Household, Case, Item, Rating, RatingFollowup, Senior, Staff, Ticket, Visit
from tests.factories import load_demo, login
from tests.support.vnu import Vnu

ROLES = ("worker", "manager", "admin", "canteen")
FINGERPRINTED = re.compile(r"/static/[\w./-]+\.[0-9a-f]{12}\.\w+")

# GET routes that are not HTML documents, and what they are instead.
NOT_PAGES = {
    "/api/": "JSON API",
    "/schema": "OpenAPI schema (JSON)",
    "/healthz": "JSON health check",
    "/ical/": "iCalendar feed",
    "/events": "server-sent event stream of the hall (tests/routes/test_screen_events.py)",
    "/static": "static files",
    "export.xlsx": "Excel workbook",
    "/rosters/cell": "htmx fragment: one roster cell (checked inside /rosters)",
    "/visits/{visit_id:int}/identity": "htmx fragment: a revealed identity (checked inside the case page)",
}

# GET routes that only redirect (checked to do so for every role).
REDIRECTS = {"/": "home: the role's landing page, or the login"}

# Pages worth checking in more than one state (query strings change what the template renders).
EXTRA_URLS = (
    "/login?expired=1",
    "/login?logged_out=1",
    "/counter?q=老年",
    "/counter?q=zzzz-no-such-item",
    "/counter/stats?month=2026",
    "/no-such-page",
)

# Pages whose own content (not the layout) still has errors, owned by other parts of issue #10.
KNOWN_ELSEWHERE: set[str] = set()


def layout_problems(html: str) -> list[str]:
    """What axe-core also refuses, checked here on every page: one <h1>, one <main>, a skip link that lands; and
    static files only under fingerprinted URLs (cached for a year)."""
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    if len(soup.find_all("h1")) != 1:
        problems.append(f"layout: {len(soup.find_all('h1'))} <h1> elements (one wanted)")
    if len(soup.find_all("main")) != 1:
        problems.append(f"layout: {len(soup.find_all('main'))} <main> elements (one wanted)")
    for tag in soup.select("link[href^='/static/'], script[src^='/static/']"):
        url = tag.get("href") or tag.get("src")
        if not FINGERPRINTED.fullmatch(url):
            problems.append(f"layout: {url} is not fingerprinted (use static_url() in the template)")
    for link in soup.select("a.skip-link[href^='#']"):
        if soup.find(id=link["href"][1:]) is None:
            problems.append(f"layout: the skip link points at a missing {link['href']}")
    return problems


def not_a_page(path: str) -> str | None:
    return next((why for marker, why in NOT_PAGES.items() if marker in path), None)


def get_paths(app) -> list[str]:
    paths = []
    for route in app.routes:
        if "GET" in (getattr(route, "methods", None) or ()):
            paths.append(route.path)
    return sorted(set(paths))


async def demo_ids() -> dict[str, str]:
    """A real value for every path parameter a page takes."""
    daxi_case = await (Case.select(Case.id, Case.public_token, Case.visit)
                       .where(Case.center.slug == "daxi").order_by(Case.id).first())
    item = await Item.select(Item.id).order_by(Item.id).first()
    senior = await Senior.select(Senior.id).where(Senior.card_no == "D0001").first()
    visit = await Visit.select(Visit.id).where(Visit.id == daxi_case["visit"]).first()
    staff = await Staff.select(Staff.ical_token, Staff.window).where(Staff.username == "worker").first()
    followup = await RatingFollowup.select(RatingFollowup.id).where(RatingFollowup.center.slug == "daxi").order_by(
        RatingFollowup.id).first()
    demand = await Demand.select(Demand.id).where(
        (Demand.center.slug == "daxi") & (Demand.state == "working")).order_by(Demand.id).first()
    household = await Household.select(Household.id).where(Household.center.slug == "daxi").first()
    return {
        "household_id": str(household["id"]),
        "demand_id": str(demand["id"]),
        "case_id": str(daxi_case["id"]),
        "token": daxi_case["public_token"],
        "item_id": str(item["id"]),
        "senior_id": str(senior["id"]),
        "visit_id": str(visit["id"]),
        "slug": "daxi",
        "name": f"{staff['ical_token']}.ics",
        "window": staff["window"],  # the demo's rating pad sits at the worker's window
        "followup_id": str(followup["id"]),
    }


def concrete(path: str, ids: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        assert name in ids, f"{path}: give demo_ids() a real {name!r} so this page is checked"
        return ids[name]

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


@pytest.fixture(scope="module")
def vnu():
    checker = Vnu()
    yield checker
    checker.stop()


async def test_every_page_passes_the_nu_html_checker(db, vnu):
    await load_demo(db)
    app = create_app(db)
    ids = await demo_ids()
    pages = [p for p in get_paths(app) if not not_a_page(p) and p not in REDIRECTS]
    urls = [concrete(p, ids) for p in pages] + list(EXTRA_URLS)
    # The hall ticket's pages with a real ticket (demo_ids' `token` is a case's, which they answer with a 404).
    ticket = await Ticket.select(Ticket.token).where(Ticket.center.slug == "daxi").order_by(
        Ticket.id, ascending=False).first()
    urls += [f"/q/{ticket['token']}", f"/take/daxi/ticket/{ticket['token']}"]
    # A consultation's rating receipt, a finished case still to rate (the 回访 form) and a rated one.
    finished = await Case.select(Case.id, Case.status).where(
        (Case.center.slug == "daxi") & Case.status.is_in(["consult", "completed"])).order_by(Case.id)
    rated = {r["case"] for r in await Rating.select(Rating.case)}
    consult = next(c["id"] for c in finished if c["status"] == "consult")
    urls += [f"/cases/{consult}/slip?variant=receipt",
             f"/cases/{next(c['id'] for c in finished if c['id'] not in rated)}",
             f"/cases/{next(c['id'] for c in finished if c['id'] in rated)}"]
    # A demand at each stage its page offers different steps for, and the counter's demand panel.
    for state in ("new", "signed", "contacted", "resolved", "visited", "returned"):
        demand = await Demand.select(Demand.id).where(
            (Demand.center.slug == "daxi") & (Demand.state == state)).order_by(Demand.id).first()
        urls.append(f"/demands/{demand['id']}")
    errand = await Demand.select(Demand.id).where((Demand.center.slug == "daxi") & (Demand.kind == "errand")
                                                  & (Demand.household.is_not_null())).first()
    urls += ["/counter/?demand=1", "/demands/?state=open&mine=1", f"/demands/{errand['id']}",
             "/demands/households?tag=独居", "/demands/proactive?month=2027-03"]

    errors: dict[str, list[str]] = defaultdict(list)
    checked: dict[str, set[str]] = defaultdict(set)  # url -> who saw it as a page
    for who in ("anonymous", *ROLES):
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
            if who != "anonymous":
                answer = await login(client, who, DEMO_PASSWORD)
                assert answer.status_code in (302, 303), who
            for url in REDIRECTS:
                assert (await client.get(url, follow_redirects=False)).status_code in (302, 303), (who, url)
            for url in urls:
                response = await client.get(url, follow_redirects=False)
                assert response.status_code < 500, (who, url, response.status_code)
                if response.status_code in (301, 302, 303, 304, 307) or \
                        "text/html" not in response.headers.get("content-type", ""):
                    continue
                checked[url].add(who)
                for line in vnu.errors(response.text) + layout_problems(response.text):
                    errors[url].append(f"{who} {response.status_code}: {line}")

    unchecked = [u for u in urls if not checked[u]]
    assert not unchecked, f"pages no role could open (give them data or a role): {unchecked}"
    # Every role opened at least a dozen real pages (a broken login would check only login pages).
    seen_by = defaultdict(int)
    for roles in checked.values():
        for who in roles:
            seen_by[who] += 1
    assert all(seen_by[who] >= 8 for who in ROLES), dict(seen_by)

    report = []
    for url in sorted(errors):
        distinct = sorted(set(line.split(": ", 1)[1] for line in errors[url]))
        report.append(f"{url}:\n  " + "\n  ".join(distinct))
    remaining = {u for u in errors} - KNOWN_ELSEWHERE
    assert not remaining, "Nu Html Checker errors:\n" + "\n".join(report)
