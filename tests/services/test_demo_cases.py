"""The demo's cases tell the truth: every promised date is the one the counter's rule would give, materials agree."""

from __future__ import annotations

import json

import pytest

from center.domain.cases import CaseStatus, deadline_mark, due_date, missing_materials
from center.services.calendar import get_calendar
from center.services.catalog import version_by_id
from center.tables import Case
from center.timeutil import local_today, to_local
from tests.factories import JOURNEY_NOW


@pytest.fixture(autouse=True)
def clock(frozen_clock):
    """The e2e journeys' clock (a Wednesday in December): the demo is loaded and judged on it."""
    return frozen_clock(JOURNEY_NOW)


async def _demo_cases() -> list[dict]:
    rows = await Case.select(Case.code, Case.status, Case.accepted_at, Case.due_on, Case.missing, Case.received,
                             Case.item_version)
    versions = {v: (await version_by_id(v))["snapshot"] for v in {r["item_version"] for r in rows}}
    return [{**r, "item": versions[r["item_version"]]} for r in rows]


async def test_every_demo_case_promises_the_date_the_deadline_rule_gives(demo_db):
    calendar = await get_calendar()
    cases = await _demo_cases()
    assert len(cases) > 50
    wrong = []
    for case in cases:
        item = case["item"]
        if case["status"] == CaseStatus.consult:
            expected = None  # a consultation promises nothing
        else:
            days = item["promised_days"] if item["kind"] == "promised" else 0
            expected = due_date(to_local(case["accepted_at"]).date(), days, calendar)
        if case["due_on"] != expected:
            wrong.append(f"{case['code']} {item['name']} accepted {to_local(case['accepted_at']):%m-%d}: "
                         f"promised {case['due_on']}, the rule says {expected}")
    assert wrong == []


async def test_the_demo_still_has_overdue_cases_to_chase_honestly(demo_db):
    calendar, today = await get_calendar(), local_today()
    marks = [deadline_mark(c["status"], c["due_on"], today, calendar) for c in await _demo_cases()]
    assert sum(mark == "overdue" for mark in marks) >= 4  # two a day on the week's first two days, per center


async def test_demo_materials_received_and_missing_agree(demo_db):
    for case in await _demo_cases():
        if case["status"] == CaseStatus.consult:
            continue
        required = [m["required"] for m in case["item"]["materials"]]
        assert json.loads(case["missing"]) == missing_materials(required, json.loads(case["received"])), case["code"]
