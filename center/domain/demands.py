"""民情诉求 · 接诉即办: resident demands as work orders, from every channel to a fixed problem.

Anything a resident asks that is not a catalog item is one order: where it came from (channel), what it is (kind),
where (the address, routed to the building's grid and its grid worker), who asked (a masked contact) and what.
Beijing's 接诉即办 rules measure the work by three rates (响应率, 解决率, 满意率) and set its deadlines:
- sign for an order (签收) within a few working hours of receiving it;
- contact the resident first (先联系) within a working day;
- answer 咨询/求助 within 3 working days and 投诉/建议 within 13 (configurable per kind, kept as data);
- call back (回访) the next working day after it is done.

Working hours are the center's regular service hours on working days of the shared calendar, so a lunch break
does not count and a 调休 Sunday does. Every step is an append-only event; the order's row only holds where it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Callable, Iterable, NamedTuple, Sequence

from center.domain.stats import pct
from center.domain import DomainError
from center.domain.calendar import WorkCalendar
from center.domain.hours import DEFAULT_REGULAR_PERIODS


class DemandError(DomainError):
    pass


class DemandConflict(DemandError):
    """Someone else moved the order on since the page was loaded (409)."""


class Channel(StrEnum):
    counter = "counter"  # 窗口: a visit at the counter
    phone = "phone"  # 电话: the center's own phone
    grid = "grid"  # 网格上报: a grid worker's or steward's report
    hotline = "hotline"  # 12345: the city hotline's orders, imported from its .xlsx
    app = "app"  # 小程序/其他
    assist = "assist"  # 帮办代办: a 代办单 registered for a household of the register
    proactive = "proactive"  # 主动服务: from the monthly list of seniors turning 60/70/80


CHANNEL_LABELS = {Channel.counter: "窗口", Channel.phone: "电话", Channel.grid: "网格上报", Channel.hotline: "12345",
                  Channel.app: "小程序/其他", Channel.assist: "帮办代办", Channel.proactive: "主动服务"}
# The channels a person picks when taking a demand (the others are set by the import and the 帮办代办 pages).
INTAKE_CHANNELS = (Channel.counter, Channel.phone, Channel.grid, Channel.app)


@dataclass(frozen=True)
class KindRule:
    """A kind of demand and its deadlines (the table demand_kind holds the district's; these are the defaults)."""

    code: str
    label: str
    resolve_days: int  # 办结 within this many working days of receipt
    sign_hours: int = 2  # 签收 within this many working hours
    contact_hours: int = 8  # 先联系 within this many working hours (one working day of 8 hours)

    def __post_init__(self):
        if not (1 <= self.resolve_days <= 60 and 1 <= self.sign_hours <= 40 and 1 <= self.contact_hours <= 80):
            raise DemandError("诉求时限须为：签收 1–40 个工作小时，联系 1–80 个工作小时，办结 1–60 个工作日")
        if self.contact_hours < self.sign_hours:
            raise DemandError("首次联系时限不能短于签收时限")


DEFAULT_KINDS: tuple[KindRule, ...] = (
    KindRule("consult", "咨询", 3),
    KindRule("help", "求助", 3),
    KindRule("complaint", "投诉", 13),
    KindRule("suggestion", "建议", 13),
    KindRule("repair", "报修", 5),
    KindRule("errand", "代办", 5),
    KindRule("other", "其他", 13),
)
# Words the hotline writes in 诉求类型 besides our labels.
KIND_ALIASES = {"举报": "complaint", "意见": "suggestion", "求决": "help", "维修": "repair", "帮办": "errand",
                "帮办代办": "errand", "表扬": "other", "感谢": "other"}


def kind_code(label: str, kinds: Sequence[KindRule]) -> str | None:
    label = (label or "").strip()
    for kind in kinds:
        if label in (kind.label, kind.code):
            return kind.code
    return KIND_ALIASES.get(label)


class State(StrEnum):
    new = "new"  # 待签收: routed to a grid worker (or waiting for the dispatcher to assign one)
    signed = "signed"  # 已签收
    contacted = "contacted"  # 已联系: the resident was contacted first
    working = "working"  # 办理中
    resolved = "resolved"  # 已办结: with its result; the callback is due the next working day
    visited = "visited"  # 已回访: the resident said whether it was solved and how satisfied
    returned = "returned"  # 已退单: sent back to the dispatcher with a reason, to be assigned again


STATE_LABELS = {State.new: "待签收", State.signed: "已签收", State.contacted: "已联系", State.working: "办理中",
                State.resolved: "已办结", State.visited: "已回访", State.returned: "已退单"}
OPEN_STATES = frozenset({State.new, State.signed, State.contacted, State.working, State.returned})
# Where an extension, 催办 and 吹哨 make sense: the order is someone's and not yet done.
HANDLING_STATES = frozenset({State.signed, State.contacted, State.working})


class Action(StrEnum):
    assign = "assign"  # 派单 (the dispatcher: manager)
    sign = "sign"  # 签收
    contact = "contact"  # 联系群众
    start = "start"  # 开始办理
    resolve = "resolve"  # 办结
    callback = "callback"  # 回访
    send_back = "send_back"  # 退单
    extend = "extend"  # 申请延期
    approve = "approve"  # 批准延期
    reject = "reject"  # 驳回延期
    urge = "urge"  # 督办/催办
    whistle = "whistle"  # 吹哨: call a department in
    report = "report"  # 部门报到: the department's answer


ACTION_LABELS = {Action.assign: "派单", Action.sign: "签收", Action.contact: "联系群众", Action.start: "开始办理",
                 Action.resolve: "办结", Action.callback: "回访", Action.send_back: "退单",
                 Action.extend: "申请延期", Action.approve: "批准延期", Action.reject: "驳回延期",
                 Action.urge: "督办催办", Action.whistle: "吹哨", Action.report: "部门报到"}

# The state each action may start from, and where it goes (None: the state stays).
TRANSITIONS: dict[Action, tuple[frozenset[State], State | None]] = {
    Action.assign: (frozenset({State.new, State.returned}), State.new),
    Action.sign: (frozenset({State.new}), State.signed),
    Action.contact: (frozenset({State.signed}), State.contacted),
    Action.start: (frozenset({State.contacted}), State.working),
    Action.resolve: (frozenset({State.contacted, State.working}), State.resolved),
    Action.callback: (frozenset({State.resolved}), State.visited),
    Action.send_back: (frozenset({State.new, State.signed}), State.returned),
    Action.extend: (HANDLING_STATES, None),
    Action.approve: (HANDLING_STATES, None),
    Action.reject: (HANDLING_STATES, None),
    Action.urge: (OPEN_STATES, None),
    Action.whistle: (HANDLING_STATES, None),
    Action.report: (HANDLING_STATES, None),
}
MANAGER_ACTIONS = frozenset({Action.assign, Action.approve, Action.reject, Action.urge})
# The grid worker's own steps (the manager may take them for an absent worker; the admin reads, never handles).
HANDLER_ACTIONS = frozenset({Action.sign, Action.contact, Action.start, Action.resolve, Action.send_back,
                             Action.extend, Action.whistle, Action.report})
NOTE_REQUIRED = {
    Action.contact: "请填写联系情况：怎么联系的、群众怎么说",
    Action.start: "请填写办理措施",
    Action.resolve: "请填写办理结果",
    Action.send_back: "请填写退单理由（如不属于本网格、不属于本中心职责）",
    Action.extend: "请填写延期理由",
    Action.reject: "请填写驳回理由",
    Action.urge: "请填写督办要求",
    Action.report: "请填写部门的答复",
}
MAX_NOTE = 500
MAX_EXTENSION_DAYS = 30
SATISFACTION_LABELS = {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}
SATISFIED = frozenset({"satisfied", "basic"})
DEPARTMENTS_MAX = 60


def allowed_actions(state: State | str, *, role: str, is_assignee: bool, has_assignee: bool,
                    extension_pending: bool, whistle_pending: bool) -> list[Action]:
    """What the person looking at the order may do now (the page shows exactly these buttons)."""
    state = State(state)
    manager = role == "manager"
    actions = []
    for action, (sources, _) in TRANSITIONS.items():
        if state not in sources:
            continue
        if action in MANAGER_ACTIONS and not manager:
            continue
        if action in HANDLER_ACTIONS and not (is_assignee or (manager and has_assignee)):
            continue
        if action == Action.callback and (is_assignee or role not in ("manager", "worker")):
            continue  # 回访 is made by someone other than the handler
        if action == Action.extend and extension_pending:
            continue
        if action in (Action.approve, Action.reject) and not extension_pending:
            continue
        if action == Action.whistle and whistle_pending:
            continue
        if action == Action.report and not whistle_pending:
            continue
        if action == Action.sign and not has_assignee:
            continue
        actions.append(action)
    return actions


# ---- deadlines -------------------------------------------------------------------------------------------------

PeriodsOn = Callable[[date], Sequence[tuple[time, time]]]


def regular_periods_on(calendar: WorkCalendar,
                       regular: Sequence[tuple[time, time]] = DEFAULT_REGULAR_PERIODS) -> PeriodsOn:
    """The working periods of a day: the regular hours on working days (make-up 调休 days included), none else."""
    def periods(day: date) -> Sequence[tuple[time, time]]:
        return regular if calendar.is_workday(day) else ()
    return periods


HORIZON_DAYS = 400  # a center with no working hours in a year has no deadline in hours: say so, never loop


def add_working_minutes(start: datetime, minutes: int, periods_on: PeriodsOn) -> datetime:
    """The moment `minutes` of working time after `start` (local wall-clock time), counting only the working
    periods: an order received at 11:00 with 2 working hours is due at 15:00 when lunch is 12:00–14:00; one
    received in the evening or on a rest day starts counting when the next period opens."""
    if minutes < 0:
        raise DemandError("时限不能为负")
    left = timedelta(minutes=minutes)
    day = start.date()
    for _ in range(HORIZON_DAYS):
        for begin, end in sorted(periods_on(day)):
            open_at = datetime.combine(day, begin, start.tzinfo)
            close_at = datetime.combine(day, end, start.tzinfo)
            if close_at <= start:
                continue
            from_at = max(open_at, start)
            if from_at + left <= close_at:
                return from_at + left
            left -= close_at - from_at
        day += timedelta(days=1)
    raise DemandError("一年内没有工作时间，无法计算按工作小时的时限，请检查服务时间设置")


def working_minutes_between(start: datetime, end: datetime, periods_on: PeriodsOn) -> int:
    """Working minutes from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0
    total = timedelta()
    day = start.date()
    while day <= end.date():
        for begin, finish in periods_on(day):
            a = max(datetime.combine(day, begin, start.tzinfo), start)
            b = min(datetime.combine(day, finish, start.tzinfo), end)
            if b > a:
                total += b - a
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)


@dataclass(frozen=True)
class Deadlines:
    sign_due: datetime  # local
    contact_due: datetime  # local
    due_on: date  # 办结


def deadlines(received_local: datetime, rule: KindRule, calendar: WorkCalendar, periods_on: PeriodsOn,
              resolve_days: int | None = None) -> Deadlines:
    """An order's deadlines from the moment it was received (local time) and its kind; a 12345 order brings its own
    办理时限 in working days. 办结 counts working days from the day received (a rest day counts from the next)."""
    days = resolve_days if resolve_days is not None else rule.resolve_days
    return Deadlines(
        sign_due=add_working_minutes(received_local, rule.sign_hours * 60, periods_on),
        contact_due=add_working_minutes(received_local, rule.contact_hours * 60, periods_on),
        due_on=calendar.add_workdays(received_local.date(), days),
    )


def callback_due(resolved_on: date, calendar: WorkCalendar) -> date:
    """回访 the next working day after 办结."""
    return calendar.add_workdays(resolved_on, 1)


class Mark(StrEnum):
    none = ""
    due_soon = "due_soon"
    overdue = "overdue"


MARK_LABELS = {Mark.due_soon: "即将到期", Mark.overdue: "已超期"}


def step_due(state: State | str, *, sign_due: datetime, contact_due: datetime, due_on: date,
             callback_on: date | None) -> datetime | date | None:
    """The deadline of the step the order waits for (datetimes local; dates for whole working days)."""
    state = State(state)
    if state in (State.new, State.returned):
        return sign_due
    if state == State.signed:
        return contact_due
    if state in (State.contacted, State.working):
        return due_on
    if state == State.resolved:
        return callback_on
    return None


def deadline_mark(due: datetime | date | None, now_local: datetime, calendar: WorkCalendar) -> Mark:
    """Past its step's deadline: overdue; a deadline in hours due within two hours, or a day's deadline within one
    working day: due soon."""
    if due is None:
        return Mark.none
    if isinstance(due, datetime):
        if now_local > due:
            return Mark.overdue
        return Mark.due_soon if due - now_local <= timedelta(hours=2) else Mark.none
    today = now_local.date()
    if today > due:
        return Mark.overdue
    return Mark.due_soon if calendar.workdays_between(today, due) <= 1 else Mark.none


# ---- one step ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Move:
    action: Action
    from_state: State
    to_state: State
    note: str
    on_time: bool | None  # for sign, contact and resolve: done by its deadline
    extension_days: int | None = None
    satisfaction: str | None = None
    solved: bool | None = None
    department: str = ""


def _note(action: Action, note: str) -> str:
    note = (note or "").strip()
    if action in NOTE_REQUIRED and not note:
        raise DemandError(NOTE_REQUIRED[action], field="note")
    if len(note) > MAX_NOTE:
        raise DemandError(f"内容不能超过 {MAX_NOTE} 个字（现在 {len(note)} 个字）", field="note")
    return note


def apply(*, action: Action | str, state: State | str, role: str, is_assignee: bool, has_assignee: bool,
          extension_pending: bool, whistle_pending: bool, now_local: datetime,
          step_deadline: datetime | date | None, note: str = "", days: int | None = None,
          satisfaction: str | None = None, solved: bool | None = None, department: str = "",
          assignee_chosen: bool = False) -> Move:
    """Check one step of an order and return what changes; raises DemandError with a Chinese message."""
    try:
        action = Action(action)
    except ValueError:
        raise DemandError("不支持的操作") from None
    state = State(state)
    sources, target = TRANSITIONS[action]
    label = ACTION_LABELS[action]
    if state not in sources:
        raise DemandError(f"“{STATE_LABELS[state]}”的诉求不能{label}")
    if action in MANAGER_ACTIONS and role != "manager":
        raise DemandError(f"{label}由本中心负责人操作")
    if action in HANDLER_ACTIONS and not (is_assignee or (role == "manager" and has_assignee)):
        raise DemandError("只有承办的网格员（或本中心负责人）可以办理这条诉求" if has_assignee
                          else "这条诉求还没有派给网格员，请先派单")
    if action == Action.callback and is_assignee:
        raise DemandError("回访须由承办人以外的工作人员进行")
    if action == Action.callback and role not in ("manager", "worker"):
        raise DemandError("回访由本中心工作人员进行")
    if action == Action.assign and not assignee_chosen:
        raise DemandError("请选择承办的网格员", field="assignee")
    if action == Action.extend and extension_pending:
        raise DemandError("已有一份延期申请待批准")
    if action in (Action.approve, Action.reject) and not extension_pending:
        raise DemandError("没有待批准的延期申请")
    if action == Action.whistle and whistle_pending:
        raise DemandError("已经向部门吹哨，请先记录部门的答复")
    if action == Action.report and not whistle_pending:
        raise DemandError("还没有向部门吹哨")
    note = _note(action, note)
    extension_days = None
    if action == Action.extend:
        if days is None or not (1 <= days <= MAX_EXTENSION_DAYS):
            raise DemandError(f"延期天数须为 1–{MAX_EXTENSION_DAYS} 个工作日", field="days")
        extension_days = days
    if action == Action.whistle:
        department = (department or "").strip()
        if not department:
            raise DemandError("请填写吹哨的部门（如 街道城管科、区住建委、供暖公司）", field="department")
        if len(department) > DEPARTMENTS_MAX:
            raise DemandError(f"部门名称不能超过 {DEPARTMENTS_MAX} 个字", field="department")
    if action == Action.callback:
        errors = {}
        if solved is None:
            errors["solved"] = "请选择问题是否已解决"
        if satisfaction not in SATISFACTION_LABELS:
            errors["satisfaction"] = "请选择群众的满意程度：满意、基本满意或不满意"
        if errors:
            raise DemandError(errors=errors)
    on_time = None
    if action in (Action.sign, Action.contact, Action.resolve, Action.callback) and step_deadline is not None:
        on_time = (now_local <= step_deadline if isinstance(step_deadline, datetime)
                   else now_local.date() <= step_deadline)
    if action == Action.callback and solved is False:
        target = State.working  # 回访未解决: back to the handler to do it again (重办)
    return Move(action=action, from_state=state, to_state=target or state, note=note, on_time=on_time,
                extension_days=extension_days, satisfaction=satisfaction if action == Action.callback else None,
                solved=solved if action == Action.callback else None,
                department=department if action == Action.whistle else "")


# ---- intake --------------------------------------------------------------------------------------------------------

MAX_CONTENT = 2000
MAX_ADDRESS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_PHONE_CHARS = re.compile(r"[\s\-()（）+]")
PHONE_RE = re.compile(r"(?:86)?(1[3-9]\d{9}|0\d{9,11})")


def clean_text(value: object, limit: int, label: str, field: str, required: bool = True) -> str:
    text = _CONTROL.sub("", str(value or "")).strip()
    if required and not text:
        raise DemandError(f"请填写{label}", field=field)
    if len(text) > limit:
        raise DemandError(f"{label}不能超过 {limit} 个字（现在 {len(text)} 个字）", field=field)
    return text


def clean_phone(value: object, required: bool = False) -> str:
    """A mobile (11 digits) or a landline with its area code (as the counter's and the registry's phones);
    spaces, dashes and brackets go, a leading 86 too."""
    raw = _PHONE_CHARS.sub("", str(value or ""))
    if not raw:
        if required:
            raise DemandError("请填写联系电话", field="phone")
        return ""
    match = PHONE_RE.fullmatch(raw)
    if not match:
        raise DemandError("联系电话格式不对：请填写 11 位手机号或带区号的固定电话", field="phone")
    return match.group(1)


@dataclass(frozen=True)
class DemandInput:
    channel: Channel
    kind: str
    content: str
    address: str
    resident_name: str
    phone: str


def check_intake(*, channel: object, kind: object, content: object, address: object, resident_name: object,
                 phone: object, kinds: Sequence[KindRule], content_label: str = "诉求内容") -> DemandInput:
    """A new demand as typed; every wrong field is told at once (DemandError.errors, in the form's order)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}

    def check(field: str, fn) -> None:
        try:
            values[field] = fn()
        except DemandError as exc:
            errors[field] = str(exc)

    try:
        chosen = Channel(str(channel or ""))
    except ValueError:
        errors["channel"] = "请选择诉求来源渠道"
        chosen = None
    if str(kind or "") not in {k.code for k in kinds}:
        errors["kind"] = "请选择诉求类型"
    check("content", lambda: clean_text(content, MAX_CONTENT, content_label, "content"))
    check("address", lambda: clean_text(address, MAX_ADDRESS, "地址", "address", required=False))
    check("resident_name", lambda: clean_text(resident_name, 40, "诉求人姓名", "resident_name", required=False))
    check("phone", lambda: clean_phone(phone))
    if errors:
        raise DemandError(errors=errors)
    return DemandInput(channel=chosen, kind=str(kind), content=values["content"], address=values["address"],
                       resident_name=values["resident_name"], phone=values["phone"])


# ---- routing an address to its grid ---------------------------------------------------------------------------------

_BUILDING_NO = re.compile(r"(\d+)\s*(?:号楼|号院|栋|幢|号|楼|座)")
_DIGITS = re.compile(r"\d+")


def building_number(name: str) -> str | None:
    """"3号楼", "3栋", "3幢", "3" → "3"."""
    match = _BUILDING_NO.search(name) or _DIGITS.search(name)
    return match.group(1) if match and match.groups() else (match.group(0) if match else None)


@dataclass(frozen=True)
class Place:
    compound_id: int
    compound: str
    compound_grid: int | None
    buildings: tuple[tuple[int, str, int | None], ...]  # (building id, name, grid id)


class Route(NamedTuple):
    compound_id: int | None
    building_id: int | None
    grid_id: int | None


NO_ROUTE = Route(None, None, None)


def route(address: str, places: Iterable[Place]) -> Route:
    """The building an address names, and its grid: the longest compound name found in the address, then the
    building whose number follows it ("和平里小区3号楼2单元301" → 和平里小区, 3号楼). A known compound with an unknown
    building goes to the compound's grid; an unknown address to no grid (the dispatcher assigns it)."""
    text = re.sub(r"\s+", "", address or "")
    if not text:
        return NO_ROUTE
    best: Place | None = None
    at = -1
    for place in places:
        name = re.sub(r"\s+", "", place.compound)
        idx = text.find(name)
        if name and idx >= 0 and (best is None or len(name) > len(best.compound)):
            best, at = place, idx + len(name)
    if best is None:
        return NO_ROUTE
    rest = text[at:]
    match = _BUILDING_NO.match(rest) or _BUILDING_NO.search(rest[:8])
    if match:
        number = match.group(1)
        for building_id, name, grid_id in best.buildings:
            if building_number(name) == number:
                return Route(best.compound_id, building_id, grid_id or best.compound_grid)
    return Route(best.compound_id, None, best.compound_grid)


# ---- figures ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemandFact:
    """One order as the figures see it."""

    month: str  # YYYY-MM of receipt (local)
    grid: str
    worker: str
    kind: str
    channel: str
    compound: str
    signed_on_time: bool | None  # None: not yet signed and not yet due (not counted in 响应率)
    resolved: bool
    resolved_on_time: bool
    callback: bool
    solved: bool | None
    satisfied: bool | None
    overdue: bool


def rates(facts: Sequence[DemandFact]) -> dict:
    """响应率 = signed in time ÷ orders whose signing is decided (signed, or past its deadline unsigned);
    解决率 = said solved ÷ called back; 满意率 = 满意 or 基本满意 ÷ called back. Each with its parts."""
    decided = [f for f in facts if f.signed_on_time is not None]
    responded = sum(1 for f in decided if f.signed_on_time)
    called = [f for f in facts if f.callback]
    solved = sum(1 for f in called if f.solved)
    satisfied = sum(1 for f in called if f.satisfied)
    return {
        "orders": len(facts), "decided": len(decided), "responded": responded,
        "resolved": sum(1 for f in facts if f.resolved), "called": len(called), "solved": solved,
        "satisfied": satisfied, "overdue": sum(1 for f in facts if f.overdue),
        "response_rate": pct(responded, len(decided)),
        "solve_rate": pct(solved, len(called)),
        "satisfaction_rate": pct(satisfied, len(called)),
    }


GROUPINGS = {"grid": "网格", "worker": "网格员", "kind": "诉求类型", "channel": "来源渠道"}


def rates_by(facts: Sequence[DemandFact], key: str) -> list[dict]:
    """The three rates per value of `key` (grid, worker, kind, channel, month), largest groups first."""
    groups: dict[str, list[DemandFact]] = {}
    for fact in facts:
        groups.setdefault(getattr(fact, key) or "（未分派）", []).append(fact)
    rows = [{"name": name, **rates(group)} for name, group in groups.items()]
    rows.sort(key=lambda r: (-r["orders"], r["name"]))
    return rows


def heat(facts: Sequence[DemandFact], top_kinds: int = 6) -> dict:
    """Orders per compound and kind, the most frequent kinds as columns, the busiest compounds first."""
    kind_counts: dict[str, int] = {}
    for f in facts:
        kind_counts[f.kind] = kind_counts.get(f.kind, 0) + 1
    kinds = sorted(kind_counts, key=lambda k: (-kind_counts[k], k))[:top_kinds]
    table: dict[str, dict[str, int]] = {}
    for f in facts:
        row = table.setdefault(f.compound or "（地址未识别）", {})
        row[f.kind] = row.get(f.kind, 0) + 1
    rows = [{"compound": c, "cells": [counts.get(k, 0) for k in kinds], "total": sum(counts.values())}
            for c, counts in table.items()]
    rows.sort(key=lambda r: (-r["total"], r["compound"]))
    peak = max((n for r in rows for n in r["cells"]), default=0)
    return {"kinds": kinds, "rows": rows, "peak": peak}


def heat_level(count: int, peak: int) -> int:
    """0..4: how dark a heat cell is (0 for none)."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, 1 + (4 * count - 1) // peak) if peak > 1 else 4
