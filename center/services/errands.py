"""帮办代办: the household register, their agents, home visits, 代办 orders opening catalog cases, the proactive
list of seniors turning 60/70/80. Rules in center.domain.errands; orders are demands (center.services.demands)."""

from __future__ import annotations

import json
from datetime import date, datetime

from center import db
from center.domain import AccessDenied, DomainError, NotFound
from center.domain.errands import (
    ITEM_WORDS,
    TAGS,
    ErrandError,
    Person,
    check_home_visit,
    check_household,
    milestone_list,
    proactive_key,
)
from center.domain.demands import HANDLING_STATES, State, route
from center.domain.privacy import id_number_birth_date, mask_id_number, mask_name, mask_phone
from center.services import audit, cases
from center.services import demands as demand_service
from center.services.cases import ReceiveForm
from center.services.identity import CurrentUser
from center.tables import Demand, DemandCase, DemandEvent, HomeVisit, Household, Item, Senior, Staff, Visit
from center.timeutil import local_today, to_local, utcnow


def _own_center(actor: CurrentUser) -> int:
    if actor.center_id is None:
        raise AccessDenied("区级账号不属于任何中心：帮办代办由中心工作人员登记")
    return actor.center_id


async def _agents(center_id: int) -> list[dict]:
    return await Staff.select(Staff.id, Staff.display_name).where(
        (Staff.center == center_id) & (Staff.active == True) & Staff.role.is_in(["worker", "manager"])  # noqa: E712
    ).order_by(Staff.display_name)


async def _agent_ok(center_id: int, agent_id: int | None) -> int | None:
    if agent_id is None:
        return None
    if not await Staff.exists().where((Staff.id == agent_id) & (Staff.center == center_id)
                                      & (Staff.active == True)):  # noqa: E712
        raise ErrandError("所选代办员不是本中心的工作人员", field="agent")
    return agent_id


async def agents_of(actor: CurrentUser) -> list[dict]:
    """Who a household's agent may be: the center's workers and manager (none for the district admin)."""
    return await _agents(actor.center_id) if actor.center_id else []


def _masked(row: dict) -> dict:
    row["name_masked"] = mask_name(row["name"])
    row["id_masked"] = mask_id_number(row["id_number"])
    row["phone_masked"] = mask_phone(row["phone"])
    row["tag_list"] = json.loads(row["tags"] or "[]")
    return row


async def list_households(actor: CurrentUser, tag: str = "") -> dict:
    where = Household.active == True  # noqa: E712
    if actor.role != "admin":
        where = where & (Household.center == actor.center_id)
    rows = await Household.select(
        Household.id, Household.name, Household.id_number, Household.phone, Household.address, Household.tags,
        Household.agent.display_name.as_alias("agent_name"), Household.center.name.as_alias("center_name"),
    ).where(where).order_by(Household.id)
    rows = [_masked(r) for r in rows]
    if tag in TAGS:
        rows = [r for r in rows if tag in r["tag_list"]]
    return {"households": rows, "tags": TAGS, "tag": tag if tag in TAGS else ""}


async def create_household(actor: CurrentUser, *, name: str, id_number: str, phone: str, address: str,
                           tags: list[str], note: str, agent_id: int | None, now: datetime | None = None) -> int:
    now = now or utcnow()
    center = _own_center(actor)
    data = check_household(name=name, id_number=id_number, phone=phone, address=address, tags=tags, note=note,
                           today=to_local(now).date())
    agent = await _agent_ok(center, agent_id)
    if data.id_number and await Household.exists().where(
            (Household.center == center) & (Household.id_number == data.id_number)
            & (Household.active == True)):  # noqa: E712
        raise ErrandError("这个身份证号已经登记为帮扶对象，请在列表中找到并打开那一户，不要重复登记",
                          field="id_number")
    routed = route(data.address, await demand_service.places(center))
    async with db.point_write():
        row = Household(center=center, name=data.name, id_number=data.id_number, phone=data.phone,
                        address=data.address, building=routed.building_id, tags=data.tags_json, agent=agent,
                        note=data.note, active=True, created_at=now, updated_at=now)
        await row.save()
        await audit.record("household.create", actor=actor, object_type="household", object_id=row.id,
                           detail={"tags": list(data.tags), "agent": agent})
    return row.id


