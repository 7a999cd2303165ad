"""民情诉求: taking a demand from any channel, routing it to its grid, every step of its life, reminders, figures.

Rules live in center.domain.demands; this module loads, checks, writes (one transaction per step, with its
event and audit row) and answers. Deadlines are counted on the shared calendar in the center's regular hours.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from center import db
from center.domain import AccessDenied, NotFound
from center.domain.demands import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    MARK_LABELS,
    OPEN_STATES,
    SATISFACTION_LABELS,
    SATISFIED,
    STATE_LABELS,
    Action,
    Channel,
    DemandConflict,
    DemandError,
    DemandFact,
    Deadlines,
    DemandInput,
    HANDLING_STATES,
    KindRule,
    Mark,
    Place,
    Route,
    add_working_minutes,
    State,
    allowed_actions,
    apply,
    callback_due,
    check_intake,
    deadline_mark,
    deadlines,
    route,
    step_due,
)
from center.domain.hours import DEFAULT_REGULAR_PERIODS, PeriodKind
from center.domain.privacy import mask_name, mask_phone
from center.services import audit
from center.services.hall import events as hall_events
from center.services.hall import window as hall_window
from center.services.calendar import get_calendar
from center.services.hours import hours_book
from center.services.identity import CurrentUser
from center.tables import Building, Compound, Demand, DemandEvent, DemandKind, Grid, Item, Staff, Visit
from center.timeutil import LOCAL_TZ, to_local, utcnow

# Events that are not steps of the order's life: its opening, and a case opened by a 代办 order.
EVENT_LABELS = {"open": "受理", "case": "代办受理"}
# What an order waits for in each state (the reminders and the deadline's mark name the step due).
WAITING_FOR = {State.new: "待签收", State.returned: "待重新派单", State.signed: "待联系群众",
               State.contacted: "待办结", State.working: "待办结", State.resolved: "待回访"}
DEADLINE_HORIZON = timedelta(days=120)  # the center's hours are loaded this far ahead for deadlines in hours


async def kinds(active_only: bool = True) -> list[KindRule]:
    query = DemandKind.select().order_by(DemandKind.sort_order)
    if active_only:
        query = query.where(DemandKind.active == True)  # noqa: E712
    return [KindRule(r["code"], r["label"], r["resolve_days"], r["sign_hours"], r["contact_hours"])
            for r in await query]


async def kind_labels() -> dict[str, str]:
    return {k.code: k.label for k in await kinds(active_only=False)}


async def periods_on(center_id: int, start: date):
    """The center's regular periods on working days (the regular hours of the day kind), from `start` on; a center
    that set no hours of its own works the district's regular hours."""
    calendar = await get_calendar()
    book = await hours_book(center_id, start, start + DEADLINE_HORIZON)

    def periods(day: date):
        if not calendar.is_workday(day):
            return ()
        spans = tuple((p.start, p.end) for p in book.day(day).periods if p.kind == PeriodKind.regular)
        if not spans and not book.day(day).closed and not book.periods:
            return DEFAULT_REGULAR_PERIODS
        return spans
    return calendar, periods


async def places(center_id: int) -> list[Place]:
    compounds = await Compound.select(Compound.id, Compound.name, Compound.grid).where(Compound.center == center_id)
    buildings = await Building.select(Building.id, Building.compound, Building.name, Building.grid).where(
        Building.center == center_id)
    by_compound: dict[int, list] = {}
    for b in buildings:
        by_compound.setdefault(b["compound"], []).append((b["id"], b["name"], b["grid"]))
    return [Place(c["id"], c["name"], c["grid"], tuple(by_compound.get(c["id"], ()))) for c in compounds]


async def grid_workers(center_id: int) -> dict[int, int | None]:
    return {g["id"]: g["worker"] for g in await Grid.select(Grid.id, Grid.worker).where(Grid.center == center_id)}


def _code(today: date, n: int) -> str:
    return f"D{today:%y%m%d}{n:04d}"


async def _next_code(today: date) -> str:
    prefix = f"D{today:%y%m%d}"
    count = await Demand.count().where(Demand.code.like(prefix + "%"))
    return _code(today, count + 1)


def _is_unique_violation(exc: Exception) -> bool:
    text = str(exc).lower()
    return "unique" in text or "duplicate key" in text


