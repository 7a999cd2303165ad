"""make_<thing>(**overrides) factories and HTTP helpers (login, logout, CSRF) for tests."""

from __future__ import annotations

import itertools
import os
import re
from datetime import date, datetime

from center.config import Settings
from center.domain.privacy import id_check_digit
from center.services.dining.allowances import grant_due
from center.services.staff import add_staff
from center.tables import Canteen, Center, Senior, SeniorCategory
from center.timeutil import LOCAL_TZ, utcnow

PASSWORD = "a-test-password-123"
# The e2e journeys' clock, a Wednesday in an ordinary December week (the `frozen_clock` fixture's default).
JOURNEY_NOW = datetime(2026, 12, 9, 10, 0, tzinfo=LOCAL_TZ)
_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq)}p{os.getpid() % 1000}"


async def make_center(**overrides) -> dict:
    slug = overrides.pop("slug", None) or unique("c")
    values = {"slug": slug, "name": f"测试中心{slug}", "kind": "center", "address": "测试路 1 号", "phone": "0543-0000000"}
    values.update(overrides)
    row = (await Center.insert(Center(**values)).returning(Center.id))[0]
    return {**values, "id": row["id"]}


async def make_canteen(center: dict | None = None, **overrides) -> dict:
    """A canteen of `center` (a new center by default), its menu the table's defaults."""
    center = center or await make_center()
    values = {"center": center["id"], "code": unique("CT"), "name": f"测试食堂{next(_seq)}"}
    values.update(overrides)
    row = (await Canteen.insert(Canteen(**values)).returning(Canteen.id))[0]
    return {**values, "id": row["id"], "center": center}


def id_number(birth: date, seq: int) -> str:
    """A resident ID number that passes its checksum and agrees with `birth` (371626: a county of Binzhou)."""
    body = f"371626{birth:%Y%m%d}{seq % 1000:03d}"
    return body + id_check_digit(body)


async def make_policy(effective: date, text: str | None = None, **allowance) -> int:
    """A policy version in force from `effective`: the given file text (its effective line set to the date), or the
    reference district's yearly allowance with `allowance` settings (annual_fen, cap_fen, year_end...). Versions are
    append-only, so a test dates its own in years no other test uses."""
    from center.domain.policy import allowance_policy_text
    from center.services.dining.policies import record_version

    if text is None:
        text = allowance_policy_text(effective, **allowance)
    else:
        text = re.sub(r"(?m)^effective\s*=.*$", f"effective = {effective.isoformat()}", text)
    return (await record_version(text, actor=None, origin="file"))[0]


async def make_senior(center: dict | None = None, *, granted_on: date | None = None, **overrides) -> dict:
    """A senior with a meal card in `center` (a new center by default), born 1950-05-05 (65 or more) unless
    `birth_date` says otherwise. `granted_on`: the allowances due by that day are granted (as the daily job would)."""
    center = center or await make_center()
    n = next(_seq)
    birth = overrides.pop("birth_date", date(1950, 5, 5))
    categories = overrides.pop("categories", ())
    values = {"name": f"测试老人{n}", "id_number": id_number(birth, n), "birth_date": birth, "center": center["id"],
              "card_no": f"T{n:05d}", "active": True, "created_at": utcnow()}
    values.update(overrides)
    senior_id = (await Senior.insert(Senior(**values)).returning(Senior.id))[0]["id"]
    for category in categories:
        await SeniorCategory.insert(SeniorCategory(senior=senior_id, category=category, since=date(2000, 1, 1),
                                                   evidence="测试", recorded_at=utcnow()))
    if granted_on is not None:
        await grant_due(granted_on)
    return {**values, "id": senior_id}


async def make_staff(settings: Settings, role: str = "worker", center: dict | None = None, **overrides) -> dict:
    if center is None and role != "admin":
        center = await make_center()
    username = overrides.pop("username", None) or unique(role)
    password = overrides.pop("password", PASSWORD)
    staff_id = await add_staff(
        settings,
        username=username,
        role=role,
        center_slug=center["slug"] if center else None,
        display_name=overrides.pop("display_name", f"测试{role}"),
        password=password,
    )
    return {"id": staff_id, "username": username, "password": password, "role": role, "center": center}


CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
_CSRF_VALUES_RE = re.compile(r'(name="_csrf_token" value="|"x-csrftoken": ")[^"]+"')


def without_csrf_tokens(html: str) -> str:
    """The page without its CSRF tokens: random hex, which now and then holds a run of digits shaped like a phone or
    ID number. What a search for personal data must read is everything else."""
    return _CSRF_VALUES_RE.sub(r'\1"', html)


