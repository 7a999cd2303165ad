"""Dining policies (issue #16): load a policy file as a new version, the policy in force on a day, the history,
the categories a senior holds on a day, and how many meals each scheme already paid for a senior."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache

from center.domain.ledger import age_on
from center.domain.policy import (
    NotEligible,
    Policy,
    PolicyError,
    Usage,
    choose,
    counting_window,
    held_on,
    in_force,
    parse_policy,
    usage_on,
)
from center.db import statements
from center.services import audit
from center.services.identity import CurrentUser
from center.tables import DiningPolicy
from center.timeutil import local_today, utcnow

MAX_FILE_BYTES = 64 * 1024


@lru_cache(maxsize=64)
def _parsed(text: str) -> Policy:
    return parse_policy(text)


def read_policy_file(content: bytes) -> str:
    """A policy file's text: UTF-8 (with or without a BOM), at most 64 KB."""
    if len(content) > MAX_FILE_BYTES:
        raise PolicyError([f"文件超过 {MAX_FILE_BYTES // 1024} KB，不像是补贴政策文件"])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError(["文件不是 UTF-8 编码的文本，请用文本编辑器另存为 UTF-8"]) from None


def check_policy(text: str, today: date) -> Policy:
    """A policy file read and checked (PolicyError listing every problem), and dated today or later: a policy
    cannot reach back over meals already recorded."""
    policy = parse_policy(text)
    if policy.effective < today:
        raise PolicyError([f"生效日期 {policy.effective.isoformat()} 早于今天（{today.isoformat()}）；政策不能追溯生效，"
                           "已记账的就餐不会改变，请把 effective 改为今天或以后"])
    return policy


async def load_policy(text: str, *, actor: CurrentUser | None, origin: str, filename: str = "",
                      today: date | None = None) -> tuple[int, Policy]:
    """Make a policy file current from its effective date (a new version; nothing earlier is changed)."""
    return await record_version(text, actor=actor, origin=origin, filename=filename,
                                policy=check_policy(text, today or local_today()))


async def record_version(text: str, *, actor: CurrentUser | None, origin: str, filename: str = "",
                         policy: Policy | None = None) -> tuple[int, Policy]:
    """Store a checked policy as a new version, whatever its date (the demo and the tests date theirs in the past;
    people load through load_policy, which refuses a date before today)."""
    policy = policy or parse_policy(text)
    row = DiningPolicy(effective=policy.effective, name=policy.name[:60], source_text=text,
                       sha256=hashlib.sha256(text.encode()).hexdigest(), origin=origin, filename=filename[:200],
                       loaded_by=actor.id if actor else None, loaded_at=utcnow())
    policy_id = (await DiningPolicy.insert(row).returning(DiningPolicy.id))[0]["id"]
    await audit.record("dining.policy_load", actor=actor, object_type="dining_policy", object_id=policy_id,
                       detail={"effective": policy.effective.isoformat(), "schemes": [s.name for s in policy.schemes],
                               "sha256": row.sha256, "filename": filename[:200], "origin": origin})
    return policy_id, policy


async def versions() -> list[dict]:
    """Every loaded version, newest first, with who loaded it."""
    rows = await DiningPolicy.select(
        DiningPolicy.id, DiningPolicy.effective, DiningPolicy.name, DiningPolicy.source_text, DiningPolicy.sha256,
        DiningPolicy.origin, DiningPolicy.filename, DiningPolicy.loaded_at,
        DiningPolicy.loaded_by.display_name.as_alias("loaded_by_name"),
    ).order_by(DiningPolicy.id, ascending=False)
    for row in rows:
        row["policy"] = _parsed(row["source_text"])
    return rows


async def _all() -> list[Policy]:
    return [_parsed(r["source_text"]) for r in await statements.POLICY_VERSIONS.rows()]


async def policy_on(day: date) -> Policy | None:
    """The policy in force on `day` (None only before any policy: the migration loads one from 2000-01-01)."""
    return in_force(await _all(), day)


async def current_version(day: date) -> dict | None:
    """The version row in force on `day` (the policy page's 现行政策)."""
    rows = await versions()
    chosen = in_force([r["policy"] for r in reversed(rows)], day)
    return next((r for r in rows if r["policy"] is chosen), None)


async def categories_held(senior_id: int, day: date) -> set[str]:
    """The categories a senior holds on `day`: recorded since that day or earlier, not ended by then."""
    return held_on(await statements.SENIOR_CATEGORIES.rows(senior=senior_id), day)


async def usage_of(senior_id: int, day: date, scheme_names: list[str]) -> dict[str, Usage]:
    """For each scheme with a count cap: the meals it already paid for this senior (not voided) on the meal's day,
    week and month, at every canteen."""
    if not scheme_names:
        return {}
    first, last = counting_window(day)
    wanted = set(scheme_names)
    rows = [r for r in await statements.PAID_MEALS.rows(senior=senior_id, first=first, last=last)
            if r["scheme"] in wanted]
    if not rows:
        return {}
    voided = {r["reverses"] for r in await statements.SENIOR_REVERSALS.rows(senior=senior_id, first=first)}
    days: dict[str, list[date]] = {}
    for row in rows:
        if row["txn"] not in voided:
            days.setdefault(row["scheme"], []).append(row["book_date"])
    return {name: usage_on(day, paid) for name, paid in days.items()}


async def schemes_of(senior_id: int, birth: date, day: date) -> tuple[list, str]:
    """The schemes of the policy in force that a senior is in on `day`, and (none) why not, in Chinese."""
    policy = await policy_on(day)
    if policy is None:
        return [], "尚未设置就餐补贴政策"
    held = await categories_held(senior_id, day)
    schemes = policy.schemes_for(age_on(birth, day), held)
    if schemes:
        return schemes, ""
    try:
        choose(policy, birth=birth, day=day, held=held, kind="lunch", price_fen=1, balance_fen=0, usage={})
    except NotEligible as exc:
        return [], str(exc)
    return [], ""
