"""Case rules of the one window: states and transitions, ownership (首问负责), deadlines (限时办结).

Seed 003 and ordinary practice: the first worker who receives a resident owns the case until it ends or is
formally handed over, with a reason, to a named colleague; promised items are due N working days after
acceptance; while the resident must supply missing materials (待补正) the clock is paused and the deadline
moves by the paused working days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Iterable, Sequence

from center.domain import DomainError
from center.domain.calendar import WorkCalendar


class CaseRuleError(DomainError):
    pass


class CaseStatus(StrEnum):
    consult = "consult"  # 咨询: answered and closed at once
    accepted = "accepted"  # 受理: the clock runs
    awaiting = "awaiting"  # 待补正: the clock is paused
    forwarded = "forwarded"  # 转办: sent to a department, still owned here
    completed = "completed"  # 办结
    refused = "refused"  # 不予受理


STATUS_LABELS = {
    CaseStatus.consult: "咨询已答复",
    CaseStatus.accepted: "已受理",
    CaseStatus.awaiting: "待补正",
    CaseStatus.forwarded: "已转办",
    CaseStatus.completed: "已办结",
    CaseStatus.refused: "不予受理",
}

OPEN_STATUSES = frozenset({CaseStatus.accepted, CaseStatus.awaiting, CaseStatus.forwarded})
# Open and the clock running (待补正 pauses it): only these can be overdue (see deadline_mark).
RUNNING_STATUSES = frozenset({CaseStatus.accepted, CaseStatus.forwarded})
CLOSED_STATUSES = frozenset(set(CaseStatus) - OPEN_STATUSES)


class Action(StrEnum):
    request_materials = "request_materials"  # → awaiting, pause the clock
    supply_materials = "supply_materials"  # awaiting → accepted, resume the clock
    forward = "forward"
    complete = "complete"
    refuse = "refuse"
    hand_over = "hand_over"


ACTION_LABELS = {
    Action.request_materials: "待补正（暂停计时）",
    Action.supply_materials: "材料已补齐",
    Action.forward: "转办",
    Action.complete: "办结",
    Action.refuse: "不予受理",
    Action.hand_over: "转交同事",
}

# Which status each action leads to, from which statuses. hand_over keeps the status.
TRANSITIONS: dict[Action, tuple[frozenset[CaseStatus], CaseStatus | None]] = {
    Action.request_materials: (frozenset({CaseStatus.accepted, CaseStatus.forwarded}), CaseStatus.awaiting),
    Action.supply_materials: (frozenset({CaseStatus.awaiting}), CaseStatus.accepted),
    Action.forward: (frozenset({CaseStatus.accepted}), CaseStatus.forwarded),
    Action.complete: (frozenset({CaseStatus.accepted, CaseStatus.forwarded}), CaseStatus.completed),
    Action.refuse: (frozenset(OPEN_STATUSES), CaseStatus.refused),
    Action.hand_over: (frozenset(OPEN_STATUSES), None),
}

# What the worker must write down for each action, and the message when it is left empty.
REASON_REQUIRED: dict[Action, str] = {
    Action.refuse: "请填写不予受理的原因",
    Action.hand_over: "请填写转交原因",
    Action.forward: "请填写转办说明：转往哪个部门、办理什么",
}
MAX_REASON = 500

# 办结 and 不予受理 close a case for good (no action reopens it, and the resident's status page shows it at once).
FINAL_ACTIONS = frozenset({Action.complete, Action.refuse})
# Asked first as well, though the case stays open: 转交 takes the case from the worker for good (only the colleague
# or a manager can act on it afterwards), and 材料已补齐 marks every missing material as received in one press.
CONFIRMED_ACTIONS = FINAL_ACTIONS | {Action.hand_over, Action.supply_materials}


def needs_confirmation(action: Action | str) -> bool:
    """An action the worker cannot take back (办结, 不予受理, 转交 to a colleague, 材料已补齐 ticking every missing
    material) is confirmed in a second step, which names what it will do, before it is applied."""
    try:
        return Action(action) in CONFIRMED_ACTIONS
    except ValueError:
        return False


def allowed_actions(status: CaseStatus | str) -> list[Action]:
    """Actions the case's state allows, in the order the counter shows them."""
    return [action for action, (sources, _) in TRANSITIONS.items() if CaseStatus(status) in sources]