async def csrf_token(client, path: str = "/login") -> str:
    response = await client.get(path)
    match = CSRF_RE.search(response.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


async def login(client, username: str, password: str = PASSWORD, next: str = ""):
    token = await csrf_token(client)
    return await client.post(
        "/login",
        data={"_csrf_token": token, "username": username, "password": password, "next": next},
        follow_redirects=False,
    )


async def logout(client):
    token = await csrf_token(client, "/logout")
    return await client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)


async def load_demo_catalog() -> None:
    """The 43-item demo catalog (idempotent)."""
    from center.services.catalog import load_catalog
    from center.demo.catalog import CATEGORIES, KEYWORDS

    await load_catalog(CATEGORIES, keywords=KEYWORDS)


async def item_id(code: str) -> int:
    from center.tables import Item

    return (await Item.select(Item.id).where(Item.code == code).first())["id"]


async def as_user(staff: dict):
    """The CurrentUser of a staff member made by make_staff."""
    from center.services.identity import load_user

    return await load_user(staff["id"])


async def load_demo(settings: Settings) -> None:
    """The whole demo district (idempotent): logins admin/manager/worker/canteen with DEMO_PASSWORD. Into a database
    still as migrations left it, the district is copied from one loaded once per test process (demo_template)."""
    from center.demo.district import load_demo as _load
    from tests.support.demo_template import copy_demo_if_pristine

    if not await copy_demo_if_pristine(settings):
        await _load(settings)


def vary(response) -> set[str]:
    """The request headers an answer varies by, apart from Accept-Encoding (added whenever it is gzipped)."""
    return {v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()} - {"Accept-Encoding"}


def soup(response):
    """The answer's HTML, parsed (assert on structure, not on long strings)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.text, "html.parser")


async def accept_case(client, code: str = "MZ01", **fields) -> int:
    """Accept a case for 张桂英 at the counter with a plain form post (materials 0–2 brought); the new case's id."""
    token = await csrf_token(client, "/counter")
    data = {"_csrf_token": token, "item_id": str(await item_id(code)), "action": "accept", "resident_name": "张桂英",
            "brought": ["0", "1", "2"], **fields}
    response = await client.post("/counter/receive", data=data, follow_redirects=False)
    assert response.status_code == 302, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def act_on_case(client, case_id: int, headers: dict | None = None, **fields):
    """Post an action (fields) on the case page's form, with the case's current version; the answer."""
    from center.tables import Case

    token = await csrf_token(client, f"/cases/{case_id}")
    version = (await Case.select(Case.version).where(Case.id == case_id).first())["version"]
    data = {"_csrf_token": token, "version": str(version), **fields}
    return await client.post(f"/cases/{case_id}/actions", data=data, headers=headers or {}, follow_redirects=False)


async def make_queue(center: dict, **overrides) -> dict:
    """A hall queue of `center` (code A unless told)."""
    from center.tables import HallQueue

    values = {"center": center["id"], "code": "A", "name": "社保医保", "categories": "[]", "daily_max": 300,
              "priority_run": 1}
    values.update(overrides)
    row = (await HallQueue.insert(HallQueue(**values)).returning(HallQueue.id))[0]
    return {**values, "id": row["id"]}


async def make_ticket(queue: dict, taken_at: datetime, wait_min: float | None = None,
                      serve_min: float | None = None, **overrides) -> dict:
    """A ticket of `queue` taken at `taken_at`, called `wait_min` minutes later (at window 1 unless told) and done
    `serve_min` minutes after the call; never called without wait_min. `state` follows unless given."""
    import secrets
    from datetime import timedelta

    from center.tables import Ticket

    called = taken_at + timedelta(minutes=wait_min) if wait_min is not None else None
    finished = called + timedelta(minutes=serve_min) if called is not None and serve_min is not None else None
    number = next(_seq)
    values = {"center": queue["center"], "queue": queue["id"], "day": taken_at.astimezone(LOCAL_TZ).date(),
              "number": number, "ticket_no": f"{queue['code']}{number:03d}", "token": secrets.token_urlsafe(18),
              "priority": False, "state": "done" if finished else "called" if called else "waiting",
              "window": "1" if called else "", "taken_at": taken_at, "order_at": taken_at, "called_at": called,
              "last_called_at": called, "calls": 1 if called else 0, "finished_at": finished}
    values.update(overrides)
    row = (await Ticket.insert(Ticket(**values)).returning(Ticket.id))[0]
    return {**values, "id": row["id"]}


def xlsx_bytes(header, rows) -> bytes:
    """A one-sheet workbook as an upload: the header row, then the rows."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
