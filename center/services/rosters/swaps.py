"""Swaps: a manager exchanges two people's shifts; a worker asks to hand a shift to a colleague (or trade one),
and the manager approves (the roster changes) or refuses."""

from __future__ import annotations

from datetime import date

from center import db
from center.domain import NotFound
from center.domain.periods import month_day_weekday, monday_of
from center.services import audit
from center.services.identity import CurrentUser
from center.services.rosters.changes import log_if_published
from center.services.rosters.common import RosterError, cell_staff, check_center, names_of, shift_row
from center.services.rosters.edits import CONFLICT, assign, unassign
from center.services.rosters.grid import CellConflict, cell_etag
from center.tables import Assignment, Staff, SwapRequest
from center.timeutil import utcnow


async def swap(actor: CurrentUser, center_id: int, first: tuple[int, date, int], second: tuple[int, date, int],
               etag: str | None = None) -> None:
    """Exchange two assignments: (shift, day, person A) and (shift, day, person B) trade people."""
    check_center(actor, center_id)
    (shift_a, day_a, staff_a), (shift_b, day_b, staff_b) = first, second
    if staff_a == staff_b:
        raise RosterError("请选择另一位同事的班次进行交换")
    row_a, row_b = await shift_row(center_id, shift_a), await shift_row(center_id, shift_b)
    async with db.write_transaction():
        cell_a, cell_b = await cell_staff(shift_a, day_a), await cell_staff(shift_b, day_b)
        if etag is not None and cell_etag(cell_a) != etag:
            raise CellConflict(CONFLICT)
        if staff_a not in cell_a or staff_b not in cell_b:
            raise CellConflict("要交换的班次已被修改，请刷新后重试")
        if (shift_a, day_a) != (shift_b, day_b) and (staff_b in cell_a or staff_a in cell_b):
            raise RosterError("交换后会有人在同一班次出现两次")
        for shift, day, old, new in ((shift_a, day_a, staff_a, staff_b), (shift_b, day_b, staff_b, staff_a)):
            await Assignment.update({Assignment.staff: new, Assignment.manual: True}).where(
                (Assignment.shift_type == shift) & (Assignment.day == day) & (Assignment.staff == old))
        names = await names_of(staff_a, staff_b)
        text = (f"交换：{month_day_weekday(day_a)} {row_a['name']} {names[staff_a]} ⇄ "
                f"{month_day_weekday(day_b)} {row_b['name']} {names[staff_b]}")
        await log_if_published(actor, center_id, day_a, text)
        if monday_of(day_b) != monday_of(day_a):
            await log_if_published(actor, center_id, day_b, text)
        await audit.record("roster.swap", actor=actor, center_id=center_id, object_type="slot",
                           object_id=f"{shift_a}:{day_a.isoformat()}",
                           detail={"with": f"{shift_b}:{day_b.isoformat()}", "staff": [staff_a, staff_b]})


async def swap_requests(center_id: int, *, status: str | None = None, staff_id: int | None = None) -> list[dict]:
    """A center's swap requests, newest first (the manager's pending list, or those a person is part of)."""
    query = SwapRequest.select(
        SwapRequest.all_columns(), SwapRequest.requester.display_name.as_alias("requester_name"),
        SwapRequest.colleague.display_name.as_alias("colleague_name"),
        SwapRequest.shift_type.name.as_alias("shift_name"), SwapRequest.other_shift_type.name.as_alias("other_shift_name"),
        SwapRequest.decided_by.display_name.as_alias("decided_by_name"),
    ).where(SwapRequest.center == center_id)
    if status:
        query = query.where(SwapRequest.status == status)
    if staff_id is not None:
        query = query.where((SwapRequest.requester == staff_id) | (SwapRequest.colleague == staff_id))
    return await query.order_by(SwapRequest.created_at, ascending=False).limit(100)


async def request_swap(actor: CurrentUser, shift_id: int, day: date, colleague_id: int,
                       other: tuple[int, date] | None, note: str, today: date) -> int:
    """A worker asks to hand one of their shifts to a colleague (optionally taking one of theirs in exchange)."""
    if actor.center_id is None:
        raise RosterError("没有所属中心")
    if day < today:
        raise RosterError("不能申请调换已过去的班次")
    if colleague_id == actor.id:
        raise RosterError("请选择一位同事")
    if len(note or "") > 200:
        raise RosterError("说明不能超过 200 个字")
    if actor.id not in await cell_staff(shift_id, day):
        raise RosterError("只能申请调换自己的班次")
    colleague = await Staff.select(Staff.center, Staff.active).where(Staff.id == colleague_id).first()
    if colleague is None or colleague["center"] != actor.center_id or not colleague["active"]:
        raise RosterError("请选择本中心在岗的同事")
    if other is not None and colleague_id not in await cell_staff(other[0], other[1]):
        raise RosterError("所选同事并不在要交换的班次上")
    if await SwapRequest.exists().where((SwapRequest.requester == actor.id) & (SwapRequest.shift_type == shift_id)
                                        & (SwapRequest.day == day) & (SwapRequest.status == "pending")):
        raise RosterError("该班次已有待审批的调换申请")
    row = await SwapRequest.insert(SwapRequest(
        center=actor.center_id, requester=actor.id, shift_type=shift_id, day=day, colleague=colleague_id,
        other_shift_type=other[0] if other else None, other_day=other[1] if other else None,
        note=(note or "").strip(), status="pending", created_at=utcnow(),
    )).returning(SwapRequest.id)
    await audit.record("roster.swap_request", actor=actor, object_type="swap", object_id=row[0]["id"])
    return row[0]["id"]


async def decide_swap(actor: CurrentUser, request_id: int, approve: bool, note: str = "") -> None:
    """The manager approves (the roster changes) or refuses a swap request; both workers see the outcome."""
    req = await SwapRequest.select().where(SwapRequest.id == request_id).first()
    if req is None:
        raise NotFound("没有这条调换申请")
    check_center(actor, req["center"])
    if req["status"] != "pending":
        raise RosterError("该申请已处理")
    if approve:
        cell = await cell_staff(req["shift_type"], req["day"])
        if req["other_shift_type"] is not None:
            await swap(actor, req["center"], (req["shift_type"], req["day"], req["requester"]),
                       (req["other_shift_type"], req["other_day"], req["colleague"]))
        else:
            if req["requester"] not in cell:
                raise RosterError("申请人已不在该班次，无法调换")
            await unassign(actor, req["center"], req["shift_type"], req["day"], req["requester"], cell_etag(cell))
            after = await cell_staff(req["shift_type"], req["day"])
            await assign(actor, req["center"], req["shift_type"], req["day"], req["colleague"], cell_etag(after))
    await SwapRequest.update({
        SwapRequest.status: "approved" if approve else "refused", SwapRequest.decided_by: actor.id,
        SwapRequest.decided_at: utcnow(), SwapRequest.decision_note: (note or "").strip()[:200],
    }).where(SwapRequest.id == request_id)
    await audit.record("roster.swap_" + ("approve" if approve else "refuse"), actor=actor, center_id=req["center"],
                       object_type="swap", object_id=request_id)
