"""Visits and cases at the counter: receive, act, mark materials, list, remind, reveal personal data."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Sequence

from center import db
from center.db import statements
from center.db.statements import OPEN_CASES_LIMIT
from center.domain import AccessDenied, NotFound
from center.domain.calendar import WorkCalendar
from center.domain.cases import (
    ACTION_LABELS,
    CLOSED_STATUSES,
    DEADLINE_LABELS,
    MATERIAL_LABELS,
    OPEN_STATUSES,
    MaterialState,
    RUNNING_STATUSES,
    STATUS_LABELS,
    Action,
    CaseRuleError,
    CaseStatus,
    Transition,
    LookupKind,
    allowed_actions,
    apply,
    case_lookup,
    deadline_mark,
    due_date,
    material_states,
    may_act,
    missing_materials,
    received_before_tracking,
    received_materials,
    recomputed_due,
    status_on_accept,
)
from center.domain.catalog import ItemKind
from center.domain.hours import in_extended_hours
from center.domain.privacy import (
    ResidentDataErrors,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_resident,
    phone_tail,
)
from center.services import audit
from center.services.calendar import get_calendar
from center.services.catalog import current_version, search_items, version_by_id
from center.services.identity import CurrentUser
from center.services.hall import events as hall_events, window as hall_window
from center.tables import Case, CaseEvent, CaseReminder, Center, Item, Staff, Visit
from center.timeutil import LOCAL_TZ, local_today, to_local, utcnow

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed without mistakes
MAX_NOTE = 500


class CaseConflict(CaseRuleError):
    """Someone else changed the case since the page was loaded."""


@dataclass
class ReceiveForm:
    item_id: int
    action: str  # consult | accept
    resident_name: str = ""
    id_number: str = ""
    phone: str = ""
    note: str = ""
    brought: Sequence[int] = field(default_factory=tuple)  # indexes of materials received (☑ = received)
    visit_id: int | None = None


def new_case_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _local_day(moment: datetime) -> date:
    return to_local(moment).date()


async def receive(actor: CurrentUser, form: ReceiveForm, now: datetime | None = None) -> dict:
    """Log the visit and either answer a consultation (closed at once) or accept a case (首问负责: actor owns it)."""
    now = now or utcnow()
    if actor.center_id is None:
        raise AccessDenied("区级账号不能在窗口受理办件")
    if form.action not in ("consult", "accept"):
        raise CaseRuleError("请选择答复咨询或受理")
    item = await Item.select(Item.id, Item.kind, Item.promised_days, Item.active).where(Item.id == form.item_id).first()
    if item is None or not item["active"]:
        raise CaseRuleError("请先选择一个有效的服务事项")
    today = to_local(now).date()
    visit_id = None
    unnamed_visit = False
    if form.visit_id is not None:
        visit = await Visit.select(Visit.center, Visit.created_at, Visit.resident_name).where(
            Visit.id == form.visit_id).first()
        if visit is not None and visit["center"] == actor.center_id and _local_day(visit["created_at"]) == today:
            visit_id = form.visit_id  # another item for the same resident; a stale or foreign id logs a new visit
            # A visit opened by calling a ticket (开始办理) has no resident yet: the first case names them.
            unnamed_visit = not visit["resident_name"]
    errors: dict[str, str] = {}  # every wrong field is told at once, in the form's order
    try:
        name, id_number, phone = normalize_resident(
            form.resident_name, form.id_number, form.phone,
            name_required=form.action == "accept" and (visit_id is None or unnamed_visit), today=today)
    except ResidentDataErrors as exc:
        errors.update(exc.errors)
    note = (form.note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = f"备注不能超过 {MAX_NOTE} 个字"
    if errors:
        raise CaseRuleError(errors=errors)
    version = await current_version(item["id"])
    materials = version["snapshot"]["materials"]
    received = received_materials(len(materials), form.brought)
    calendar = await get_calendar()
    extended = in_extended_hours(to_local(now), calendar.day(today).kind)

    status = CaseStatus.accepted if form.action == "accept" else CaseStatus.consult
    due = None
    missing: list[int] = []
    if status == CaseStatus.accepted:
        days = item["promised_days"] if item["kind"] == ItemKind.promised else 0
        due = due_date(today, days, calendar)
        missing = missing_materials([m["required"] for m in materials], received)
        status = status_on_accept(missing)  # 待补正 at once when something required is missing: the clock waits

    window = (await Staff.select(Staff.window).where(Staff.id == actor.id).first() or {}).get("window", "")
    async with db.point_write():
        if visit_id is None:
            visit_id = (await Visit.insert(Visit(
                center=actor.center_id, staff=actor.id, resident_name=name, id_number=id_number, phone=phone,
                phone_tail=phone_tail(phone), note=note if status == CaseStatus.consult else "", extended=extended, created_at=now,
            )).returning(Visit.id))[0]["id"]
        elif unnamed_visit and (name or id_number or phone):
            await Visit.update({Visit.resident_name: name, Visit.id_number: id_number, Visit.phone: phone,
                                Visit.phone_tail: phone_tail(phone), Visit.extended: extended}).where(
                Visit.id == visit_id)
        code = new_case_code()
        while await Case.exists().where(Case.code == code):
            code = new_case_code()
        case_id = (await Case.insert(Case(
            code=code, public_token=secrets.token_urlsafe(18), center=actor.center_id, visit=visit_id,
            item=item["id"], item_version=version["id"], status=status.value, owner=actor.id, receiver=actor.id,
            window=window, accepted_at=now, due_on=due, paused_on=today if status == CaseStatus.awaiting else None,
            closed_at=now if status == CaseStatus.consult else None, missing=json.dumps(missing),
            received=json.dumps(received), note=note,
            extended=extended, version=1, updated_at=now,
        )).returning(Case.id))[0]["id"]
        accepted = status != CaseStatus.consult
        await CaseEvent.insert(CaseEvent(
            case=case_id, at=now, actor=actor.id, action="accept" if accepted else "consult",
            from_status="", to_status=(CaseStatus.accepted if accepted else status).value, note=note,
        ))
        if status == CaseStatus.awaiting:  # the pause starts with the case, on its timeline with what to bring
            await CaseEvent.insert(CaseEvent(
                case=case_id, at=now, actor=actor.id, action=Action.request_materials.value,
                from_status=CaseStatus.accepted.value, to_status=status.value,
                note="受理时材料不全，待补正：" + "、".join(materials[i]["name"] for i in missing),
            ))
        await audit.record("case.receive", actor=actor, object_type="case", object_id=case_id,
                           detail={"item": item["id"], "status": status.value, "visit": visit_id})
        called = await hall_window.finish_for_visit(visit_id, case_id, now)
    if called:
        await hall_events.publish(called, "queue")
    return {"case_id": case_id, "visit_id": visit_id, "status": status.value, "code": code,
            "missing_names": [materials[i]["name"] for i in missing]}


async def _load_for_change(actor: CurrentUser, case_id: int, expected_version: int | None) -> dict:
    case = await Case.select(
        Case.id, Case.center, Case.status, Case.owner, Case.due_on, Case.paused_on, Case.missing, Case.received,
        Case.version, Case.item_version,
    ).where(Case.id == case_id).first()
    if case is None:
        raise NotFound("没有这个办件")
    if not actor.may_see_center(case["center"]):
        raise AccessDenied("只能办理本中心的办件")
    if expected_version is not None and case["version"] != expected_version:
        raise CaseConflict("此件刚被他人更新，已显示最新状态，请确认后再操作")
    return case


async def _check_action(actor: CurrentUser, case_id: int, action: str, *, reason: str, new_owner_id: int | None,
                        expected_version: int | None, today: date, calendar: WorkCalendar) -> tuple[dict, Transition]:
    """Load the case and check the action against the rules (domain.cases.apply); nothing is written."""
    case = await _load_for_change(actor, case_id, expected_version)
    if new_owner_id is not None and action == Action.hand_over:
        colleague = await Staff.select(Staff.id, Staff.center, Staff.role, Staff.active).where(
            Staff.id == new_owner_id).first()
        if (colleague is None or not colleague["active"] or colleague["center"] != case["center"]
                or colleague["role"] not in ("worker", "manager")):
            raise CaseRuleError("只能转交给本中心在岗的工作人员", field="new_owner_id")
    transition = apply(
        action=action, status=case["status"], actor_id=actor.id, actor_role=actor.role, owner_id=case["owner"],
        same_center=actor.center_id == case["center"], today=today, due=case["due_on"],
        paused_on=case["paused_on"], calendar=calendar, reason=reason, new_owner_id=new_owner_id,
        has_missing_materials=bool(json.loads(case["missing"] or "[]")),
    )
    return case, transition


async def preview(actor: CurrentUser, case_id: int, action: str, *, reason: str = "", new_owner_id: int | None = None,
                  expected_version: int | None = None, now: datetime | None = None) -> dict:
    """What an action would do, checked by the same rules as act() but not applied: for the confirmation step of
    an action that cannot be undone (办结, 不予受理). A refused action raises here, before anyone is asked."""
    now = now or utcnow()
    case, transition = await _check_action(
        actor, case_id, action, reason=reason, new_owner_id=new_owner_id, expected_version=expected_version,
        today=to_local(now).date(), calendar=await get_calendar())
    missing = json.loads(case["missing"] or "[]")
    preview = {
        "action": transition.action.value, "label": ACTION_LABELS[transition.action], "reason": transition.reason,
        "to_status": transition.to_status.value, "to_status_label": STATUS_LABELS[transition.to_status],
        "missing_count": len(missing), "version": case["version"], "due": transition.due,
        "new_owner_id": new_owner_id if transition.action == Action.hand_over else None,
    }
    if transition.action == Action.hand_over:
        preview["new_owner_name"] = (await Staff.select(Staff.display_name).where(
            Staff.id == transition.owner_id).first())["display_name"]
    if transition.action == Action.supply_materials:  # what 材料已补齐 will mark as received
        materials = (await version_by_id(case["item_version"]))["snapshot"]["materials"]
        preview["missing_names"] = [materials[i]["name"] for i in missing if 0 <= i < len(materials)]
    return preview


async def act(actor: CurrentUser, case_id: int, action: str, *, reason: str = "", new_owner_id: int | None = None,
              expected_version: int | None = None, now: datetime | None = None) -> dict:
    """Apply one action to a case (rules in domain.cases); records the timeline and the audit log."""
    now = now or utcnow()
    calendar = await get_calendar()
    today = to_local(now).date()
    async with db.point_write():
        case, transition = await _check_action(
            actor, case_id, action, reason=reason, new_owner_id=new_owner_id, expected_version=expected_version,
            today=today, calendar=calendar)
        changes = {
            Case.status: transition.to_status.value, Case.owner: transition.owner_id, Case.due_on: transition.due,
            Case.paused_on: transition.paused_on, Case.version: case["version"] + 1, Case.updated_at: now,
        }
        if transition.to_status in (CaseStatus.completed, CaseStatus.refused):
            changes[Case.closed_at] = now
        if transition.action == Action.supply_materials:  # 材料已补齐: what was missing is now received
            materials = (await version_by_id(case["item_version"]))["snapshot"]["materials"]
            received = _received_of(case, materials) + json.loads(case["missing"] or "[]")
            changes[Case.missing] = "[]"
            changes[Case.received] = json.dumps(received_materials(len(materials), received))
        await Case.update(changes).where(Case.id == case_id)
        note = transition.reason
        new_owner_name = None
        if transition.action == Action.hand_over:
            new_owner_name = (await Staff.select(Staff.display_name).where(
                Staff.id == transition.owner_id).first())["display_name"]
            note = f"转交给 {new_owner_name}：{transition.reason}"
        await CaseEvent.insert(CaseEvent(
            case=case_id, at=now, actor=actor.id, action=transition.action.value,
            from_status=transition.from_status.value, to_status=transition.to_status.value, note=note,
        ))
        await audit.record(f"case.{transition.action.value}", actor=actor, object_type="case", object_id=case_id,
                           detail={"from": transition.from_status.value, "to": transition.to_status.value,
                                   "owner": transition.owner_id})
    return {"status": transition.to_status.value, "action": transition.action.value, "new_owner_name": new_owner_name}


def _received_of(case: dict, materials: list[dict]) -> list[int]:
    """The materials a case has received (its stored list; derived from `missing` for cases from before)."""
    if case.get("received") is not None:
        return json.loads(case["received"])
    return received_before_tracking([m["required"] for m in materials], json.loads(case["missing"] or "[]"))


async def set_received(actor: CurrentUser, case_id: int, received: Sequence[int], *,
                       expected_version: int | None = None, now: datetime | None = None) -> None:
    """Record which materials have been received (☑ = received); the required ones not received are missing
    (一次性告知: the slip lists them all at once)."""
    now = now or utcnow()
    async with db.point_write():
        case = await _load_for_change(actor, case_id, expected_version)
        if CaseStatus(case["status"]) not in OPEN_STATUSES:
            raise CaseRuleError("已办结的办件不能再修改材料")
        if not may_act(actor.id, actor.role, case["owner"], actor.center_id == case["center"]):
            raise CaseRuleError("只有首问责任人或中心负责人可以办理此件")
        materials = (await version_by_id(case["item_version"]))["snapshot"]["materials"]
        cleaned = received_materials(len(materials), received)
        missing = missing_materials([m["required"] for m in materials], cleaned)
        if cleaned == _received_of(case, materials) and missing == json.loads(case["missing"] or "[]"):
            return
        await Case.update({Case.received: json.dumps(cleaned), Case.missing: json.dumps(missing),
                           Case.version: case["version"] + 1, Case.updated_at: now}).where(Case.id == case_id)
        got = "、".join(materials[i]["name"] for i in cleaned) or "无"
        note = f"已收：{got}；缺：" + "、".join(materials[i]["name"] for i in missing) if missing else f"材料齐全（已收：{got}）"
        await CaseEvent.insert(CaseEvent(
            case=case_id, at=now, actor=actor.id, action="materials", from_status=case["status"],
            to_status=case["status"], note=note,
        ))
        await audit.record("case.materials", actor=actor, object_type="case", object_id=case_id,
                           detail={"received": cleaned, "missing": missing})


async def set_missing(actor: CurrentUser, case_id: int, missing: Sequence[int], *,
                      expected_version: int | None = None, now: datetime | None = None) -> None:
    """The older way to say it: these materials are missing, every other one is received."""
    case = await Case.select(Case.item_version).where(Case.id == case_id).first()
    if case is None:
        raise NotFound("没有这个办件")
    count = len((await version_by_id(case["item_version"]))["snapshot"]["materials"])
    gone = set(missing)
    await set_received(actor, case_id, [i for i in range(count) if i not in gone], expected_version=expected_version,
                       now=now)


def _due_unknown_years(case: dict, calendar: WorkCalendar) -> list[int]:
    """An open case's deadline counted through a year whose notice is not out is only expected (预计)."""
    if CaseStatus(case["status"]) not in OPEN_STATUSES or case["due_on"] is None:
        return []
    return calendar.unknown_years(_local_day(case["accepted_at"]), case["due_on"])


