"""帮办代办 on a real database: a household registered with its agent (masked, each reveal audited), home visits
kept append-only, a 代办 order opening a catalog case on the resident's behalf with the 委托书 recorded and the
missing materials on its slip, and the proactive list creating orders only for the ticked seniors, once."""

from datetime import date, datetime, time, timedelta

import pytest

from center.domain import AccessDenied
from center.domain.errands import ErrandError
from center.domain.privacy import id_check_digit
from center.services import demands, errands
from center.tables import AuditLog, Case, Demand, DemandCase, DemandEvent, HomeVisit, Household
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, item_id, load_demo_catalog, make_center, make_senior, make_staff

MON = date(2026, 12, 7)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def id_for(birth: str, seq: int) -> str:
    first17 = f"371626{birth.replace('-', '')}{seq:03d}"
    return first17 + id_check_digit(first17)


@pytest.fixture
async def office(db):
    await load_demo_catalog()
    center = await make_center()
    agent = await make_staff(db, role="worker", center=center, display_name="代办员")
    manager = await make_staff(db, role="manager", center=center, display_name="负责人")
    stranger = await make_staff(db, role="manager", center=await make_center(), display_name="别处")
    return {"center": center, "agent": await as_user(agent), "manager": await as_user(manager),
            "stranger": await as_user(stranger)}


async def register(office, name="刘桂兰", birth="1938-03-12", seq=11, tags=("独居", "高龄")):
    return await errands.create_household(
        office["manager"], name=name, id_number=id_for(birth, seq), phone="13865430000",
        address="和平里小区2号楼102", tags=list(tags), note="", agent_id=office["agent"].id, now=at(MON, 9))


async def test_a_household_is_registered_with_its_agent_shown_masked_and_each_reveal_audited(office):
    household_id = await register(office)
    view = await errands.household_view(office["agent"], household_id)
    h = view["household"]
    assert (h["name_masked"], h["phone_masked"], h["agent_name"]) == ("刘**", "138****0000", "代办员")
    assert h["id_masked"].startswith("371") and "19380312" not in h["id_masked"]
    listed = await errands.list_households(office["agent"], tag="独居")
    assert [r["id"] for r in listed["households"]] == [household_id]
    assert (await errands.list_households(office["agent"], tag="残疾"))["households"] == []
    before = await AuditLog.count().where(AuditLog.action == "pii.reveal")
    shown = await errands.reveal_household(office["agent"], household_id)
    assert shown["id_number"] == id_for("1938-03-12", 11)
    assert await AuditLog.count().where(AuditLog.action == "pii.reveal") == before + 1
    with pytest.raises(AccessDenied):
        await errands.household_view(office["stranger"], household_id)
    with pytest.raises(AccessDenied, match="代办员由本中心负责人指定"):
        await errands.set_agent(office["agent"], household_id, office["agent"].id)


async def test_home_visits_are_logged_and_never_edited(office):
    household_id = await register(office)
    await errands.add_home_visit(office["agent"], household_id, day=MON, who="代办员、楼栋长王建国",
                                 what="送药上门，测量血压", now=at(MON, 16))
    visits = (await errands.household_view(office["agent"], household_id))["home_visits"]
    assert [(v["day"], v["who"], v["what"]) for v in visits] == [(MON, "代办员、楼栋长王建国", "送药上门，测量血压")]
    with pytest.raises(ErrandError, match="不能晚于今天"):
        await errands.add_home_visit(office["agent"], household_id, day=MON + timedelta(days=1), who="x",
                                     what="x", now=at(MON, 16))
    with pytest.raises(Exception):
        await HomeVisit.update({HomeVisit.what: "改"}).where(HomeVisit.household == household_id)


async def test_an_errand_order_opens_a_case_for_the_resident_with_the_power_of_attorney(office):
    household_id = await register(office)
    order = await errands.errand_for_household(office["agent"], household_id, "代办老年证", now=at(MON, 9))
    d = await Demand.select().where(Demand.id == order["id"]).first()
    assert (d["kind"], d["household"], d["assignee"]) == ("errand", household_id, office["agent"].id)
    senior_card = await item_id("MZ01")
    with pytest.raises(ErrandError, match="请先签收"):
        await errands.open_case(office["agent"], order["id"], senior_card, True, now=at(MON, 9))
    await demands.act(office["agent"], order["id"], "sign", now=at(MON, 9))
    made = await errands.open_case(office["agent"], order["id"], senior_card, True, now=at(MON, 10))
    case = await Case.select().where(Case.id == made["case_id"]).first()
    assert case["owner"] == office["agent"].id  # 首问负责: the agent owns it
    assert case["status"] == "awaiting" and made["missing_names"]  # 待补正: nothing brought yet, all on the slip
    link = await DemandCase.select().where(DemandCase.demand == order["id"]).first()
    assert link["case"] == made["case_id"] and link["attorney"] is True
    view = await demands.demand_view(office["agent"], order["id"], now=at(MON, 10))
    assert [c["code"] for c in view["errand"]["cases"]] == [made["code"]]
    assert view["events"][-1]["action_label"] == "代办受理" and "已收委托书" in view["events"][-1]["note"]
    with pytest.raises(ErrandError, match="请选择要代办的事项"):
        await errands.open_case(office["agent"], order["id"], None, False, now=at(MON, 10))