async def insert_demand(actor: CurrentUser | None, *, center_id: int, data: DemandInput, received_at: datetime,
                        routed: Route, assignee: int | None, calendar, periods, source_no: str | None = None,
                        resolve_days: int | None = None, visit_id: int | None = None,
                        household_id: int | None = None, now: datetime, rules: dict[str, KindRule],
                        dispatched_at: datetime | None = None) -> dict:
    """Write one order and its opening event (inside the caller's write transaction). An order dispatched later
    than received (a 12345 order imported today) is signed and first contacted from its dispatch; its 办结
    deadline runs from its receipt, as the hotline set it."""
    local = to_local(received_at)
    due = deadlines(local, rules[data.kind], calendar, periods, resolve_days)
    if dispatched_at is not None and dispatched_at > received_at:
        from_dispatch = deadlines(to_local(dispatched_at), rules[data.kind], calendar, periods, resolve_days)
        due = Deadlines(sign_due=from_dispatch.sign_due, contact_due=from_dispatch.contact_due, due_on=due.due_on)
    code = await _next_code(local.date())
    row = Demand(
        code=code, center=center_id, channel=data.channel.value, source_no=source_no, kind=data.kind,
        content=data.content, address=data.address, compound=routed.compound_id, building=routed.building_id,
        grid=routed.grid_id, assignee=assignee, resident_name=data.resident_name, phone=data.phone, visit=visit_id,
        household=household_id,
        created_by=actor.id if actor else None, received_at=received_at, state=State.new.value,
        sign_due=due.sign_due, contact_due=due.contact_due, due_on=due.due_on, version=1, updated_at=now,
    )
    await row.save()
    where = "已分派给网格员" if assignee else ("已定位到网格，网格未设网格员，待派单" if routed.grid_id else "地址未定位到网格，待派单")
    await DemandEvent.insert(DemandEvent(demand=row.id, at=now, actor=actor.id if actor else None, action="open",
                                         from_state="", to_state=State.new.value,
                                         note=f"{CHANNEL_LABELS[data.channel]}受理；{where}"))
    await audit.record("demand.open", actor=actor, center_id=center_id, object_type="demand", object_id=row.id,
                       detail={"channel": data.channel.value, "kind": data.kind, "source_no": source_no or ""})
    return {"id": row.id, "code": code, "grid": routed.grid_id, "assignee": assignee}


async def create(actor: CurrentUser, *, channel: object, kind: object, content: object, address: object = "",
                 resident_name: object = "", phone: object = "", visit_id: int | None = None,
                 with_visit: bool = False, household_id: int | None = None, assignee_id: int | None = None,
                 source_no: str | None = None, content_label: str = "诉求内容",
                 now: datetime | None = None) -> dict:
    """A demand taken by a worker (窗口, 电话, 网格上报, 小程序). At the counter (`with_visit`) the visit is logged
    in the same transaction: every visit is logged, and the demand is its outcome."""
    now = now or utcnow()
    if actor.center_id is None:
        raise AccessDenied("区级账号不属于任何中心，不能登记诉求；请用中心工作人员的账号登记")
    rules = {k.code: k for k in await kinds()}
    data = check_intake(channel=channel, kind=kind, content=content, address=address, resident_name=resident_name,
                        phone=phone, kinds=list(rules.values()), content_label=content_label)
    if visit_id is not None and not await Visit.exists().where(
            (Visit.id == visit_id) & (Visit.center == actor.center_id)):
        raise DemandError("这次来访不是本中心的，请重新开始接待")
    calendar, periods = await periods_on(actor.center_id, to_local(now).date())
    routed = route(data.address, await places(actor.center_id))
    workers = await grid_workers(actor.center_id)
    assignee = workers.get(routed.grid_id) if routed.grid_id else None
    if data.channel == Channel.grid and assignee is None and actor.role == "worker":
        assignee = actor.id  # a grid worker's own report stays with them when the address names no grid
    if assignee_id is not None:  # a household's agent (代办员) takes its 代办 orders
        assignee = assignee_id
    for attempt in range(5):
        try:
            async with db.point_write():
                if with_visit and visit_id is None:
                    visit = Visit(center=actor.center_id, staff=actor.id, resident_name=data.resident_name,
                                  phone=data.phone, phone_tail=data.phone[-4:] if data.phone else "",
                                  note=f"民情诉求：{data.content[:60]}", created_at=now)
                    await visit.save()
                    visit_id = visit.id
                    await audit.record("visit.log", actor=actor, object_type="visit", object_id=visit_id,
                                       detail={"outcome": "demand"})
                made = await insert_demand(actor, center_id=actor.center_id, data=data, received_at=now,
                                           routed=routed, assignee=assignee, calendar=calendar, periods=periods,
                                           visit_id=visit_id, household_id=household_id, source_no=source_no,
                                           now=now, rules=rules)
                # A demand recorded for a called ticket's visit ends the resident's turn at the window, as a case.
                called = await hall_window.finish_for_visit(visit_id, None, now) if visit_id else ""
            if called:
                await hall_events.publish(called, "queue")
            return made
        except Exception as exc:  # two orders numbered at the same instant: number again
            if not _is_unique_violation(exc) or attempt == 4:
                raise
            if source_no is not None:  # the same proposal confirmed twice at once: the first one stands
                existing = await Demand.select(Demand.id, Demand.code, Demand.grid, Demand.assignee).where(
                    Demand.source_no == source_no).first()
                if existing is not None:
                    return {"id": existing["id"], "code": existing["code"], "grid": existing["grid"],
                            "assignee": existing["assignee"], "existing": True}
            if with_visit:
                visit_id = None
    raise DemandError("诉求编号冲突，请重试")