def long_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


async def _open_deadlines() -> list[dict]:
    """Every open case with a deadline, with its ended pauses (待补正 spells) from the timeline."""
    open_values = [s.value for s in OPEN_STATUSES]
    rows = await Case.select(
        Case.id, Case.code, Case.status, Case.accepted_at, Case.due_on, Case.version,
        Case.item.name.as_alias("item_name"), Case.center.name.as_alias("center_name"),
    ).where(Case.status.is_in(open_values) & Case.due_on.is_not_null()).order_by(Case.id)
    events = await CaseEvent.select(CaseEvent.case, CaseEvent.action, CaseEvent.at).where(
        CaseEvent.action.is_in([Action.request_materials.value, Action.supply_materials.value])
        & CaseEvent.case.status.is_in(open_values)
    ).order_by(CaseEvent.case).order_by(CaseEvent.at).order_by(CaseEvent.id)
    pauses: dict[int, list[tuple[date, date]]] = {}
    started: dict[int, date] = {}
    for event in events:
        day = _local_day(event["at"])
        if event["action"] == Action.request_materials:
            started[event["case"]] = day
        elif event["case"] in started:
            pauses.setdefault(event["case"], []).append((started.pop(event["case"]), day))
    for row in rows:
        row["pauses"] = pauses.get(row["id"], [])
    return rows


