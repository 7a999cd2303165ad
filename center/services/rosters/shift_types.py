"""Shift types of a center: the settings page and saving one (name, times, day kinds, people needed, who may be
put on it)."""

from __future__ import annotations

from collections import defaultdict
from datetime import time as dtime

from center import db
from center.domain import NotFound
from center.domain.calendar import DayKind
from center.domain.numbers import Bounds, NumberError, check_count
from center.services import audit
from center.services.identity import CurrentUser
from center.services.rosters.common import RosterError, check_center, staff_of
from center.tables import ShiftEligibility, ShiftType

SHIFT_STAFF = Bounds("每班人数", "人", 1, 20)


async def shift_types_view(actor: CurrentUser, center_id: int) -> dict:
    """Every shift type of a center (stopped ones too) with who may be put on it, and the center's staff."""
    check_center(actor, center_id)
    types = await ShiftType.select().where(ShiftType.center == center_id).order_by(ShiftType.sort_order).order_by(ShiftType.start)
    eligible: dict[int, set[int]] = defaultdict(set)
    for row in await ShiftEligibility.select(ShiftEligibility.shift_type, ShiftEligibility.staff).where(
            ShiftEligibility.shift_type.is_in([t["id"] for t in types] or [0])):
        eligible[row["shift_type"]].add(row["staff"])
    for t in types:
        t["eligible"] = eligible[t["id"]]
        t["kinds"] = t["day_kinds"].split(",")
    return {"types": types, "staff": await staff_of(center_id)}


async def save_shift_type(actor: CurrentUser, center_id: int, shift_id: int | None, *, name: str, start: str, end: str,
                          day_kinds: list[str], needed: int | None, eligible: list[int], active: bool = True) -> int:
    """Create or change a shift type (manager); staff outside the center are ignored, audit-logged."""
    check_center(actor, center_id)
    name = " ".join((name or "").split())
    if not name or len(name) > 40:
        raise RosterError("班次名称须为 1–40 个字")
    try:
        begin, finish = dtime.fromisoformat(start.strip()), dtime.fromisoformat(end.strip())
    except ValueError:
        raise RosterError("开始、结束时间须为 HH:MM") from None
    if finish <= begin:
        raise RosterError("结束时间须晚于开始时间（不支持跨零点的班次）")
    kinds = [k for k in (str(x) for x in DayKind) if k in day_kinds]
    if not kinds:
        raise RosterError("请至少选择一种日期类型")
    try:  # each bound its own message: "每班人数不能为负数", "每班人数最多 20 人"
        needed = check_count(needed if needed is not None else "", SHIFT_STAFF, field="needed")
    except NumberError as exc:
        raise RosterError(str(exc), field=exc.field) from None
    members = {s["id"] for s in await staff_of(center_id)}
    chosen = sorted(set(eligible) & members)
    if not chosen:
        raise RosterError("请至少选择一位可排人员")
    period_kind = "extended" if kinds == ["workday"] else "duty"
    async with db.write_transaction():
        values = dict(name=name, start=begin, end=finish, day_kinds=",".join(kinds), staff_needed=needed,
                      period_kind=period_kind, active=active)
        if shift_id is None:
            order = await ShiftType.count().where(ShiftType.center == center_id)
            shift_id = (await ShiftType.insert(ShiftType(center=center_id, sort_order=order, **values))
                        .returning(ShiftType.id))[0]["id"]
        else:
            row = await ShiftType.select(ShiftType.center).where(ShiftType.id == shift_id).first()
            if row is None or row["center"] != center_id:
                raise NotFound("没有这个班次")
            await ShiftType.update({getattr(ShiftType, k): v for k, v in values.items()}).where(ShiftType.id == shift_id)
            await ShiftEligibility.delete().where(ShiftEligibility.shift_type == shift_id)
        await ShiftEligibility.insert(*[ShiftEligibility(shift_type=shift_id, staff=s) for s in chosen])
        await audit.record("roster.shift_type", actor=actor, center_id=center_id, object_type="shift_type",
                           object_id=shift_id, detail={**{k: str(v) for k, v in values.items()}, "eligible": chosen})
    return shift_id