async def _household(actor: CurrentUser, household_id: int) -> dict:
    row = await Household.select().where(Household.id == household_id).first()
    if row is None:
        raise NotFound("没有这户帮扶对象")
    if not actor.may_see_center(row["center"]):
        raise AccessDenied("只能查看本中心的帮扶对象")
    return row


async def household_view(actor: CurrentUser, household_id: int) -> dict:
    row = _masked(await _household(actor, household_id))
    agent = await Staff.select(Staff.display_name).where(Staff.id == row["agent"]).first() if row["agent"] else None
    row["agent_name"] = agent["display_name"] if agent else ""
    orders = await Demand.select(Demand.id, Demand.code, Demand.state, Demand.received_at, Demand.content).where(
        Demand.household == household_id).order_by(Demand.id, ascending=False)
    from center.domain.demands import STATE_LABELS
    for o in orders:
        o["state_label"] = STATE_LABELS[State(o["state"])]
    visits = await HomeVisit.select(HomeVisit.day, HomeVisit.who, HomeVisit.what, HomeVisit.at,
                                    HomeVisit.recorded_by.display_name.as_alias("recorded_by_name")).where(
        HomeVisit.household == household_id).order_by(HomeVisit.day, ascending=False)
    return {"household": row, "orders": orders, "home_visits": visits, "tags": TAGS,
            "agents": await _agents(row["center"]) if actor.role == "manager" else []}


async def reveal_household(actor: CurrentUser, household_id: int, ip: str = "") -> dict:
    row = await _household(actor, household_id)
    await audit.record("pii.reveal", actor=actor, center_id=row["center"], object_type="household",
                       object_id=household_id, ip=ip, detail={"fields": ["name", "id_number", "phone"]})
    return {"name": row["name"], "id_number": row["id_number"], "phone": row["phone"]}


async def set_agent(actor: CurrentUser, household_id: int, agent_id: int | None, now: datetime | None = None) -> None:
    row = await _household(actor, household_id)
    if actor.role != "manager" or actor.center_id != row["center"]:
        raise AccessDenied("代办员由本中心负责人指定")
    if agent_id is None:
        raise ErrandError("请选择代办员", field="agent")
    agent = await _agent_ok(row["center"], agent_id)
    async with db.point_write():
        await Household.update({Household.agent: agent, Household.updated_at: now or utcnow()}).where(
            Household.id == household_id)
        await audit.record("household.agent", actor=actor, center_id=row["center"], object_type="household",
                           object_id=household_id, detail={"agent": agent})


async def add_home_visit(actor: CurrentUser, household_id: int, *, day: date | None, who: str, what: str,
                         now: datetime | None = None) -> None:
    now = now or utcnow()
    row = await _household(actor, household_id)
    if actor.center_id != row["center"]:
        raise AccessDenied("上门服务由本中心工作人员记录")
    day, who, what = check_home_visit(day=day, who=who, what=what, today=to_local(now).date())
    async with db.point_write():
        visit = HomeVisit(household=household_id, day=day, who=who, what=what, recorded_by=actor.id, at=now)
        await visit.save()
        await audit.record("household.home_visit", actor=actor, center_id=row["center"], object_type="household",
                           object_id=household_id, detail={"day": day.isoformat()})


async def errand_for_household(actor: CurrentUser, household_id: int, content: str,
                               now: datetime | None = None) -> dict:
    """A 代办 order for a household: a demand of kind 代办 at the household's address, to its agent."""
    row = await _household(actor, household_id)
    if actor.center_id != row["center"]:
        raise AccessDenied("代办单由本中心工作人员登记")
    return await demand_service.create(actor, channel="assist", kind="errand",
                                       content=content, address=row["address"], resident_name=row["name"],
                                       phone=row["phone"], household_id=household_id, assignee_id=row["agent"],
                                       content_label="代办什么", now=now)


# ---- 代办 cases ------------------------------------------------------------------------------------------------------