def _moves(rows: list[dict], old: WorkCalendar, new: WorkCalendar) -> list[dict]:
    moves = []
    for row in rows:
        moved = recomputed_due(_local_day(row["accepted_at"]), row["due_on"], row["pauses"], old, new)
        if moved is not None:
            moves.append({**row, "before": row["due_on"], "after": moved,
                          "status_label": STATUS_LABELS[CaseStatus(row["status"])]})
    return moves


async def deadline_moves(old: WorkCalendar, new: WorkCalendar) -> list[dict]:
    """The open cases whose deadline a calendar change (old → new) moves, with the dates before and after."""
    return _moves(await _open_deadlines(), old, new)


async def move_deadlines(actor: CurrentUser, old: WorkCalendar, new: WorkCalendar, why: str, now: datetime) -> int:
    """Inside the calendar change's write transaction: move each open deadline it concerns, on the timeline.

    The clock's paused time is respected as in domain.cases (recomputed_due); closed cases are never touched; the
    same change applied twice moves nothing the second time.
    """
    moves = _moves(await _open_deadlines(), old, new)
    moved = 0
    for move in moves:
        # The version guard matters on PostgreSQL, where a worker's action may commit between the read and this
        # write; that case keeps what the worker saw (on SQLite the write transaction holds other writers off).
        updated = await Case.update(
            {Case.due_on: move["after"], Case.version: move["version"] + 1, Case.updated_at: now}
        ).where((Case.id == move["id"]) & (Case.version == move["version"])).returning(Case.id)
        if not updated:
            continue
        moved += 1
        await CaseEvent.insert(CaseEvent(
            case=move["id"], at=now, actor=actor.id, action="deadline", from_status=move["status"],
            to_status=move["status"],
            note=f"{why}，办结期限由 {long_date(move['before'])} 调整为 {long_date(move['after'])}",
        ))
    return moved


