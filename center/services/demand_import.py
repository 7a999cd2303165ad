"""Importing the 12345 hotline's orders and the grid from .xlsx: upload → preview → confirm, all or nothing.

An upload is read whole (center.domain.demand_import) and kept with a token until it is confirmed; the confirmation
reads the kept file again and writes everything in one transaction, so a file is never half-imported. 12345 orders
are idempotent by 工单编号 (an order already imported is left as it is), the grid by grid code, compound and
building (a row that matches what is there changes nothing).
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from datetime import datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from center import db
from center.domain import AccessDenied, NotFound
from center.domain.demand_import import (
    MAX_FILE_BYTES,
    FileRefused,
    Parsed,
    parse_grid,
    parse_hotline,
)
from center.domain.demands import Channel, DemandInput, route
from center.services import audit
from center.services import demands as svc
from center.services.identity import CurrentUser
from center.tables import Building, Compound, Demand, DemandUpload, Grid, Staff
from center.timeutil import LOCAL_TZ, to_local, utcnow

PREVIEW_ROWS = 20


def read_rows(content: bytes) -> list[tuple[Any, ...]]:
    """The first sheet's rows as values; a formula is its text (the workbook is read without evaluating it)."""
    if len(content) > MAX_FILE_BYTES:
        raise FileRefused(f"文件太大（{len(content) / 1024 / 1024:.1f} MB），一次最多 {MAX_FILE_BYTES // 1024 // 1024} MB，"
                          "请分批导入")
    if not content:
        raise FileRefused("请选择要导入的 .xlsx 文件")
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise FileRefused("无法读取这个文件：请上传 Excel 的 .xlsx 文件（.xls 请先另存为 .xlsx）") from None
    try:
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > 20000:
                raise FileRefused("文件行数太多，请分批导入")
        return rows
    finally:
        wb.close()


def _center_of(actor: CurrentUser, center_id: int | None) -> int:
    if actor.role == "manager":
        return actor.center_id
    if actor.role == "admin":
        if not center_id:
            raise FileRefused("请选择导入到哪个中心")
        return center_id
    raise AccessDenied("导入由中心负责人或区级管理员操作")


async def _staff_names(center_id: int) -> dict[str, int]:
    staff = await Staff.select(Staff.id, Staff.username, Staff.display_name).where(
        (Staff.center == center_id) & (Staff.active == True))  # noqa: E712
    names: dict[str, int] = {}
    for s in staff:
        names[s["username"]] = s["id"]
        names.setdefault(s["display_name"], s["id"])
    return names


async def _parse(kind: str, content: bytes, center_id: int, now: datetime) -> Parsed:
    rows = read_rows(content)
    if kind == "hotline":
        return parse_hotline(rows, await svc.kinds(), now_local=to_local(now))
    return parse_grid(rows, list(await _staff_names(center_id)))


async def upload(actor: CurrentUser, kind: str, filename: str, content: bytes, center_id: int | None = None,
                 now: datetime | None = None) -> dict:
    """Read an uploaded file and say what importing it would do; keep it (with a token) when it has no bad row."""
    if kind not in ("hotline", "grid"):
        raise NotFound("没有这种导入")
    now = now or utcnow()
    center = _center_of(actor, center_id)
    parsed = await _parse(kind, content, center, now)
    if not parsed.ok:
        return {"ok": False, "errors": parsed.errors, "good": len(parsed.rows), "kind": kind, "filename": filename}
    preview = await (_hotline_preview(parsed, center) if kind == "hotline" else _grid_preview(parsed, center))
    token = secrets.token_urlsafe(24)
    async with db.write_transaction():
        await DemandUpload.insert(DemandUpload(
            token=token, center=center, kind=kind, filename=filename[:200],
            sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor.id, uploaded_at=now,
            summary=json.dumps(preview["counts"], ensure_ascii=False)))
    return {"ok": True, "token": token, "kind": kind, "filename": filename, **preview}