DEMAND_COLUMNS = (
    Demand.id, Demand.code, Demand.center, Demand.channel, Demand.source_no, Demand.kind, Demand.content,
    Demand.address, Demand.compound, Demand.building, Demand.grid, Demand.assignee, Demand.resident_name,
    Demand.phone, Demand.visit, Demand.received_at, Demand.state, Demand.sign_due, Demand.contact_due,
    Demand.due_on, Demand.signed_at, Demand.signed_on_time, Demand.contacted_at, Demand.resolved_at,
    Demand.resolved_on_time, Demand.result, Demand.callback_due, Demand.callback_at, Demand.solved,
    Demand.satisfaction, Demand.extension_days, Demand.urge_count, Demand.whistle_department, Demand.version,
)


def _step_deadline(row: dict):
    return step_due(row["state"], sign_due=to_local(row["sign_due"]), contact_due=to_local(row["contact_due"]),
                    due_on=row["due_on"], callback_on=row["callback_due"])


def _decorate(row: dict, now_local: datetime, calendar, labels: dict[str, str]) -> dict:
    due = _step_deadline(row)
    mark = deadline_mark(due, now_local, calendar) if State(row["state"]) in OPEN_STATES | {State.resolved} \
        else Mark.none
    row["step_due"] = due
    row["step_due_is_time"] = isinstance(due, datetime)
    row["mark"] = mark.value
    row["mark_label"] = MARK_LABELS.get(mark, "")
    row["state_label"] = STATE_LABELS[State(row["state"])]
    row["waiting"] = WAITING_FOR.get(State(row["state"]), "")
    row["channel_label"] = CHANNEL_LABELS[Channel(row["channel"])]
    row["kind_label"] = labels.get(row["kind"], row["kind"])
    row["resident_masked"] = mask_name(row.get("resident_name"))
    row["phone_masked"] = mask_phone(row.get("phone"))
    return row


async def _load(actor: CurrentUser, demand_id: int) -> dict:
    row = await Demand.select(*DEMAND_COLUMNS).where(Demand.id == demand_id).first()
    if row is None:
        raise NotFound("没有这条诉求")
    if not actor.may_see_center(row["center"]):
        raise AccessDenied("只能查看本中心的诉求")
    return row