def _mark(case: dict, today: date, calendar: WorkCalendar) -> dict:
    mark = deadline_mark(case["status"], case["due_on"], today, calendar)
    return {"mark": mark.value, "mark_label": DEADLINE_LABELS.get(mark, "")}


async def case_view(actor: CurrentUser, case_id: int, today: date | None = None) -> dict:
    """Everything the case page shows, with personal data masked."""
    case = await Case.select(
        Case.all_columns(),
        Case.owner.display_name.as_alias("owner_name"), Case.receiver.display_name.as_alias("receiver_name"),
        Case.center.name.as_alias("center_name"), Case.center.phone.as_alias("center_phone"),
        Case.visit.resident_name.as_alias("resident_name"), Case.visit.id_number.as_alias("id_number"),
        Case.visit.phone.as_alias("phone"),
    ).where(Case.id == case_id).first()
    if case is None:
        raise NotFound("没有这个办件")
    if not actor.may_see_center(case["center"]):
        raise AccessDenied("只能查看本中心的办件")
    calendar = await get_calendar()
    today = today or local_today()
    version = await version_by_id(case["item_version"])
    listed = version["snapshot"]["materials"]
    received = _received_of(case, listed)
    states = material_states([m["required"] for m in listed], received)
    materials = [{**m, "index": i, "state": state.value, "state_label": MATERIAL_LABELS[state],
                  "received": state == MaterialState.received, "missing": state == MaterialState.missing}
                 for i, (m, state) in enumerate(zip(listed, states))]
    events = await CaseEvent.select(
        CaseEvent.at, CaseEvent.action, CaseEvent.from_status, CaseEvent.to_status, CaseEvent.note,
        CaseEvent.actor.display_name.as_alias("actor_name"),
    ).where(CaseEvent.case == case_id).order_by(CaseEvent.at).order_by(CaseEvent.id)
    for event in events:
        event["label"] = _event_label(event)
    refusal = _refusal(case["status"], events)
    can_act = may_act(actor.id, actor.role, case["owner"], actor.center_id == case["center"])
    colleagues = []
    if can_act and CaseStatus(case["status"]) in OPEN_STATUSES:
        colleagues = await Staff.select(Staff.id, Staff.display_name).where(
            (Staff.center == case["center"]) & (Staff.active == True) & (Staff.id != case["owner"])  # noqa: E712
            & Staff.role.is_in(["worker", "manager"])
        ).order_by(Staff.display_name)
    from center.services.ratings import case_rating  # ratings reads this module's status page

    rating = await case_rating(case_id, case["status"], by_receiver=actor.id == case["receiver"])
    resident = {
        "id": case["visit"],
        "resident_name": mask_name(case.pop("resident_name")),
        "id_number": mask_id_number(case.pop("id_number")),
        "phone": mask_phone(case.pop("phone")),
    }
    return {
        "case": {**case, **_mark(case, today, calendar), "status_label": STATUS_LABELS[CaseStatus(case["status"])],
                 "due_unknown_years": _due_unknown_years(case, calendar)},
        "item": version["snapshot"],
        "item_version": version["version"],
        "materials": materials,
        "received_count": sum(m["received"] for m in materials),
        "missing_count": sum(m["missing"] for m in materials),
        "missing_names": [m["name"] for m in materials if m["missing"]],
        "events": events,
        "resident": resident,
        "can_act": can_act,
        "actions": [(a.value, ACTION_LABELS[a]) for a in allowed_actions(case["status"])] if can_act else [],
        "colleagues": colleagues,
        "is_open": CaseStatus(case["status"]) in OPEN_STATUSES,
        "is_consult": case["status"] == CaseStatus.consult,
        "is_refused": case["status"] == CaseStatus.refused,
        "is_completed": case["status"] == CaseStatus.completed,
        "refusal": refusal,
        "rating": rating,
    }


