"""Importing seniors from the 民政 spreadsheet (issue #16, point 1b): all rows or none, idempotent by ID number.

A senior already registered with the same ID number is brought up to the sheet (name, phone, center, card); the
categories the sheet lists are recorded from the import day with the file as evidence, and a category the sheet no
longer lists ends that day. The same file imported twice changes nothing the second time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from center import db
from center.domain import DomainError
from center.domain.demand_import import RowError
from center.domain.senior_import import SeniorRow, parse_seniors
from center.services import audit
from center.services.demand_import import read_rows
from center.services.identity import CurrentUser
from center.tables import Center, Senior, SeniorCategory
from center.timeutil import local_today, utcnow


class ImportRefused(DomainError):
    """The sheet has bad rows: `errors` lists them by row number; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"有 {len(errors)} 行有错误，整份文件没有导入")
        self.row_errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    categories_added: int = 0
    categories_ended: int = 0
    rows: int = 0
    changed_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (f"共 {self.rows} 行：新登记 {self.created} 人，更新 {self.updated} 人，无变化 {self.unchanged} 人；"
                f"类别新增 {self.categories_added} 项、终止 {self.categories_ended} 项")


async def _centers_for(actor: CurrentUser | None) -> dict[str, int]:
    rows = await Center.select(Center.id, Center.slug)
    if actor is not None and not actor.is_admin:
        rows = [r for r in rows if r["id"] == actor.center_id]
    return {r["slug"]: r["id"] for r in rows}


async def import_seniors(actor: CurrentUser | None, content: bytes, filename: str = "",
                         today: date | None = None) -> ImportResult:
    """Import the sheet: ImportRefused (every bad row) and nothing written, or every row in one transaction.
    `actor` None is the `center seniors import` command (every center of the district)."""
    today = today or local_today()
    centers = await _centers_for(actor)
    parsed = parse_seniors(read_rows(content), today=today, centers=centers)
    errors = list(parsed.errors)
    existing = {r["id_number"]: r for r in await Senior.select(
        Senior.id, Senior.id_number, Senior.name, Senior.phone, Senior.center, Senior.card_no)}
    card_owner = {r["card_no"]: r["id_number"] for r in existing.values()}
    for row in parsed.rows:
        owner = card_owner.get(row.card_no)
        if owner is not None and owner != row.id_number:
            errors.append(RowError(row.row, f"卡号 {row.card_no} 已属于另一位老人"))
        known = existing.get(row.id_number)
        if known is not None and actor is not None and not actor.may_see_center(known["center"]):
            errors.append(RowError(row.row, "该身份证号已在其他中心登记，请由区级管理员导入"))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.row))
    evidence = f"{today.isoformat()} 导入{('「' + filename[:80] + '」') if filename else '名册'}"
    result = ImportResult(rows=len(parsed.rows))
    async with db.write_transaction():
        for row in parsed.rows:
            await _one(row, existing.get(row.id_number), centers[row.center], today, evidence, result)
    await audit.record("dining.seniors_import", actor=actor, object_type="senior_import", object_id=0,
                       detail={"filename": filename[:200], "rows": result.rows, "created": result.created,
                               "updated": result.updated, "categories_added": result.categories_added,
                               "categories_ended": result.categories_ended})
    return result


async def _one(row: SeniorRow, known: dict | None, center_id: int, today: date, evidence: str,
               result: ImportResult) -> None:
    wanted = {"name": row.name, "phone": row.phone, "center": center_id, "card_no": row.card_no}
    if known is None:
        senior_id = (await Senior.insert(Senior(
            name=row.name, id_number=row.id_number, birth_date=row.birth_date, center=center_id, phone=row.phone,
            card_no=row.card_no, community="", active=True, created_at=utcnow())).returning(Senior.id))[0]["id"]
        result.created += 1
        changed = True
    else:
        senior_id = known["id"]
        differs = {k: v for k, v in wanted.items() if known[k] != v}
        if differs:
            await Senior.update({getattr(Senior, k): v for k, v in differs.items()}).where(Senior.id == senior_id)
        changed = bool(differs)
    held = {r["category"]: r for r in await SeniorCategory.select().where(SeniorCategory.senior == senior_id)}
    for category in row.categories:
        record = held.get(category)
        if record is None:
            await SeniorCategory.insert(SeniorCategory(senior=senior_id, category=category, since=today,
                                                       evidence=evidence, recorded_at=utcnow()))
        elif record["until"] is not None:
            await SeniorCategory.update({SeniorCategory.since: today, SeniorCategory.until: None,
                                         SeniorCategory.evidence: evidence, SeniorCategory.recorded_at: utcnow()}
                                        ).where(SeniorCategory.id == record["id"])
        else:
            continue
        result.categories_added += 1
        changed = True
    for category, record in held.items():
        if category not in row.categories and record["until"] is None:
            await SeniorCategory.update({SeniorCategory.until: today, SeniorCategory.evidence: evidence}).where(
                SeniorCategory.id == record["id"])
            result.categories_ended += 1
            changed = True
    if known is not None:
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1