async def demand_view(actor: CurrentUser, demand_id: int, now: datetime | None = None) -> dict:
    now = now or utcnow()
    row = await _load(actor, demand_id)
    calendar = await get_calendar()
    labels = await kind_labels()
    _decorate(row, to_local(now), calendar, labels)
    names = await _names([row["assignee"]])
    row["assignee_name"] = names.get(row["assignee"], "")
    grid = await Grid.select(Grid.code, Grid.name).where(Grid.id == row["grid"]).first() if row["grid"] else None
    row["grid_label"] = f"{grid['code']} {grid['name']}" if grid else ""
    place = ""
    if row["building"]:
        b = await Building.select(Building.name, Building.compound.name.as_alias("compound_name"), Building.steward,
                                  Building.steward_phone).where(Building.id == row["building"]).first()
        place = f"{b['compound_name']} {b['name']}"
        row["steward"] = f"{b['steward']} {mask_phone(b['steward_phone'])}".strip()
    elif row["compound"]:
        c = await Compound.select(Compound.name).where(Compound.id == row["compound"]).first()
        place = c["name"]
    row["place"] = place
    row["satisfaction_label"] = SATISFACTION_LABELS.get(row["satisfaction"], "")
    events = await DemandEvent.select(
        DemandEvent.at, DemandEvent.action, DemandEvent.from_state, DemandEvent.to_state, DemandEvent.note,
        DemandEvent.actor.display_name.as_alias("actor_name"),
    ).where(DemandEvent.demand == demand_id).order_by(DemandEvent.id)
    for e in events:
        e["action_label"] = EVENT_LABELS.get(e["action"]) or ACTION_LABELS.get(Action(e["action"]), e["action"])
        e["to_label"] = STATE_LABELS[State(e["to_state"])] if e["to_state"] else ""
    same_center = actor.center_id == row["center"]
    actions = allowed_actions(row["state"], role=actor.role if same_center else "reader",
                              is_assignee=same_center and row["assignee"] == actor.id,
                              has_assignee=row["assignee"] is not None,
                              extension_pending=row["extension_days"] is not None,
                              whistle_pending=bool(row["whistle_department"]))
    sent_back = next((e for e in reversed(events) if e["action"] == Action.send_back.value), None)
    workers = []
    if Action.assign in actions:
        workers = await Staff.select(Staff.id, Staff.display_name).where(
            (Staff.center == row["center"]) & (Staff.active == True)  # noqa: E712
            & Staff.role.is_in(["worker", "manager"])
        ).order_by(Staff.display_name)
    errand = {}
    if row["kind"] == "errand":  # a 代办 order: the cases it opened, and what may be opened next
        from center.services import errands
        errand = {"cases": await errands.errand_cases(demand_id),
                  "may_open": same_center and State(row["state"]) in HANDLING_STATES
                  and (row["assignee"] == actor.id or actor.role == "manager"),
                  "catalog": await Item.select(Item.id, Item.code, Item.name).where(
                      Item.active == True).order_by(Item.code)}  # noqa: E712
    return {"demand": row, "events": events, "actions": [a.value for a in actions], "errand": errand,
            "sent_back": sent_back,
            "action_labels": {a.value: l for a, l in ACTION_LABELS.items()}, "workers": workers,
            "satisfaction_labels": SATISFACTION_LABELS}


async def _names(ids) -> dict[int, str]:
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}
    return {s["id"]: s["display_name"] for s in await Staff.select(Staff.id, Staff.display_name).where(
        Staff.id.is_in(ids))}