async def _hotline_preview(parsed: Parsed, center_id: int) -> dict:
    numbers = [r.order_no for r in parsed.rows]
    existing: set[str] = set()
    for i in range(0, len(numbers), 500):
        existing |= {r["source_no"] for r in await Demand.select(Demand.source_no).where(
            Demand.source_no.is_in(numbers[i:i + 500]))}
    places = await svc.places(center_id)
    grids = {g["id"]: f"{g['code']} {g['name']}" for g in await Grid.select(Grid.id, Grid.code, Grid.name).where(
        Grid.center == center_id)}
    per_grid: dict[str, int] = {}
    shown = []
    for r in parsed.rows:
        if r.order_no in existing:
            continue
        routed = route(r.address, places)
        name = grids.get(routed.grid_id, "（未定位到网格，待派单）")
        per_grid[name] = per_grid.get(name, 0) + 1
        if len(shown) < PREVIEW_ROWS:
            shown.append({"row": r.row, "order_no": r.order_no, "received": r.received, "kind": r.kind,
                          "address": r.address, "grid": name, "content": r.content[:40]})
    counts = {"rows": len(parsed.rows), "new": len(parsed.rows) - len(existing), "existing": len(existing)}
    return {"counts": counts, "per_grid": sorted(per_grid.items(), key=lambda kv: -kv[1]), "shown": shown}


async def _grid_preview(parsed: Parsed, center_id: int) -> dict:
    plan = await _grid_plan(parsed, center_id)
    return {"counts": plan["counts"], "per_grid": [], "shown": []}


async def confirm(actor: CurrentUser, token: str, now: datetime | None = None) -> dict:
    """Import a kept upload: every row in one transaction, or nothing."""
    now = now or utcnow()
    upload_row = await DemandUpload.select().where(DemandUpload.token == token).first()
    if upload_row is None:
        raise NotFound("没有找到这次上传，请重新上传文件")
    if not actor.may_see_center(upload_row["center"]) or actor.role not in ("manager", "admin"):
        raise AccessDenied("只能导入本中心的文件")
    if upload_row["imported_at"] is not None:
        return {"already": True, **json.loads(upload_row["summary"] or "{}")}
    center = upload_row["center"]
    parsed = await _parse(upload_row["kind"], bytes(upload_row["content"]), center, now)
    if not parsed.ok:
        raise FileRefused("文件有错误行，未导入；请重新上传")
    if upload_row["kind"] == "hotline":
        summary = await _import_hotline(actor, parsed, center, now)
    else:
        summary = await _import_grid(actor, parsed, center)
    async with db.write_transaction():
        claimed = await DemandUpload.update(
            {DemandUpload.imported_at: now, DemandUpload.summary: json.dumps(summary, ensure_ascii=False)}
        ).where((DemandUpload.id == upload_row["id"]) & DemandUpload.imported_at.is_null()).returning(
            DemandUpload.id)
        if claimed:
            await audit.record(f"demand.import_{upload_row['kind']}", actor=actor, center_id=center,
                               object_type="demand_upload", object_id=upload_row["id"],
                               detail={"filename": upload_row["filename"], **summary})
    return {"already": False, **summary}


async def _import_hotline(actor: CurrentUser, parsed: Parsed, center_id: int, now: datetime) -> dict:
    rules = {k.code: k for k in await svc.kinds(active_only=False)}
    places = await svc.places(center_id)
    workers = await svc.grid_workers(center_id)
    created = skipped = routed_count = 0
    earliest = min(r.received for r in parsed.rows)
    calendar, periods = await svc.periods_on(center_id, earliest.date())
    async with db.write_transaction():
        numbers = [r.order_no for r in parsed.rows]
        existing: set[str] = set()
        for i in range(0, len(numbers), 500):
            existing |= {r["source_no"] for r in await Demand.select(Demand.source_no).where(
                Demand.source_no.is_in(numbers[i:i + 500]))}
        for r in parsed.rows:
            if r.order_no in existing:
                skipped += 1
                continue
            routed = route(r.address, places)
            assignee = workers.get(routed.grid_id) if routed.grid_id else None
            routed_count += routed.grid_id is not None
            data = DemandInput(channel=Channel.hotline, kind=r.kind, content=r.content, address=r.address,
                               resident_name=r.resident_name, phone=r.phone)
            await svc.insert_demand(actor, center_id=center_id, data=data,
                                    received_at=r.received.replace(tzinfo=LOCAL_TZ), routed=routed,
                                    assignee=assignee, calendar=calendar, periods=periods, source_no=r.order_no,
                                    resolve_days=r.resolve_days, now=now, rules=rules, dispatched_at=now)
            created += 1
    return {"rows": len(parsed.rows), "created": created, "skipped": skipped, "routed": routed_count,
            "unrouted": created - routed_count}


