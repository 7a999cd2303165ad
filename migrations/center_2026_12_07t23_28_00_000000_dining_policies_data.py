"""Dining policies: the single policy of issues #5–#15 becomes policy versions (issue #16, point 5); dining_policy is
append-only; a senior holds a category once.

Before: one row of subsidy_policy per year a manager had set (annual allowance, per-meal cap, year-end and birthday
rules), and for any other year the built-in defaults (20000 fen a year from age 65, no cap, expire, full). After:
a policy version effective 1 January of each such year with one yearly-allowance scheme paid by 区财政 (the ledger's
fund:{year}, as before), and the defaults from 2000-01-01 and again from the first year after a set year that had no
row of its own, so that every day is governed by exactly the numbers it was governed by before. The ledger is not
touched."""

import hashlib
from datetime import date, datetime, timezone

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, Integer, Text, Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

from center.dbsql import APPEND_ONLY_KEYS, append_only, no_replace, run_all

ID = "2026-12-07T23:28:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the old per-year subsidy policy as dining policy versions; dining_policy append-only"

DEFAULTS = {"annual_fen": 20000, "per_meal_cap_fen": None, "year_end": "expire", "birthday_rule": "full"}


class _OldPolicy(Table, tablename="subsidy_policy"):
    year = Integer()
    annual_fen = Integer()
    per_meal_cap_fen = Integer(null=True)
    year_end = Varchar(length=16)
    birthday_rule = Varchar(length=16)


class _Policy(Table, tablename="dining_policy"):
    effective = Date()
    name = Varchar(length=60)
    source_text = Text()
    sha256 = Varchar(length=64)
    origin = Varchar(length=16)
    filename = Varchar(length=200)
    loaded_at = Timestamptz()


def policy_text(effective: date, annual_fen: int, cap_fen: int | None, year_end: str, birthday_rule: str) -> str:
    """The old policy written as a policy file (as center.domain.policy reads it; frozen here with the migration)."""
    cap = f"cap_per_meal_fen = {cap_fen}\n" if cap_fen else ""
    title = "默认就餐补贴（每年 200 元，65 周岁以上）" if effective.year == 2000 else f"{effective.year} 年就餐补贴"
    return (f'effective = {effective.isoformat()}\nname = "{title}（由原年度设置迁移）"\n'
            f'year_end = "{year_end}"\nbirthday_rule = "{birthday_rule}"\n\n'
            f'[[scheme]]\nname = "年度就餐补贴"\nmin_age = 65\npays = "yearly_allowance"\n'
            f'amount_fen = {annual_fen}\n{cap}source = "区财政"\n')


def versions(rows: list[dict]) -> list[tuple[date, dict]]:
    """(effective, settings) for the years set and the defaults around them, in date order."""
    by_year = {r["year"]: r for r in rows}
    out = [(date(2000, 1, 1), DEFAULTS)]
    for year in sorted(by_year):
        out.append((date(year, 1, 1), by_year[year]))
        if year + 1 not in by_year and year + 1 <= 2100:
            out.append((date(year + 1, 1, 1), DEFAULTS))
    return out


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        engine_type = engine_finder().engine_type
        if not await _Policy.exists():
            rows = await _OldPolicy.select()
            now = datetime.now(timezone.utc)
            for effective, settings in versions(rows):
                text = policy_text(effective, settings["annual_fen"], settings["per_meal_cap_fen"],
                                   settings["year_end"], settings["birthday_rule"])
                await _Policy.insert(_Policy(
                    effective=effective, name=text.split('name = "', 1)[1].split('"', 1)[0], source_text=text,
                    sha256=hashlib.sha256(text.encode()).hexdigest(), origin="migration", filename="", loaded_at=now))
        await run_all(
            [
                "CREATE UNIQUE INDEX IF NOT EXISTS senior_category_once ON senior_category (senior, category)",
            ]
            + append_only(engine_type, "dining_policy")
            + no_replace(engine_type, "dining_policy", APPEND_ONLY_KEYS["dining_policy"])
        )

    manager.add_raw(raw)
    return manager