async def act(actor: CurrentUser, demand_id: int, action: str, *, note: str = "", days: int | None = None,
              satisfaction: str | None = None, solved: bool | None = None, department: str = "",
              assignee_id: int | None = None, expected_version: int | None = None,
              now: datetime | None = None) -> dict:
    """One step of an order: its state and dates, an event and an audit row, in one transaction."""
    now = now or utcnow()
    local = to_local(now)
    calendar = await get_calendar()
    async with db.point_write():
        row = await _load(actor, demand_id)
        if expected_version is not None and row["version"] != expected_version:
            raise DemandConflict("这条诉求刚刚有了新的进展（他人或您在另一个窗口的操作），已显示最新状态，请确认后再操作")
        same_center = actor.center_id == row["center"]
        if not same_center:
            raise AccessDenied("区级账号只能查看诉求，由中心办理")
        assignee_ok = False
        if action == Action.assign.value and assignee_id is not None:
            assignee_ok = await Staff.exists().where(
                (Staff.id == assignee_id) & (Staff.center == row["center"]) & (Staff.active == True))  # noqa: E712
            if not assignee_ok:
                raise DemandError("所选网格员不是本中心的工作人员", field="assignee")
        move = apply(action=action, state=row["state"], role=actor.role, is_assignee=row["assignee"] == actor.id,
                     has_assignee=row["assignee"] is not None, extension_pending=row["extension_days"] is not None,
                     whistle_pending=bool(row["whistle_department"]), now_local=local,
                     step_deadline=_step_deadline(row), note=note, days=days, satisfaction=satisfaction,
                     solved=solved, department=department, assignee_chosen=assignee_ok)
        changes: dict = {Demand.state: move.to_state.value, Demand.version: row["version"] + 1,
                         Demand.updated_at: now}
        text = move.note
        a = move.action
        if a == Action.assign:
            changes[Demand.assignee] = assignee_id
            name = (await _names([assignee_id])).get(assignee_id, "")
            text = f"派给 {name}" + (f"：{move.note}" if move.note else "")
            if State(row["state"]) == State.returned:  # signing and first contact counted from the new assignment
                _, periods = await periods_on(row["center"], local.date())
                rules = {k.code: k for k in await kinds(active_only=False)}
                rule = rules.get(row["kind"])
                if rule:
                    changes[Demand.sign_due] = add_working_minutes(local, rule.sign_hours * 60, periods)
                    changes[Demand.contact_due] = add_working_minutes(local, rule.contact_hours * 60, periods)
            if row["grid"] is None:  # an order the address did not place: the grid of the worker it goes to
                grids = await Grid.select(Grid.id).where((Grid.center == row["center"]) & (Grid.worker == assignee_id))
                if len(grids) == 1:
                    changes[Demand.grid] = grids[0]["id"]
        elif a == Action.sign:
            changes[Demand.signed_at] = now
            changes[Demand.signed_on_time] = move.on_time
        elif a == Action.contact:
            changes[Demand.contacted_at] = now
        elif a == Action.resolve:
            changes[Demand.resolved_at] = now
            changes[Demand.resolved_on_time] = move.on_time
            changes[Demand.result] = move.note
            changes[Demand.callback_due] = callback_due(local.date(), calendar)
        elif a == Action.callback:
            changes[Demand.callback_at] = now
            changes[Demand.solved] = move.solved
            changes[Demand.satisfaction] = move.satisfaction
            text = (f"{'已解决' if move.solved else '未解决'}，{SATISFACTION_LABELS[move.satisfaction]}"
                    + (f"。{move.note}" if move.note else ""))
            if move.to_state == State.working:  # 未解决: done again, in the kind's working days from today
                rules = {k.code: k for k in await kinds(active_only=False)}
                days = rules[row["kind"]].resolve_days if row["kind"] in rules else 3
                redo = calendar.add_workdays(local.date(), days)
                changes.update({Demand.due_on: redo, Demand.resolved_at: None, Demand.resolved_on_time: None,
                                Demand.callback_due: None})
                text += f"。退回承办人重办，办结时限 {redo:%Y-%m-%d}"
        elif a == Action.send_back:
            changes[Demand.assignee] = None
        elif a == Action.extend:
            changes[Demand.extension_days] = move.extension_days
            text = f"申请延期 {move.extension_days} 个工作日：{move.note}"
        elif a == Action.approve:
            new_due = calendar.add_workdays(row["due_on"], row["extension_days"])
            changes[Demand.due_on] = new_due
            changes[Demand.extension_days] = None
            text = f"批准延期 {row['extension_days']} 个工作日，办结时限改为 {new_due:%Y-%m-%d}" + (
                f"：{move.note}" if move.note else "")
        elif a == Action.reject:
            changes[Demand.extension_days] = None
        elif a == Action.urge:
            changes[Demand.urge_count] = row["urge_count"] + 1
        elif a == Action.whistle:
            changes[Demand.whistle_department] = move.department
            text = f"向 {move.department} 吹哨" + (f"：{move.note}" if move.note else "")
        elif a == Action.report:
            changes[Demand.whistle_department] = ""
            text = f"{row['whistle_department']} 答复：{move.note}"
        await Demand.update(changes).where(Demand.id == demand_id)
        await DemandEvent.insert(DemandEvent(demand=demand_id, at=now, actor=actor.id, action=a.value,
                                             from_state=move.from_state.value, to_state=move.to_state.value,
                                             note=text))
        await audit.record(f"demand.{a.value}", actor=actor, center_id=row["center"], object_type="demand",
                           object_id=demand_id, detail={"from": move.from_state.value, "to": move.to_state.value,
                                                        "on_time": move.on_time})
    return {"state": move.to_state.value, "state_label": STATE_LABELS[move.to_state], "action": a.value,
            "action_label": ACTION_LABELS[a], "on_time": move.on_time}