async def _grid_plan(parsed: Parsed, center_id: int) -> dict:
    names = await _staff_names(center_id)
    grids = {g["code"]: g for g in await Grid.select().where(Grid.center == center_id)}
    compounds = {c["name"]: c for c in await Compound.select().where(Compound.center == center_id)}
    buildings = {(b["compound"], b["name"]): b for b in await Building.select().where(Building.center == center_id)}
    counts = {"rows": len(parsed.rows), "grids_new": 0, "grids_changed": 0, "compounds_new": 0,
              "buildings_new": 0, "buildings_changed": 0, "unchanged": 0}
    seen_grids: set[str] = set()
    seen_compounds: set[str] = set()
    for r in parsed.rows:
        worker = names.get(r.worker) if r.worker else None
        if r.grid_code not in seen_grids:
            seen_grids.add(r.grid_code)
            g = grids.get(r.grid_code)
            if g is None:
                counts["grids_new"] += 1
            elif (g["name"], g["worker"]) != (r.grid_name, worker):
                counts["grids_changed"] += 1
        if r.compound not in seen_compounds:
            seen_compounds.add(r.compound)
            if r.compound not in compounds:
                counts["compounds_new"] += 1
        c = compounds.get(r.compound)
        b = buildings.get((c["id"], r.building)) if c else None
        if b is None:
            counts["buildings_new"] += 1
        elif (b["steward"], b["steward_phone"], grids.get(r.grid_code, {}).get("id")) != (
                r.steward, r.steward_phone, b["grid"]):
            counts["buildings_changed"] += 1
        else:
            counts["unchanged"] += 1
    return {"counts": counts, "names": names}


async def _import_grid(actor: CurrentUser, parsed: Parsed, center_id: int) -> dict:
    plan = await _grid_plan(parsed, center_id)
    names = plan["names"]
    async with db.write_transaction():
        grids = {g["code"]: g for g in await Grid.select().where(Grid.center == center_id)}
        compounds = {c["name"]: c for c in await Compound.select().where(Compound.center == center_id)}
        for n, r in enumerate(parsed.rows):
            worker = names.get(r.worker) if r.worker else None
            g = grids.get(r.grid_code)
            if g is None:
                row = Grid(center=center_id, code=r.grid_code, name=r.grid_name, worker=worker, sort_order=n)
                await row.save()
                g = grids[r.grid_code] = {"id": row.id, "code": r.grid_code, "name": r.grid_name, "worker": worker}
            elif (g["name"], g["worker"]) != (r.grid_name, worker):
                await Grid.update({Grid.name: r.grid_name, Grid.worker: worker}).where(Grid.id == g["id"])
                g.update(name=r.grid_name, worker=worker)
            c = compounds.get(r.compound)
            if c is None:
                row = Compound(center=center_id, grid=g["id"], name=r.compound)
                await row.save()
                c = compounds[r.compound] = {"id": row.id, "name": r.compound, "grid": g["id"]}
            b = await Building.select().where((Building.compound == c["id"]) & (Building.name == r.building)).first()
            if b is None:
                await Building.insert(Building(center=center_id, compound=c["id"], grid=g["id"], name=r.building,
                                               steward=r.steward, steward_phone=r.steward_phone))
            elif (b["steward"], b["steward_phone"], b["grid"]) != (r.steward, r.steward_phone, g["id"]):
                await Building.update({Building.steward: r.steward, Building.steward_phone: r.steward_phone,
                                       Building.grid: g["id"]}).where(Building.id == b["id"])
    return plan["counts"]


async def grid_view(actor: CurrentUser, center_id: int | None = None) -> dict:
    """The grid of a center: grids with their worker, compounds and buildings with their steward (phone masked)."""
    from center.domain.privacy import mask_phone
    center = actor.center_id if actor.role != "admin" else center_id
    if center is None:
        return {"grids": [], "center_id": None}
    grids = await Grid.select(Grid.id, Grid.code, Grid.name, Grid.worker.display_name.as_alias("worker_name")
                              ).where(Grid.center == center).order_by(Grid.sort_order)
    buildings = await Building.select(
        Building.grid, Building.name, Building.steward, Building.steward_phone,
        Building.compound.name.as_alias("compound_name"),
    ).where(Building.center == center).order_by(Building.id)
    by_grid: dict[int, list] = {}
    for b in buildings:
        b["steward_phone"] = mask_phone(b["steward_phone"])
        by_grid.setdefault(b["grid"], []).append(b)
    for g in grids:
        g["buildings"] = by_grid.get(g["id"], [])
        g["compounds"] = sorted({b["compound_name"] for b in g["buildings"]})
    return {"grids": grids, "center_id": center}