def _refusal(status: str, events: list[dict]) -> dict | None:
    """A refused case's decision as the timeline recorded it: when, and the reason the worker wrote."""
    if status != CaseStatus.refused:
        return None
    refused = [e for e in events if e["action"] == Action.refuse.value]
    if not refused:
        return {"at": None, "reason": ""}
    return {"at": refused[-1]["at"], "reason": refused[-1]["note"] or ""}


def _event_label(event: dict) -> str:
    action = event["action"]
    if action == "accept":
        return "受理"
    if action == "consult":
        return "答复咨询"
    if action == "materials":
        return "更新材料清单"
    if action == "deadline":
        return "期限调整"
    try:
        return ACTION_LABELS[Action(action)]
    except ValueError:
        return action


async def open_cases(actor: CurrentUser, *, mine: bool, today: date | None = None, limit: int = OPEN_CASES_LIMIT) -> list[dict]:
    """Open cases of the actor (我的在办) or of their center, most urgent first."""
    if actor.center_id is None:
        return []
    calendar = await get_calendar()
    today = today or local_today()
    if mine:
        rows = await statements.MY_OPEN_CASES.rows(center=actor.center_id, owner=actor.id)
    else:
        rows = await statements.OPEN_CASES.rows(center=actor.center_id)
    rows = rows[:limit]
    order = {"overdue": 0, "due_soon": 1, "": 2, "paused": 3}
    for row in rows:
        row.update(_mark(row, today, calendar))
        row["status_label"] = STATUS_LABELS[CaseStatus(row["status"])]
        row["resident_name"] = mask_name(row["resident_name"])
        row["due_provisional"] = bool(_due_unknown_years(row, calendar))  # 预计, as on the case page
    rows.sort(key=lambda r: (order[r["mark"]], r["due_on"] or today))
    return rows