async def reveal_contact(actor: CurrentUser, demand_id: int, ip: str = "") -> dict:
    """The resident's full name and phone for the one handling the order; every reveal is audit-logged."""
    row = await _load(actor, demand_id)
    await audit.record("pii.reveal", actor=actor, center_id=row["center"], object_type="demand", object_id=demand_id,
                       ip=ip, detail={"fields": ["resident_name", "phone"]})
    return {"resident_name": row["resident_name"], "phone": row["phone"]}


def _scope(actor: CurrentUser):
    if actor.role == "admin":
        return Demand.id > 0
    return Demand.center == actor.center_id


MAX_OPEN_LISTED = 2000
LIST_FILTERS = ("grid", "state", "channel", "mine")


async def list_demands(actor: CurrentUser, *, grid: int | None = None, state: str = "", channel: str = "",
                       mine: bool = False, q: str = "", no_grid: bool = False, now: datetime | None = None,
                       limit: int = 300, center_id: int | None = None) -> dict:
    """The /demands list: open orders first by their step's deadline, then the finished ones, newest first."""
    now = now or utcnow()
    where = _scope(actor)
    if center_id is not None:
        where = where & (Demand.center == center_id)
    if grid:
        where = where & (Demand.grid == grid)
    elif no_grid:
        where = where & Demand.grid.is_null()
    q = (q or "").strip()
    if q:  # the order's number (with or without its D), the 12345 number, a phone's last digits, a name's start
        digits = q.isdigit()
        code = q.upper() if not (digits and len(q) == 10) else f"D{q}"
        where = where & ((Demand.code == code) | (Demand.source_no == q)
                         | (Demand.phone.like(f"%{q}") if digits and len(q) >= 4
                            else Demand.resident_name.like(f"{q}%")))
    open_values = [s.value for s in OPEN_STATES | {State.resolved}]
    if state in {s.value for s in State}:
        where = where & (Demand.state == State(state).value)
    elif state == "open":
        where = where & Demand.state.is_in(open_values)
    if channel in {c.value for c in Channel}:
        where = where & (Demand.channel == channel)
    if mine:
        where = where & (Demand.assignee == actor.id)
    columns = (
        Demand.id, Demand.code, Demand.center, Demand.channel, Demand.kind, Demand.state, Demand.received_at,
        Demand.sign_due, Demand.contact_due, Demand.due_on, Demand.callback_due, Demand.address,
        Demand.extension_days, Demand.urge_count, Demand.assignee, Demand.source_no,
        Demand.grid.name.as_alias("grid_name"), Demand.assignee.display_name.as_alias("assignee_name"),
        Demand.center.name.as_alias("center_name"),
    )
    # Every open order (an old overdue one must not fall off the list), then the latest finished ones.
    rows = await Demand.select(*columns).where(where & Demand.state.is_in(open_values)).order_by(
        Demand.id, ascending=False).limit(MAX_OPEN_LISTED)
    rows += await Demand.select(*columns).where(where & Demand.state.not_in(open_values)).order_by(
        Demand.id, ascending=False).limit(limit)
    calendar = await get_calendar()
    labels = await kind_labels()
    local = to_local(now)
    for r in rows:
        _decorate(r, local, calendar, labels)
    open_states = {s.value for s in OPEN_STATES | {State.resolved}}

    def order(r):
        due = r["step_due"]
        key = due if isinstance(due, datetime) else datetime.combine(due, time(23, 59), LOCAL_TZ) if due else None
        return (r["state"] not in open_states, key or datetime.max.replace(tzinfo=LOCAL_TZ))
    rows.sort(key=order)
    grids = await Grid.select(Grid.id, Grid.code, Grid.name).where(
        Grid.id > 0 if actor.role == "admin" else Grid.center == actor.center_id).order_by(Grid.code)
    return {"rows": rows, "grids": grids, "states": STATE_LABELS, "channels": CHANNEL_LABELS,
            "open_count": sum(1 for r in rows if r["state"] in open_states),
            "overdue_count": sum(1 for r in rows if r["mark"] == Mark.overdue.value)}