async def errand_cases(demand_id: int) -> list[dict]:
    rows = await DemandCase.select(
        DemandCase.case, DemandCase.attorney, DemandCase.at, DemandCase.case.code.as_alias("code"),
        DemandCase.case.status.as_alias("status"), DemandCase.case.item.name.as_alias("item_name"),
    ).where(DemandCase.demand == demand_id).order_by(DemandCase.id)
    from center.domain.cases import STATUS_LABELS, CaseStatus
    for r in rows:
        r["status_label"] = STATUS_LABELS[CaseStatus(r["status"])]
    return rows


async def open_case(actor: CurrentUser, demand_id: int, item_id: int | None, attorney: bool | None,
                    now: datetime | None = None) -> dict:
    """Accept a catalog case on the resident's behalf from a 代办 order: the agent owns it (首问负责), the materials
    not yet in hand are on its 一次性告知 slip, and the order records the case and the 委托书."""
    now = now or utcnow()
    demand = await Demand.select().where(Demand.id == demand_id).first()
    if demand is None:
        raise NotFound("没有这条诉求")
    if actor.center_id != demand["center"]:
        raise AccessDenied("只能为本中心的代办单受理事项")
    if demand["kind"] != "errand":
        raise ErrandError("只有“代办”类诉求可以代为受理事项")
    if State(demand["state"]) not in HANDLING_STATES:
        raise ErrandError("请先签收这张代办单，再代为受理事项")
    if demand["assignee"] != actor.id and actor.role != "manager":
        raise ErrandError("只有承办的代办员（或本中心负责人）可以代为受理")
    errors = {}
    if not item_id:
        errors["item"] = "请选择要代办的事项"
    if attorney is None:
        errors["attorney"] = "请选择委托书：已收取，或上门时收取"
    if errors:
        raise ErrandError(errors=errors)
    open_statuses = ("accepted", "awaiting", "forwarded")
    twice = await DemandCase.select(DemandCase.case.code.as_alias("code")).where(
        (DemandCase.demand == demand_id) & (DemandCase.case.item == item_id)
        & DemandCase.case.status.is_in(open_statuses)).first()
    if twice:
        raise ErrandError(f"这张代办单已经代为受理了该事项（办件 {twice['code']}），不要重复受理", field="item")
    name, id_number, phone = demand["resident_name"], "", demand["phone"]
    if demand["household"]:
        household = await Household.select().where(Household.id == demand["household"]).first()
        name, id_number, phone = household["name"], household["id_number"], household["phone"] or phone
    if not name:
        raise ErrandError("代办单没有群众姓名，无法代为受理事项")
    try:
        received = await cases.receive(actor, ReceiveForm(
            item_id=item_id, action="accept", resident_name=name, id_number=id_number, phone=phone,
            note=f"代为受理（代办单 {demand['code']}）" + ("，已收委托书" if attorney else "，委托书上门时收取")),
            now=now)
    except DomainError as exc:
        errors = getattr(exc, "errors", None)
        if errors:  # the resident's data on the order is not enough for a case: say what
            raise ErrandError("无法代为受理：" + "；".join(errors.values())) from None
        raise
    item = await Item.select(Item.name).where(Item.id == item_id).first()
    async with db.point_write():
        await DemandCase.insert(DemandCase(demand=demand_id, case=received["case_id"], attorney=bool(attorney), at=now,
                                           actor=actor.id))
        await DemandEvent.insert(DemandEvent(
            demand=demand_id, at=now, actor=actor.id, action="case", from_state=demand["state"],
            to_state=demand["state"],
            note=f"代为受理 {item['name']}（办件 {received['code']}）" + ("，已收委托书" if attorney else "，委托书上门时收取")))
        await audit.record("demand.case", actor=actor, center_id=demand["center"], object_type="demand",
                           object_id=demand_id, detail={"case": received["case_id"], "attorney": attorney})
    return received


SOURCES = {"dining": "助餐登记", "household": "帮办代办登记", "visit": "来访登记"}

# ---- the proactive list -----------------------------------------------------------------------------------------

async def _items_by_word() -> dict[str, dict]:
    items = await Item.select(Item.id, Item.name).where(Item.active == True).order_by(Item.id)  # noqa: E712
    found = {}
    for key, word in ITEM_WORDS.items():
        match = next((i for i in items if word in i["name"]), None)
        if match:
            found[key] = match
    return found