def may_act(actor_id: int, actor_role: str, owner_id: int, same_center: bool) -> bool:
    """首问负责: only the owner, or a manager of the case's center (or the district admin), acts on a case."""
    if actor_role == "admin":
        return True
    if not same_center:
        return False
    return actor_id == owner_id or actor_role == "manager"


def due_date(accepted_on: date, promised_days: int, calendar: WorkCalendar) -> date:
    """限时办结: due N working days after the day of acceptance (immediate items: the same day)."""
    return calendar.add_workdays(accepted_on, promised_days)


def resumed_due_date(due: date, paused_on: date, resumed_on: date, calendar: WorkCalendar) -> date:
    """The clock stops while materials are awaited: the deadline moves by the working days paused."""
    return calendar.add_workdays(due, calendar.workdays_between(paused_on, resumed_on))


Pause = tuple[date, date]  # (paused on, resumed on): a 待补正 spell that has ended


def recomputed_due(accepted_on: date, due: date, pauses: "list[Pause] | tuple[Pause, ...]",
                   old: WorkCalendar, new: WorkCalendar) -> date | None:
    """A calendar change (a notice, an override) moves a deadline by exactly the working days it changes.

    The working days promised are those counted on the old calendar from acceptance to the deadline, less the
    working days of the ended pauses (the clock stops while materials are awaited); they are counted again on the
    new calendar, pauses included, as `due_date` and `resumed_due_date` do. None when the deadline stays, or when
    the stored deadline is not one the old calendar can reach (left as it is rather than guessed).
    """
    paused = sum(old.workdays_between(p, r) for p, r in pauses)
    promised = old.workdays_between(accepted_on, due) - paused
    if promised < 0:
        return None

    def replay(calendar: WorkCalendar) -> date:
        current = due_date(accepted_on, promised, calendar)
        for paused_on, resumed_on in pauses:
            current = resumed_due_date(current, paused_on, resumed_on, calendar)
        return current

    if replay(old) != due:
        return None
    moved = replay(new)
    return moved if moved != due else None


@dataclass(frozen=True)
class Transition:
    action: Action
    from_status: CaseStatus
    to_status: CaseStatus
    due: date | None
    paused_on: date | None
    owner_id: int
    reason: str


def apply(
    *,
    action: Action | str,
    status: CaseStatus | str,
    actor_id: int,
    actor_role: str,
    owner_id: int,
    same_center: bool,
    today: date,
    due: date | None,
    paused_on: date | None,
    calendar: WorkCalendar,
    reason: str = "",
    new_owner_id: int | None = None,
    has_missing_materials: bool = False,
) -> Transition:
    """Check one action on a case and return what changes; raises CaseRuleError with a Chinese message."""
    try:
        action = Action(action)
    except ValueError:
        raise CaseRuleError("不支持的操作") from None
    status = CaseStatus(status)
    if not may_act(actor_id, actor_role, owner_id, same_center):
        raise CaseRuleError("只有首问责任人或中心负责人可以办理此件")
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise CaseRuleError(f"“{STATUS_LABELS[status]}”状态下不能{ACTION_LABELS[action]}")
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise CaseRuleError(REASON_REQUIRED[action], field="reason")
    if len(reason) > MAX_REASON:
        raise CaseRuleError(f"{'说明' if action == Action.forward else '原因'}不能超过 {MAX_REASON} 个字", field="reason")
    if action == Action.request_materials and not has_missing_materials:
        raise CaseRuleError("请先在材料清单中标出缺少的材料")

    owner = owner_id
    new_due, new_paused = due, paused_on
    if action == Action.hand_over:
        if new_owner_id is None:
            raise CaseRuleError("请选择接手的同事", field="new_owner_id")
        if new_owner_id == owner_id:
            raise CaseRuleError("接手人不能是当前责任人", field="new_owner_id")
        owner = new_owner_id
    elif action == Action.request_materials:
        new_paused = today
    elif action == Action.supply_materials:
        if due is not None and paused_on is not None:
            new_due = resumed_due_date(due, paused_on, today, calendar)
        new_paused = None
    elif action in (Action.complete, Action.refuse):
        if status == CaseStatus.awaiting and due is not None and paused_on is not None:
            new_due = resumed_due_date(due, paused_on, today, calendar)
        new_paused = None
    return Transition(
        action=action,
        from_status=status,
        to_status=target or status,
        due=new_due,
        paused_on=new_paused,
        owner_id=owner,
        reason=reason,
    )