async def reminders(actor: CurrentUser, now: datetime | None = None) -> list[dict]:
    """Orders due soon or overdue: a manager's for the whole center, a worker's those assigned to them."""
    if actor.role not in ("manager", "worker") or actor.center_id is None:
        return []
    where = (Demand.center == actor.center_id) & Demand.state.is_in(
        [s.value for s in OPEN_STATES | {State.resolved}])
    if actor.role == "worker":
        where = where & (Demand.assignee == actor.id)
    rows = await Demand.select(
        Demand.id, Demand.code, Demand.channel, Demand.kind, Demand.state, Demand.sign_due, Demand.contact_due,
        Demand.due_on, Demand.callback_due, Demand.assignee, Demand.extension_days,
    ).where(where)
    calendar = await get_calendar()
    labels = await kind_labels()
    local = to_local(now or utcnow())
    out = []
    for r in rows:
        _decorate(r, local, calendar, labels)
        if r["mark"] or (actor.role == "manager" and r["extension_days"] is not None):
            waiting = r["waiting"]
            if actor.role == "manager" and r["extension_days"] is not None:
                waiting = "延期申请待批准"
            out.append({**r, "waiting": waiting})
    out.sort(key=lambda r: (r["mark"] != Mark.overdue.value, str(r["step_due"])))
    return out


# ---- figures -------------------------------------------------------------------------------------------------------