def _masked_row(row: dict, today: date, calendar: WorkCalendar) -> dict:
    row.update(_mark(row, today, calendar))
    row["status_label"] = STATUS_LABELS[CaseStatus(row["status"])]
    row["due_provisional"] = bool(_due_unknown_years(row, calendar))  # 预计, as on the case page
    row["resident_name"] = mask_name(row["resident_name"])
    row["phone"] = mask_phone(row.get("phone"))
    return row


async def lookup_cases(actor: CurrentUser, query: str, today: date | None = None) -> list[dict]:
    """Cases of the actor's center found by a case code, a phone's last 4 digits (or the whole number) or a
    resident's full name, newest first; names and phones masked. Anything else finds nothing (no query runs)."""
    lookup = case_lookup(query)
    if lookup is None or actor.center_id is None:
        return []
    center = actor.center_id
    if lookup.kind == LookupKind.code:
        rows = await statements.CASES_BY_CODE.rows(center=center, code=lookup.value)
    elif lookup.kind == LookupKind.phone_tail:
        rows = await statements.CASES_BY_PHONE_TAIL.rows(center=center, tail=lookup.value)
    elif lookup.kind == LookupKind.phone:
        rows = await statements.CASES_BY_PHONE.rows(center=center, tail=phone_tail(lookup.value), phone=lookup.value)
    else:
        rows = await statements.CASES_BY_NAME.rows(center=center, name=lookup.value)
    rows = [row for row in rows if row["center"] == center]
    if not rows:
        return []
    calendar = await get_calendar()
    today = today or local_today()
    return [_masked_row(row, today, calendar) for row in rows]


# The case list (/cases): what can be asked for, and how many rows a page shows.
STATE_FILTERS: dict[str, tuple[str, frozenset[CaseStatus]]] = {
    "open": ("在办", OPEN_STATUSES),
    "closed": ("已结束", CLOSED_STATUSES),
    "all": ("全部状态", frozenset(CaseStatus)),
    **{s.value: (STATUS_LABELS[s], frozenset({s})) for s in CaseStatus},
}
PAGE_SIZE = 20


@dataclass(frozen=True)
class CaseFilter:
    q: str = ""
    state: str = "open"
    item_id: int | None = None
    overdue: bool = False
    mine: bool = False
    page: int = 1