class DeadlineMark(StrEnum):
    none = ""
    due_soon = "due_soon"
    overdue = "overdue"
    paused = "paused"


DEADLINE_LABELS = {DeadlineMark.due_soon: "即将到期", DeadlineMark.overdue: "已超期", DeadlineMark.paused: "暂停计时"}


def deadline_mark(status: CaseStatus | str, due: date | None, today: date, calendar: WorkCalendar) -> DeadlineMark:
    """Open cases past their deadline are overdue; due within one working day, due soon; awaiting, paused."""
    status = CaseStatus(status)
    if status not in OPEN_STATUSES or due is None:
        return DeadlineMark.none
    if status == CaseStatus.awaiting:
        return DeadlineMark.paused
    if today > due:
        return DeadlineMark.overdue
    if calendar.workdays_between(today, due) <= 1:
        return DeadlineMark.due_soon
    return DeadlineMark.none


def completed_on_time(due: date | None, completed_on: date) -> bool:
    return due is None or completed_on <= due


class MaterialState(StrEnum):
    received = "received"  # ☑ 已收
    missing = "missing"  # 缺: required and not received
    optional = "optional"  # not received, but only needed in some cases (如有)


MATERIAL_LABELS = {MaterialState.received: "已收", MaterialState.missing: "缺", MaterialState.optional: "如有"}


def received_materials(count: int, received: Iterable[int]) -> list[int]:
    """The materials received, as the list's indexes: each once, in order, none outside the list."""
    return sorted({i for i in received if 0 <= i < count})


def material_states(required: Sequence[bool], received: Iterable[int]) -> list[MaterialState]:
    """一次性告知, one meaning everywhere (☑ = received): a material is received if ticked; otherwise missing when
    required, and merely optional (如有) when not."""
    got = set(received)
    return [MaterialState.received if i in got else MaterialState.missing if needed else MaterialState.optional
            for i, needed in enumerate(required)]


def missing_materials(required: Sequence[bool], received: Iterable[int]) -> list[int]:
    """The required materials not received: what the resident must still bring (待补正 needs one at least)."""
    return [i for i, state in enumerate(material_states(required, received)) if state == MaterialState.missing]


def status_on_accept(missing: Sequence[int]) -> CaseStatus:
    """一次性告知: a case accepted with required materials missing waits for them (待补正) from the start, so the
    clock never runs while the resident fetches what they were told to bring; with everything received it runs."""
    return CaseStatus.awaiting if missing else CaseStatus.accepted


def received_before_tracking(required: Sequence[bool], missing: Iterable[int]) -> list[int]:
    """Cases recorded before the received list was kept: the required materials not marked missing."""
    gone = set(missing)
    return [i for i, needed in enumerate(required) if needed and i not in gone]


class LookupKind(StrEnum):
    code = "code"  # the 6-character case code on the slip
    phone_tail = "phone_tail"  # the last 4 digits of the resident's phone
    phone = "phone"  # a whole mobile number (found by its tail, then compared)
    name = "name"  # the resident's full name


@dataclass(frozen=True)
class CaseLookup:
    kind: LookupKind
    value: str


CASE_CODE_RE = re.compile(r"[2-9A-HJ-NP-Z]{6}")  # the alphabet of new case codes: no 0/O, no 1/I
_NAME_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·•]{2,20}")


def case_lookup(query: str) -> CaseLookup | None:
    """What a worker typed to find a case: its 6-character code (any case), a phone's last 4 digits or the whole
    mobile number, or a resident's full name in Chinese characters; None when it can be none of these."""
    q = re.sub(r"[\s-]+", "", query or "")
    if not q or len(q) > 20:
        return None
    if CASE_CODE_RE.fullmatch(q.upper()):
        return CaseLookup(LookupKind.code, q.upper())
    if q.isdigit() and q.isascii():
        if len(q) == 4:
            return CaseLookup(LookupKind.phone_tail, q)
        if len(q) == 11 and q.startswith("1"):
            return CaseLookup(LookupKind.phone, q)
        return None
    if _NAME_RE.fullmatch(q):
        return CaseLookup(LookupKind.name, q)
    return None