def month_bounds(month: str) -> tuple[datetime, datetime]:
    year, mon = (int(p) for p in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return start, end


async def facts(center_id: int | None, start: datetime, end: datetime, now: datetime | None = None
                ) -> list[DemandFact]:
    now = now or utcnow()
    where = (Demand.received_at >= start) & (Demand.received_at < end)
    if center_id is not None:
        where = where & (Demand.center == center_id)
    rows = await Demand.select(
        Demand.received_at, Demand.kind, Demand.channel, Demand.state, Demand.sign_due, Demand.contact_due,
        Demand.due_on, Demand.callback_due, Demand.signed_on_time, Demand.resolved_at, Demand.resolved_on_time,
        Demand.callback_at, Demand.solved, Demand.satisfaction,
        Demand.grid.name.as_alias("grid_name"), Demand.assignee.display_name.as_alias("worker_name"),
        Demand.compound.name.as_alias("compound_name"),
    ).where(where)
    labels = await kind_labels()
    calendar = await get_calendar()
    local = to_local(now)
    out = []
    for r in rows:
        signed = r["signed_on_time"]
        if signed is None and local > to_local(r["sign_due"]):
            signed = False  # past its deadline unsigned: not responded
        due = _step_deadline(r)
        overdue = State(r["state"]) in OPEN_STATES | {State.resolved} and deadline_mark(
            due, local, calendar) == Mark.overdue
        out.append(DemandFact(
            month=to_local(r["received_at"]).strftime("%Y-%m"), grid=r["grid_name"] or "",
            worker=r["worker_name"] or "", kind=labels.get(r["kind"], r["kind"]),
            channel=CHANNEL_LABELS[Channel(r["channel"])], compound=r["compound_name"] or "",
            signed_on_time=signed, resolved=r["resolved_at"] is not None,
            resolved_on_time=bool(r["resolved_on_time"]), callback=r["callback_at"] is not None,
            solved=r["solved"], satisfied=(r["satisfaction"] in SATISFIED) if r["callback_at"] else None,
            overdue=overdue))
    return out


def _months_back(month: str, count: int) -> list[str]:
    year, mon = (int(p) for p in month.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return list(reversed(out))


def check_month(month: str | None, today: date) -> str:
    if month and len(month) == 7 and month[4] == "-" and month[:4].isdigit() and month[5:].isdigit() \
            and 1 <= int(month[5:]) <= 12 and 2000 <= int(month[:4]) <= 2100:
        return month
    return today.strftime("%Y-%m")


async def figures_view(actor: CurrentUser, month: str | None = None, now: datetime | None = None,
                       center_id: int | None = None) -> dict:
    """响应率 / 解决率 / 满意率 of a month per grid, worker, kind and channel; six months for the chart; the heat
    table of kinds by compound; the open orders past their deadline."""
    from center.domain.demands import GROUPINGS, heat, heat_level, rates, rates_by
    now = now or utcnow()
    month = check_month(month, to_local(now).date())
    # The admin reads the district or one center; everyone else their own center.
    center = center_id if actor.role == "admin" else actor.center_id
    months = _months_back(month, 6)
    start, _ = month_bounds(months[0])
    _, end = month_bounds(month)
    all_facts = await facts(center, start, end, now)
    this = [f for f in all_facts if f.month == month]
    table = heat(this)
    for row in table["rows"]:
        row["levels"] = [heat_level(n, table["peak"]) for n in row["cells"]]
    trend = [{"month": m, **rates([f for f in all_facts if f.month == m])} for m in months]
    listing = await list_demands(actor, state="open", now=now, center_id=center if actor.role == "admin" else None)
    overdue = [r for r in listing["rows"] if r["mark"] == Mark.overdue.value]
    return {"month": month, "months": months, "total": rates(this), "center_id": center,
            "groups": [{"key": key, "label": label, "rows": rates_by(this, key)} for key, label in GROUPINGS.items()],
            "trend": trend, "heat": table, "overdue": overdue}


async def kinds_view() -> dict:
    rows = await DemandKind.select().order_by(DemandKind.sort_order)
    return {"kinds": rows}


async def update_kind(actor: CurrentUser, code: str, *, sign_hours: int | None, contact_hours: int | None,
                      resolve_days: int | None) -> None:
    """The district's deadlines of one kind (the admin's): orders taken from now on use them; an order keeps the
    deadlines it was given when it was received."""
    if actor.role != "admin":
        raise AccessDenied("诉求时限由区级管理员设置")
    row = await DemandKind.select().where(DemandKind.code == code).first()
    if row is None:
        raise NotFound("没有这种诉求类型")
    if None in (sign_hours, contact_hours, resolve_days):
        raise DemandError("请填写整数：签收、联系（工作小时）和办结（工作日）时限")
    KindRule(code, row["label"], resolve_days, sign_hours, contact_hours)  # checks the ranges, in Chinese
    async with db.point_write():
        await DemandKind.update({DemandKind.sign_hours: sign_hours, DemandKind.contact_hours: contact_hours,
                                 DemandKind.resolve_days: resolve_days}).where(DemandKind.code == code)
        await audit.record("demand.kind", actor=actor, object_type="demand_kind", object_id=code,
                           detail={"sign_hours": sign_hours, "contact_hours": contact_hours,
                                   "resolve_days": resolve_days})


DEMAND_CODE_RE = re.compile(r"D\d{10}")


async def lookup(actor: CurrentUser, query: str, limit: int = 10) -> list[dict]:
    """The counter's search box finds demands too: by our number (D…), a phone's last 4 digits or the whole number,
    or the resident's full name; the actor's center only, newest first, names and phones masked."""
    from center.domain.cases import LookupKind, case_lookup
    if actor.center_id is None:
        return []
    q = re.sub(r"[\s-]+", "", query or "").upper()
    where = Demand.center == actor.center_id
    if DEMAND_CODE_RE.fullmatch(q):
        where = where & (Demand.code == q)
    else:
        found = case_lookup(query)
        if found is None or found.kind == LookupKind.code:
            return []
        if found.kind == LookupKind.phone_tail:
            where = where & Demand.phone.like(f"%{found.value}")
        elif found.kind == LookupKind.phone:
            where = where & (Demand.phone == found.value)
        else:
            where = where & (Demand.resident_name == found.value)
    rows = await Demand.select(
        Demand.id, Demand.code, Demand.kind, Demand.state, Demand.received_at, Demand.resident_name, Demand.phone,
        Demand.channel, Demand.sign_due, Demand.contact_due, Demand.due_on, Demand.callback_due,
    ).where(where).order_by(Demand.id, ascending=False).limit(limit)
    calendar = await get_calendar()
    labels = await kind_labels()
    local = to_local(utcnow())
    return [_decorate(r, local, calendar, labels) for r in rows]