async def test_the_proactive_list_creates_orders_only_for_the_ticked_seniors_and_once(office):
    turning_80 = await register(office, name="孙玉珍", birth="1946-12-20", seq=21, tags=("空巢",))
    await make_senior(office["center"], name="钱六十", id_number=id_for("1966-12-03", 22),
                      birth_date=date(1966, 12, 3))
    view = await errands.proactive_view(office["manager"], "2026-12")
    rows = {r["name_masked"]: r for r in view["rows"]}
    assert rows["孙**"]["age"] == 80 and rows["孙**"]["proposed"] == ["高龄津贴申请", "老年人助餐服务登记"]
    assert rows["钱**"]["age"] == 60 and rows["钱**"]["proposed"] == ["老年人优待证办理（老年证）"]
    before = await Demand.count().where(Demand.center == office["center"]["id"])
    assert before == 0  # listing creates nothing
    with pytest.raises(ErrandError, match="请勾选"):
        await errands.confirm_proactive(office["manager"], [], "2026-12")
    with pytest.raises(AccessDenied):
        await errands.confirm_proactive(office["agent"], [rows["孙**"]["key"]], "2026-12")
    made = await errands.confirm_proactive(office["manager"], [rows["孙**"]["key"]], "2026-12", now=at(MON, 9))
    assert len(made) == 1
    order = await Demand.select().where(Demand.id == made[0]["id"]).first()
    assert (order["kind"], order["household"], order["assignee"]) == ("errand", turning_80, office["agent"].id)
    assert "满 80 周岁" in order["content"] and "高龄津贴申请" in order["content"]
    again = await errands.confirm_proactive(office["manager"], [rows["孙**"]["key"]], "2026-12", now=at(MON, 9))
    assert again == [] and await Demand.count().where(Demand.center == office["center"]["id"]) == 1
    shown = {r["name_masked"]: r for r in (await errands.proactive_view(office["manager"], "2026-12"))["rows"]}
    assert shown["孙**"]["created"]["id"] == order["id"] and shown["钱**"]["created"] is None


async def test_one_household_per_id_number_and_a_case_is_not_opened_twice_nor_without_a_word_on_the_attorney(
        office):
    household_id = await register(office)
    with pytest.raises(ErrandError, match="已经登记为帮扶对象"):
        await register(office)
    order = await errands.errand_for_household(office["agent"], household_id, "代办老年证", now=at(MON, 9))
    await demands.act(office["agent"], order["id"], "sign", now=at(MON, 9))
    senior_card = await item_id("MZ01")
    with pytest.raises(ErrandError) as exc:
        await errands.open_case(office["agent"], order["id"], None, None, now=at(MON, 10))
    assert list(exc.value.errors) == ["item", "attorney"]
    await errands.open_case(office["agent"], order["id"], senior_card, False, now=at(MON, 10))
    with pytest.raises(ErrandError, match="不要重复受理"):
        await errands.open_case(office["agent"], order["id"], senior_card, True, now=at(MON, 11))
    events = [e["note"] for e in await DemandEvent.select().where(DemandEvent.demand == order["id"])]
    assert any("委托书上门时收取" in n for n in events)
    d = await Demand.select(Demand.channel).where(Demand.id == order["id"]).first()
    assert d["channel"] == "assist"


async def test_the_proactive_orders_carry_no_id_number(office):
    await register(office, name="孙玉珍", birth="1946-12-20", seq=21, tags=("空巢",))
    view = await errands.proactive_view(office["manager"], "2026-12")
    made = await errands.confirm_proactive(office["manager"], [view["rows"][0]["key"]], "2026-12", now=at(MON, 9))
    order = await Demand.select().where(Demand.id == made[0]["id"]).first()
    assert order["channel"] == "proactive"
    assert id_for("1946-12-20", 21) not in str(order)