async def proactive_view(actor: CurrentUser, month: str | None = None) -> dict:
    center = _own_center(actor)
    month = demand_service.check_month(month, local_today())
    first = date(int(month[:4]), int(month[5:]), 1)
    seniors = await Senior.select(Senior.id_number, Senior.name, Senior.birth_date, Senior.phone).where(
        (Senior.center == center) & (Senior.active == True))  # noqa: E712
    visits = await Visit.select(Visit.id_number, Visit.resident_name, Visit.phone).where(
        (Visit.center == center) & (Visit.id_number != ""))
    people = [Person(s["id_number"], s["name"], s["birth_date"], s["phone"], "dining") for s in seniors]
    for v in visits:
        born = id_number_birth_date(v["id_number"]) if len(v["id_number"]) == 18 else None
        if born:
            people.append(Person(v["id_number"], v["resident_name"], born, v["phone"], "visit"))
    households = {h["id_number"]: h for h in await Household.select(
        Household.id, Household.id_number, Household.name, Household.phone, Household.agent,
        Household.agent.display_name.as_alias("agent_name"),
    ).where((Household.center == center) & (Household.id_number != "") & (Household.active == True))}  # noqa: E712
    for h in households.values():
        born = id_number_birth_date(h["id_number"])
        if born:
            people.append(Person(h["id_number"], h["name"], born, h["phone"], "household"))
    registered = {s["id_number"] for s in seniors}
    rows = milestone_list(people, first, registered)
    items = await _items_by_word()
    keys = [proactive_key(r["person"].id_number, r["age"], center) for r in rows]
    made = {d["source_no"]: d for d in await Demand.select(Demand.id, Demand.code, Demand.source_no).where(
        Demand.source_no.is_in(keys))} if keys else {}
    out = []
    for r, key in zip(rows, keys):
        p = r["person"]
        household = households.get(p.id_number)
        out.append({"key": key, "id_number": p.id_number, "name_masked": mask_name(p.name), "id_masked": mask_id_number(p.id_number),
                    "age": r["age"], "birthday": p.birth.replace(year=first.year),
                    "source": SOURCES[p.source],
                    "proposed": [items[k]["name"] for k in r["items"] if k in items],
                    "agent_name": household["agent_name"] if household else "",
                    "created": made.get(key)})
    return {"month": month, "rows": out, "agents": await _agents(center)}


async def confirm_proactive(actor: CurrentUser, keys: list[str], month: str | None = None, *,
                            assignee_id: int | None = None, now: datetime | None = None) -> list[dict]:
    """Create the 代办 orders of the ticked proposals (each once: its key is the order's source number)."""
    if actor.role != "manager":
        raise AccessDenied("主动服务清单由本中心负责人确认派单")
    view = await proactive_view(actor, month)
    chosen = [r for r in view["rows"] if r["key"] in set(keys) and not r["created"]]
    if not keys:
        raise ErrandError("请勾选要生成代办单的老人", field="keys")
    assignee = await _agent_ok(actor.center_id, assignee_id)
    center = actor.center_id
    seniors = {s["id_number"]: s for s in await Senior.select().where(Senior.center == center)}
    households = {h["id_number"]: h for h in await Household.select().where(Household.center == center)}
    made = []
    for row in chosen:
        id_number = row["id_number"]
        person = households.get(id_number) or seniors.get(id_number) or {}
        visit = None
        if not person:
            visit = await Visit.select(Visit.resident_name, Visit.phone).where(
                (Visit.center == center) & (Visit.id_number == id_number)).first()
        name = person.get("name") or (visit or {}).get("resident_name", "")
        phone = person.get("phone") or (visit or {}).get("phone", "")
        household = households.get(id_number)
        agent = (household or {}).get("agent") or assignee
        content = (f"主动服务：本月满 {row['age']} 周岁（{row['birthday']:%m月%d日}），为其代办："
                   + "、".join(row["proposed"]))
        created = await demand_service.create(
            actor, channel="proactive", kind="errand", content=content,
            address=(household or {}).get("address") or seniors.get(id_number, {}).get("community", ""),
            resident_name=name, phone=phone, household_id=household["id"] if household else None,
            assignee_id=agent, source_no=row["key"], now=now)
        made.append(created)
    return made
