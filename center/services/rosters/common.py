"""What every roster cluster loads and checks: shift types, staff, assignments, a cell's people, the error."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from center.domain import AccessDenied, DomainError, NotFound
from center.domain.access import Role
from center.domain.rotation import ShiftSpec
from center.services.identity import CurrentUser
from center.tables import Assignment, ShiftEligibility, ShiftType, Staff

MAX_EVENINGS_PER_WEEK = 2


class RosterError(DomainError):
    pass


def check_center(actor: CurrentUser, center_id: int) -> None:
    if not actor.may_see_center(center_id):
        raise AccessDenied("只能管理本中心的排班")


async def shift_specs(center_id: int, include_inactive: bool = False) -> list[ShiftSpec]:
    query = ShiftType.select().where(ShiftType.center == center_id)
    if not include_inactive:
        query = query.where(ShiftType.active == True)  # noqa: E712
    types = await query.order_by(ShiftType.sort_order).order_by(ShiftType.start)
    eligibility: dict[int, set[int]] = defaultdict(set)
    if types:
        for row in await ShiftEligibility.select(ShiftEligibility.shift_type, ShiftEligibility.staff).where(
                ShiftEligibility.shift_type.is_in([t["id"] for t in types])):
            eligibility[row["shift_type"]].add(row["staff"])
    return [
        ShiftSpec(id=t["id"], start=t["start"], end=t["end"], day_kinds=frozenset(t["day_kinds"].split(",")),
                  needed=t["staff_needed"], eligible=frozenset(eligibility[t["id"]]), name=t["name"])
        for t in types
    ]


async def staff_of(center_id: int) -> list[dict]:
    return await Staff.select(Staff.id, Staff.display_name, Staff.role).where(
        (Staff.center == center_id) & (Staff.active == True) & Staff.role.is_in([Role.worker, Role.manager])  # noqa: E712
    ).order_by(Staff.id)


async def assignments_between(center_id: int, first: date, last: date) -> list[dict]:
    return await Assignment.select(
        Assignment.id, Assignment.shift_type, Assignment.day, Assignment.staff, Assignment.manual,
    ).where((Assignment.center == center_id) & (Assignment.day >= first) & (Assignment.day <= last))


async def cell_staff(shift_id: int, day: date) -> list[int]:
    """Who is in one slot (a shift type on a date) right now."""
    return [r["staff"] for r in await Assignment.select(Assignment.staff).where(
        (Assignment.shift_type == shift_id) & (Assignment.day == day))]


async def shift_row(center_id: int, shift_id: int) -> dict:
    """A shift type of this center (another center's is 404, never that one)."""
    row = await ShiftType.select(ShiftType.id, ShiftType.name, ShiftType.center, ShiftType.day_kinds).where(
        ShiftType.id == shift_id).first()
    if row is None or row["center"] != center_id:
        raise NotFound("没有这个班次")
    return row


async def names_of(*staff_ids: int) -> dict[int, str]:
    rows = await Staff.select(Staff.id, Staff.display_name).where(Staff.id.is_in(list(staff_ids)))
    return {r["id"]: r["display_name"] for r in rows}