async def list_cases(actor: CurrentUser, wanted: CaseFilter, today: date | None = None,
                     page_size: int = PAGE_SIZE) -> dict:
    """One page of the actor's center's cases matching the filter, with the count of all that match.

    The search box takes a case code, a phone's last 4 digits, a resident's full name or an item (as the counter
    searches the catalog); overdue means open with the clock running and past the promised day.
    """
    today = today or local_today()
    empty = {"rows": [], "total": 0, "page": 1, "pages": 1, "page_size": page_size}
    if actor.center_id is None:
        return empty
    statuses = STATE_FILTERS.get(wanted.state, STATE_FILTERS["open"])[1]
    where = (Case.center == actor.center_id) & Case.status.is_in(sorted(s.value for s in statuses))
    if wanted.mine:
        where &= Case.owner == actor.id
    if wanted.item_id is not None:
        where &= Case.item == wanted.item_id
    if wanted.overdue:
        where &= Case.status.is_in(sorted(s.value for s in RUNNING_STATUSES)) & (Case.due_on < today)
    if wanted.q.strip():
        found = _search_condition(wanted.q, await _matching_items(wanted.q))
        if found is None:
            return empty
        where &= found
    total = await Case.count().where(where)
    pages = max(1, -(-total // page_size))
    page = min(max(1, wanted.page), pages)
    query = Case.select(
        Case.id, Case.code, Case.status, Case.due_on, Case.accepted_at, Case.closed_at, Case.owner,
        Case.item.name.as_alias("item_name"), Case.owner.display_name.as_alias("owner_name"),
        Case.visit.resident_name.as_alias("resident_name"), Case.visit.phone.as_alias("phone"),
    ).where(where)
    if statuses <= OPEN_STATUSES:
        query = query.order_by(Case.due_on).order_by(Case.id)  # the most urgent first
    else:
        query = query.order_by(Case.accepted_at, ascending=False).order_by(Case.id, ascending=False)
    rows = await query.limit(page_size).offset((page - 1) * page_size)
    calendar = await get_calendar()
    return {"rows": [_masked_row(row, today, calendar) for row in rows], "total": total, "page": page,
            "pages": pages, "page_size": page_size}


async def _matching_items(query: str) -> list[int]:
    return [item["id"] for item in await search_items(query, limit=50)]


def _search_condition(query: str, item_ids: list[int]):
    """The case list's search: by code, phone or name when it reads as one, and by item; None if nothing can match."""
    lookup = case_lookup(query)
    by_item = Case.item.is_in(item_ids) if item_ids else None
    if lookup is None:
        return by_item
    if lookup.kind == LookupKind.code:
        by_case = Case.code == lookup.value
    elif lookup.kind == LookupKind.phone_tail:
        by_case = Case.visit.phone_tail == lookup.value
    elif lookup.kind == LookupKind.phone:
        by_case = (Case.visit.phone_tail == phone_tail(lookup.value)) & (Case.visit.phone == lookup.value)
    else:
        by_case = Case.visit.resident_name == lookup.value
    return by_case | by_item if by_item is not None else by_case


async def visits_today(actor: CurrentUser, today: date | None = None) -> dict:
    """Today's visit counts at the actor's window and center."""
    if actor.center_id is None:
        return {"mine": 0, "center": 0}
    today = today or local_today()
    start = datetime.combine(today, datetime.min.time(), tzinfo=LOCAL_TZ)
    end = datetime.combine(today, datetime.max.time(), tzinfo=LOCAL_TZ)
    rows = await statements.VISITS_BETWEEN.rows(center=actor.center_id, start=start, end=end)
    return {"mine": sum(1 for r in rows if r["staff"] == actor.id), "center": len(rows)}


async def reminders_today(actor: CurrentUser, today: date | None = None) -> list[dict]:
    """Due-soon and overdue marks the morning job recorded today for the actor's cases (managers: the center's)."""
    if actor.center_id is None:
        return []
    today = today or local_today()
    if actor.role == "worker":
        rows = await statements.MY_REMINDERS.rows(day=today, center=actor.center_id, owner=actor.id)
    else:
        rows = await statements.REMINDERS.rows(day=today, center=actor.center_id)
    for row in rows:
        row["mark_label"] = "已超期" if row["mark"] == "overdue" else "即将到期"
    # A case closed since the morning no longer needs reminding.
    return [r for r in rows if CaseStatus(r["status"]) in OPEN_STATUSES]


async def record_reminders(day: date) -> str:
    """The morning job: record each open case that is due soon or overdue, once per working day."""
    calendar = await get_calendar()
    if not calendar.is_workday(day):
        return "not a working day: nothing recorded"
    rows = await Case.select(Case.id, Case.status, Case.due_on).where(
        Case.status.is_in([CaseStatus.accepted.value, CaseStatus.forwarded.value])
    )
    marks = []
    for row in rows:
        mark = deadline_mark(row["status"], row["due_on"], day, calendar)
        if mark.value in ("due_soon", "overdue"):
            marks.append(CaseReminder(case=row["id"], day=day, mark=mark.value, created_at=utcnow()))
    if marks:
        await CaseReminder.insert(*marks).on_conflict(action="DO NOTHING")
    return f"{len(marks)} reminders"


async def public_status(token: str) -> dict:
    """What the resident's QR shows: item, state, dates, deadline — no personal data, no staff names."""
    if not token or len(token) > 40:
        raise NotFound("没有找到该办件")
    case = await Case.select(
        Case.id, Case.code, Case.status, Case.accepted_at, Case.due_on, Case.closed_at, Case.item_version,
        Case.paused_on, Case.missing, Case.center.name.as_alias("center_name"), Case.center.phone.as_alias("center_phone"),
        Case.center.address.as_alias("center_address"),
    ).where(Case.public_token == token).first()
    if case is None:
        raise NotFound("没有找到该办件")
    version = await version_by_id(case["item_version"])
    events = await CaseEvent.select(CaseEvent.at, CaseEvent.action, CaseEvent.to_status, CaseEvent.note).where(
        CaseEvent.case == case["id"]).order_by(CaseEvent.at).order_by(CaseEvent.id)
    steps = [{"at": e["at"], "label": STATUS_LABELS[CaseStatus(e["to_status"])]} for e in events
             if e["action"] not in ("materials", "hand_over", "deadline") and e["to_status"]]
    status = CaseStatus(case["status"])
    materials = version["snapshot"]["materials"]
    # 待补正: what the resident must bring, by name only (the list the case was told; nothing personal).
    missing = ([materials[i]["name"] for i in json.loads(case["missing"] or "[]") if 0 <= i < len(materials)]
               if status == CaseStatus.awaiting else [])
    return {
        "case_id": case["id"],  # for the rating part (center.services.ratings.status_view), never rendered
        "code": case["code"], "status": case["status"], "status_label": STATUS_LABELS[status],
        "accepted_at": case["accepted_at"], "closed_at": case["closed_at"],
        # A refusal promises nothing: no completion date is shown for it.
        "due_on": case["due_on"] if status != CaseStatus.refused else None,
        "refusal": _refusal(case["status"], events), "missing_names": missing,
        "paused": case["paused_on"] is not None, "item_name": version["snapshot"]["name"],
        "due_unknown_years": _due_unknown_years(case, await get_calendar()),
        "department": version["snapshot"]["department"], "center_name": case["center_name"],
        "center_phone": case["center_phone"], "center_address": case["center_address"], "steps": steps,
    }


async def _visit_for(actor: CurrentUser, visit_id: int) -> dict:
    visit = await Visit.select(Visit.id, Visit.center, Visit.resident_name, Visit.id_number, Visit.phone).where(
        Visit.id == visit_id).first()
    if visit is None:
        raise NotFound("没有这条来访记录")
    if not actor.may_see_center(visit["center"]):
        raise AccessDenied("只能查看本中心的来访记录")
    return visit


async def reveal_identity(actor: CurrentUser, visit_id: int, ip: str = "") -> dict:
    """Show a visit's full ID number and phone to a worker who asks; every reveal is audit-logged."""
    visit = await _visit_for(actor, visit_id)
    await audit.record("pii.reveal", actor=actor, center_id=visit["center"], object_type="visit", object_id=visit_id,
                       ip=ip, detail={"fields": ["resident_name", "id_number", "phone"]})
    return visit


async def masked_identity(actor: CurrentUser, visit_id: int) -> dict:
    visit = await _visit_for(actor, visit_id)
    return {"id": visit["id"], "resident_name": mask_name(visit["resident_name"]),
            "id_number": mask_id_number(visit["id_number"]), "phone": mask_phone(visit["phone"])}


async def slip_view(actor: CurrentUser, case_id: int) -> dict:
    """The one-time notification slip: the case view plus the center and the public status token."""
    view = await case_view(actor, case_id)
    token = (await Case.select(Case.public_token).where(Case.id == case_id).first())["public_token"]
    center = await Center.select(Center.name, Center.phone, Center.address).where(
        Center.id == view["case"]["center"]).first()
    return {**view, "token": token, "center": center}
