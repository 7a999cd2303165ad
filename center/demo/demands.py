"""The demo's 民情诉求: a grid for the two demo centers (three grids each, the demo worker 王磊 on 网格 01 of daxi),
and some forty demands of the last six weeks from every channel, at every stage a manager meets: signed late and
on time, called back satisfied or not, an extension waiting, a whistle to a department, an order sent back.

Demands go through center.services.demands with the services' own `now`, so the rows, events, deadlines and
audit entries are those the live pages would have written. Seeded and relative to the demo's clock; a center that
has demands already is skipped (safe to load twice).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from center.services import demands
from center.services.calendar import get_calendar
from center.services.identity import load_user
from center.tables import Building, Compound, Demand, Grid, Staff
from center.timeutil import LOCAL_TZ, to_local, utcnow

# (code, name, the index of its grid worker among the center's staff, compounds with their buildings)
GRIDS = {
    "daxi": (
        ("01", "纸箱厂第一网格", "worker", (("纸箱厂小区", 6), ("黛溪花园", 4))),
        ("02", "纸箱厂第二网格", "daxi-03", (("滨河小区", 8),)),
        ("03", "纸箱厂第三网格", "daxi-04", (("幸福里小区", 5), ("老邮局宿舍", 2))),
    ),
    "huanghe": (
        ("01", "黄河第一网格", "huanghe-02", (("黄河小区", 8),)),
        ("02", "黄河第二网格", "huanghe-03", (("鹤伴小区", 6),)),
        ("03", "黄河第三网格", "huanghe-04", (("金色家园", 5),)),
    ),
}
STEWARDS = "王建国 李桂兰 张德明 刘秀珍 陈志刚 杨淑芬 赵永庆 黄玉珍 周长海 吴翠兰".split()

CONTENTS = {
    "repair": ("{c}{b}楼道灯坏了，晚上看不见路", "{c}{b}单元门禁打不开", "{c}{b}楼顶漏水，家里墙面发霉"),
    "complaint": ("{c}门口夜市噪音太大，影响休息", "{c}{b}楼下有人占用消防通道停车", "{c}垃圾清运不及时，有异味"),
    "help": ("独居老人想找人帮忙买菜送药", "家里老人行动不便，想申请上门办理", "想了解临时救助怎么申请"),
    "consult": ("高龄津贴什么时候发放", "医保异地备案怎么办", "孩子上学需要居住证明吗"),
    "suggestion": ("建议{c}增加休息座椅", "建议在{c}设置电动车充电桩", "建议社区多办老年人防诈骗讲座"),
    "errand": ("帮老人代办老年证", "帮残疾人代办护理补贴申请",),
}
# (kind, channel, stage, days ago): stage is how far the order got.
PLAN = (
    ("repair", "hotline", "visited", 40), ("complaint", "hotline", "visited", 38), ("consult", "phone", "visited", 35),
    ("help", "counter", "visited", 33), ("repair", "grid", "visited", 30), ("suggestion", "app", "visited", 28),
    ("complaint", "hotline", "visited_bad", 26), ("repair", "hotline", "visited", 24), ("consult", "counter", "visited", 21),
    ("help", "phone", "visited", 19), ("repair", "grid", "visited", 17), ("complaint", "hotline", "visited", 14),
    ("errand", "counter", "visited", 12), ("repair", "hotline", "visited_unsolved", 10), ("consult", "phone", "visited", 8),
    ("complaint", "hotline", "resolved", 6), ("repair", "counter", "resolved", 5), ("help", "grid", "working", 5),
    ("complaint", "hotline", "whistle", 4), ("repair", "hotline", "extension", 4), ("suggestion", "phone", "contacted", 3),
    ("consult", "hotline", "signed_late", 2), ("repair", "counter", "signed", 1), ("complaint", "hotline", "new", 1),
    ("help", "phone", "new", 0), ("repair", "hotline", "unrouted", 0), ("consult", "counter", "returned", 2),
)


async def load_demands(centers: dict[str, int]) -> int:
    made = 0
    for slug, grids in GRIDS.items():
        center_id = centers[slug]
        await _grid(center_id, grids)
        if await Demand.exists().where(Demand.center == center_id):
            continue
        made += await _demands(center_id, slug)
    return made


async def _grid(center_id: int, grids) -> None:
    if await Grid.exists().where(Grid.center == center_id):
        return
    rng = random.Random(center_id)
    for n, (code, name, username, compounds) in enumerate(grids):
        worker = await Staff.select(Staff.id).where(Staff.username == username).first()
        grid = Grid(center=center_id, code=code, name=name, worker=worker["id"] if worker else None, sort_order=n)
        await grid.save()
        for compound_name, count in compounds:
            compound = Compound(center=center_id, grid=grid.id, name=compound_name)
            await compound.save()
            await Building.insert(*[
                Building(center=center_id, compound=compound.id, grid=grid.id, name=f"{b}号楼",
                         steward=rng.choice(STEWARDS), steward_phone=f"139{rng.randrange(10**8):08d}")
                for b in range(1, count + 1)])


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TZ)


async def _demands(center_id: int, slug: str) -> int:
    rng = random.Random(f"demands-{slug}")
    calendar = await get_calendar()
    manager = await load_user((await Staff.select(Staff.id).where(
        (Staff.center == center_id) & (Staff.role == "manager")).first())["id"])
    desk = await load_user((await Staff.select(Staff.id).where(
        (Staff.center == center_id) & (Staff.role == "worker")).order_by(Staff.id).first())["id"])
    places = await demands.places(center_id)
    today = to_local(utcnow()).date()
    made = 0
    for number, (kind, channel, stage, days_ago) in enumerate(PLAN):
        day = today - timedelta(days=days_ago)
        while not calendar.is_workday(day) and days_ago:
            day -= timedelta(days=1)
        received = _at(day, 9 + rng.randrange(0, 3), rng.choice((0, 15, 30, 45)))
        if received > to_local(utcnow()):
            received = to_local(utcnow()) - timedelta(minutes=30)
        place = rng.choice(places)
        building = rng.choice(place.buildings)[1] if place.buildings else ""
        address = f"{place.compound}{building}{rng.randrange(1, 4)}单元{rng.randrange(1, 7)}0{rng.randrange(1, 4)}"
        if stage == "unrouted":
            address = "黛溪三路与醴泉五路路口东北角"
        content = rng.choice(CONTENTS[kind]).format(c=place.compound, b=building)
        name = rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(("秀兰", "建华", "志强", "玉梅", "国庆", "凤英"))
        phone = f"13{rng.randrange(5, 9)}{rng.randrange(10**8):08d}"
        taker = desk if channel in ("counter", "phone", "app") else manager
        source_no = f"1234520{day:%y%m%d}{number:04d}{center_id}" if channel == "hotline" else None
        made_row = await demands.create(taker, channel=channel, kind=kind, content=content, address=address,
                                        resident_name=name, phone=phone, with_visit=channel == "counter",
                                        source_no=source_no, now=received)
        demand_id = made_row["id"]
        made += 1
        row = await Demand.select(Demand.assignee).where(Demand.id == demand_id).first()
        if stage in ("new", "unrouted"):
            continue
        handler = await load_user(row["assignee"]) if row["assignee"] else None
        if handler is None:
            continue
        clock = received
        if stage == "returned":
            await demands.act(handler, demand_id, "send_back", note="该楼栋不在本网格，请重新派单",
                              now=clock + timedelta(minutes=40))
            continue
        late = stage == "signed_late"
        clock += timedelta(hours=5 if late else 1)
        await demands.act(handler, demand_id, "sign", now=clock)
        if stage in ("signed", "signed_late"):
            continue
        clock += timedelta(hours=1)
        await demands.act(handler, demand_id, "contact", note="电话联系群众，了解具体情况，约定处理时间", now=clock)
        if stage == "contacted":
            continue
        clock += timedelta(hours=2)
        await demands.act(handler, demand_id, "start", note="联系物业和相关责任单位现场查看", now=clock)
        if stage == "working":
            continue
        if stage == "whistle":
            await demands.act(handler, demand_id, "whistle", department="街道综合执法办",
                              note="占道经营需执法力量到场", now=clock + timedelta(minutes=30))
            continue
        if stage == "extension":
            await demands.act(handler, demand_id, "extend", days=5, note="需等待厂家配件到货",
                              now=clock + timedelta(minutes=30))
            continue
        clock += timedelta(days=1)
        await demands.act(handler, demand_id, "resolve", note="已处理完毕，群众现场确认", now=clock, )
        if stage == "resolved":
            continue
        caller = manager if manager.id != handler.id else desk
        solved = stage != "visited_unsolved"
        satisfaction = "dissatisfied" if stage in ("visited_bad", "visited_unsolved") else rng.choice(
            ("satisfied", "satisfied", "satisfied", "basic"))
        await demands.act(caller, demand_id, "callback", solved=solved, satisfaction=satisfaction,
                          note="电话回访", now=clock + timedelta(days=1))
    return made


HOUSEHOLDS = (  # name, birth, tags, building, what a home visit did
    ("刘桂兰", "1938-03-12", ["独居", "高龄"], "纸箱厂小区2号楼1单元102", "送药上门，测量血压，帮忙交了电费"),
    ("陈志远", "1950-07-08", ["残疾", "低保"], "黛溪花园3号楼2单元301", "代领轮椅，检查家中无障碍扶手"),
    ("孙玉珍", "1946-12-20", ["空巢"], "纸箱厂小区5号楼1单元401", "陪同到社区卫生室体检"),
)


async def load_errands(centers: dict[str, int]) -> int:
    """Three daxi households with the demo worker as their agent, a home visit each, and one 代办 order that opened
    a 老年证 case with the 委托书 received."""
    from center.domain.privacy import id_check_digit
    from center.services import errands
    from center.tables import HomeVisit, Household, Item

    center_id = centers["daxi"]
    if await Household.exists().where(Household.center == center_id):
        return 0
    worker = await load_user((await Staff.select(Staff.id).where(Staff.username == "worker").first())["id"])
    now = utcnow()
    made = 0
    first_id = None
    for n, (name, birth, tags, address, done) in enumerate(HOUSEHOLDS):
        first17 = f"371626{birth.replace('-', '')}{n + 11:03d}"
        household_id = await errands.create_household(
            worker, name=name, id_number=first17 + id_check_digit(first17), phone=f"1386543{n:04d}",
            address=address, tags=tags, note="", agent_id=worker.id, now=now - timedelta(days=20))
        first_id = first_id or household_id
        day = to_local(now).date() - timedelta(days=7 + n)
        await errands.add_home_visit(worker, household_id, day=day, who=worker.display_name, what=done,
                                     now=now - timedelta(days=7 + n))
        made += 1
    order = await errands.errand_for_household(worker, first_id, "代办老年证换领，老人行动不便",
                                               now=now - timedelta(days=3))
    await demands.act(worker, order["id"], "sign", now=now - timedelta(days=3) + timedelta(minutes=30))
    await demands.act(worker, order["id"], "contact", note="电话联系刘阿姨，约定上门收取材料和委托书",
                      now=now - timedelta(days=3) + timedelta(hours=1))
    item = await Item.select(Item.id).where(Item.code == "MZ01").first()
    if item:
        await errands.open_case(worker, order["id"], item["id"], True, now=now - timedelta(days=2))
    assert await HomeVisit.count() >= made
    return made
