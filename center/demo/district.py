"""The demo district (CENTER_DEMO=1 only): centers, staff and the four demo logins; safe to load twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from datetime import date, datetime, time, timedelta, timezone

from center import db
from center.config import DEMO_PASSWORD, Settings
from center.domain import DomainError
from center.domain.access import Role
from center.domain.chain import link
from center.services import audit, chain
from center.services.catalog import load_catalog
from center.services.passwords import hash_password
from center.demo.catalog import CATEGORIES, KEYWORDS
from center.demo.hall import load_hall
from center.demo.demands import load_demands, load_errands
from center.demo.ratings import load_ratings
from center.tables import Case, CaseEvent, Center, Item, ItemVersion, Senior, SeniorCategory, Staff, Visit
from center.timeutil import LOCAL_TZ, local_now, local_today, utcnow

DEMO_CENTERS = (
    # slug, name, kind, address, phone
    ("daxi", "黛溪街道纸箱厂社区党群服务中心", "center", "邹平市黛溪街道黛溪三路 188 号", "0543-4321001"),
    ("huanghe", "黛溪街道黄河社区党群服务中心", "center", "邹平市黛溪街道黄河二路 66 号", "0543-4321002"),
    ("fenghuang", "凤凰小区党群服务站", "station", "邹平市黛溪街道凤凰小区 3 号楼底商", "0543-4321003"),
)

# Twelve staff per center; the first is the manager. The daxi names include the demo logins.
DEMO_STAFF = {
    "daxi": ["李秀英", "王磊", "张静", "刘洋", "陈芳", "杨帆", "赵丽", "黄强", "周敏", "吴婷", "徐建国", "孙倩"],
    "huanghe": ["马红梅", "胡军", "朱琳", "郭亮", "何雪", "高峰", "林娜", "罗斌", "郑燕", "梁超", "谢慧", "宋涛"],
    "fenghuang": ["韩冬梅", "唐伟", "冯玉兰", "于浩", "董静", "萧然", "程勇", "曹颖", "袁野", "邓丽君", "许诺", "傅强"],
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    center: str | None
    display_name: str


DEMO_LOGINS = (
    DemoLogin("admin", Role.admin, None, "区级管理员"),
    DemoLogin("manager", Role.manager, "daxi", "李秀英"),
    DemoLogin("worker", Role.worker, "daxi", "王磊"),
    DemoLogin("canteen", Role.canteen, "daxi", "纸箱厂社区老年食堂"),
)


class DemoModeRequired(DomainError):
    pass


async def load_demo(settings: Settings) -> dict[str, int]:
    """Create whatever of the demo district is missing; returns counts of what was created."""
    if not settings.demo:
        raise DemoModeRequired("演示数据只能在演示模式（CENTER_DEMO=1）下加载")
    created = {"centers": 0, "staff": 0, "items": 0, "cases": 0, "assignments": 0, "ratings": 0, "demands": 0}
    centers: dict[str, int] = {}
    for order, (slug, name, kind, address, phone) in enumerate(DEMO_CENTERS):
        row = await Center.select(Center.id).where(Center.slug == slug).first()
        if row is None:
            row = (
                await Center.insert(
                    Center(slug=slug, name=name, kind=kind, address=address, phone=phone, sort_order=order)
                ).returning(Center.id)
            )[0]
            created["centers"] += 1
        centers[slug] = row["id"]

    existing = {r["username"] for r in await Staff.select(Staff.username)}
    demo_hash = None
    new_rows: list[Staff] = []
    logins = {(login.center, login.display_name): login for login in DEMO_LOGINS}
    people: list[tuple[str, Role, str | None, str]] = [("admin", Role.admin, None, "区级管理员")]
    for slug, names in DEMO_STAFF.items():
        for i, name in enumerate(names):
            login = logins.get((slug, name))
            username = login.username if login else f"{slug}-{i + 1:02d}"
            people.append((username, Role.manager if i == 0 else Role.worker, slug, name))
    people.append(("canteen", Role.canteen, "daxi", "纸箱厂社区老年食堂"))
    demo_usernames = {login.username for login in DEMO_LOGINS}
    for username, role, slug, name in people:
        if username in existing:
            continue
        if username in demo_usernames and demo_hash is None:
            demo_hash = hash_password(DEMO_PASSWORD)
        new_rows.append(
            Staff(
                username=username,
                display_name=name,
                role=role.value,
                center=centers[slug] if slug else None,
                password_hash=demo_hash if username in demo_usernames else None,
                active=True,
                created_at=utcnow(),
            )
        )
    if new_rows:
        await Staff.insert(*new_rows)
        created["staff"] = len(new_rows)
    await _assign_windows(centers)
    created["items"] = await load_catalog(CATEGORIES, keywords=KEYWORDS)
    created["cases"] = await _demo_cases(centers, settings)
    created["assignments"] = await _demo_rosters(centers)
    created.update(await _demo_dining(centers))
    created["tickets"] = await load_hall(centers)
    created["ratings"] = await load_ratings(centers, settings)
    created["demands"] = await load_demands(centers)
    created["households"] = await load_errands(centers)
    if any(created.values()):
        await audit.record("demo.load", detail=created)
    return created


async def _assign_windows(centers: dict[str, int]) -> None:
    """Front-desk workers sit at numbered windows (the slip names the window)."""
    for center_id in centers.values():
        workers = await Staff.select(Staff.id, Staff.window).where(
            (Staff.center == center_id) & Staff.role.is_in(["worker", "manager"])).order_by(Staff.id)
        for number, person in enumerate(workers[:6], start=1):
            if not person["window"]:
                await Staff.update({Staff.window: f"{number}号窗口"}).where(Staff.id == person["id"])


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = ["秀兰", "桂英", "建华", "志强", "淑珍", "玉梅", "国庆", "德胜", "凤英", "振华", "丽娟", "海燕", "明", "军",
         "红", "伟", "静", "磊", "洋", "敏", "丽", "强", "芳", "杰", "娟", "涛", "超", "霞", "平", "刚"]


def demo_id_number(rng, birth: date, area: str = "371626") -> str:
    """A checksum-valid 18-digit ID number (fictional: demo residents only)."""
    from center.domain.privacy import id_check_digit

    body = f"{area}{birth:%Y%m%d}{rng.randint(100, 999)}"
    return body + id_check_digit(body)


async def _demo_cases(centers: dict[str, int], settings: Settings) -> int:
    """A week of past visits and cases at the two community centers, in every state, a few overdue.

    Every deadline is the one the live counter would promise (center.domain.cases.due_date on the same calendar):
    the overdue cases are short-promise items accepted early in the week and still open, not shortened dates."""
    if await Case.exists():
        return 0
    import json
    import random
    import secrets

    from center.domain.cases import CaseStatus, due_date
    from center.domain.hours import in_extended_hours
    from center.services.calendar import get_calendar
    from center.services.cases import new_case_code

    rng = random.Random(20261123)
    calendar = await get_calendar()
    today = local_today()
    versions = {r["item"]: r for r in await ItemVersion.select(ItemVersion.id, ItemVersion.item, ItemVersion.snapshot)}
    items = await Item.select(Item.id, Item.kind, Item.promised_days).where(Item.active == True)  # noqa: E712
    codes: set[str] = set()
    total = 0
    for slug in ("daxi", "huanghe"):
        center_id = centers[slug]
        staff = await Staff.select(Staff.id, Staff.window).where(
            (Staff.center == center_id) & Staff.role.is_in(["worker", "manager"])).order_by(Staff.id)
        desk = staff[:6]
        for back in range(7, -1, -1):
            day = today - timedelta(days=back)
            per_day = rng.randint(8, 14) if calendar.is_workday(day) else rng.randint(1, 4)
            if back == 0:
                per_day = min(per_day, 4)  # the morning of today
            # The first two cases of the week's first two days are left open past their real deadline (to chase).
            overdue_items = [i for i in items if i["kind"] == "promised"
                             and due_date(day, i["promised_days"], calendar) < today]
            for number in range(per_day):
                chase = back >= 6 and number < 2 and bool(overdue_items)
                hour = rng.choice([8, 9, 9, 10, 10, 11, 12, 14, 15, 15, 16, 17, 18])
                moment = datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=LOCAL_TZ)
                if back == 0 and moment > local_now():
                    moment = local_now() - timedelta(minutes=rng.randint(5, 90))
                case_day = moment.date()  # the day it was accepted (just after midnight: yesterday)
                at = moment.astimezone(timezone.utc)
                person = rng.choice(desk)
                item = rng.choice(overdue_items if chase else items)
                version = versions[item["id"]]
                materials = json.loads(version["snapshot"])["materials"]
                birth = date(rng.randint(1940, 2000), rng.randint(1, 12), rng.randint(1, 28))
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                extended = in_extended_hours(moment, calendar.day(case_day).kind)
                phone = f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}" if rng.random() < 0.7 else ""
                visit_id = (await Visit.insert(Visit(
                    center=center_id, staff=person["id"], resident_name=name,
                    id_number=demo_id_number(rng, birth) if rng.random() < 0.8 else "",
                    phone=phone, phone_tail=phone[-4:], extended=extended, created_at=at,
                )).returning(Visit.id))[0]["id"]
                code = new_case_code()
                while code in codes:
                    code = new_case_code()
                codes.add(code)
                consult = rng.random() < 0.35 and not chase
                days = item["promised_days"] if item["kind"] == "promised" else 0
                due = None if consult else due_date(case_day, days, calendar)
                events = [("consult" if consult else "accept", "", "consult" if consult else "accepted", at)]
                status = CaseStatus.consult if consult else CaseStatus.accepted
                closed_at = at if consult else None
                paused_on = None
                missing: list[int] = []
                if chase:
                    if rng.random() < 0.3:
                        status = CaseStatus.forwarded
                        events.append(("forward", "accepted", "forwarded", at + timedelta(minutes=20)))
                elif not consult:
                    roll = rng.random()
                    age = calendar.workdays_between(case_day, today)
                    if item["kind"] == "immediate" or (roll < 0.55 and age >= 1):
                        finish_on = case_day if item["kind"] == "immediate" else min(
                            today, calendar.add_workdays(case_day, rng.randint(0, max(0, days + (1 if roll < 0.08 else -1)))))
                        closed_at = datetime.combine(finish_on, time(16, rng.randint(0, 59)), tzinfo=LOCAL_TZ).astimezone(timezone.utc)
                        closed_at = max(closed_at, at + timedelta(minutes=10))
                        if closed_at <= utcnow():
                            status = CaseStatus.completed
                            events.append(("complete", "accepted", "completed", closed_at))
                        else:
                            closed_at = None
                    elif roll < 0.62:
                        status = CaseStatus.refused
                        closed_at = at + timedelta(minutes=15)
                        events.append(("refuse", "accepted", "refused", closed_at))
                    elif roll < 0.75 and materials:
                        status = CaseStatus.awaiting
                        paused_on = case_day
                        missing = [rng.randrange(len(materials))]
                        events.append(("request_materials", "accepted", "awaiting", at + timedelta(minutes=5)))
                    elif roll < 0.85:
                        status = CaseStatus.forwarded
                        events.append(("forward", "accepted", "forwarded", at + timedelta(minutes=20)))
                case_id = (await Case.insert(Case(
                    code=code, public_token=secrets.token_urlsafe(18), center=center_id, visit=visit_id,
                    item=item["id"], item_version=version["id"], status=status.value, owner=person["id"],
                    receiver=person["id"], window=person["window"], accepted_at=at, due_on=due, paused_on=paused_on,
                    closed_at=closed_at, missing=json.dumps(missing),
                    received=json.dumps([] if consult else [i for i in range(len(materials)) if i not in missing]),
                    note="", extended=extended, version=len(events),
                    updated_at=events[-1][3],
                )).returning(Case.id))[0]["id"]
                await CaseEvent.insert(*[
                    CaseEvent(case=case_id, at=when, actor=person["id"], action=action, from_status=src, to_status=dst,
                              note="材料不符合要求" if action == "refuse" else "")
                    for action, src, dst, when in events
                ])
                total += 1
    return total


async def is_empty() -> bool:
    return not await Center.exists()


DEMO_PERIODS = (
    # season, day kind, start, end, kind, label
    ("", "workday", "08:30", "12:00", "regular", "上午"),
    ("", "workday", "12:00", "14:00", "extended", "午间不断档"),
    ("", "workday", "14:00", "17:30", "regular", "下午"),
    ("", "workday", "17:30", "19:30", "extended", "工作日延时"),
    ("", "restday", "09:00", "17:00", "duty", "周末值班"),
    ("", "holiday", "09:00", "17:00", "duty", "节假日值班"),
    ("夏令作息", "workday", "08:00", "12:00", "regular", "上午"),
    ("夏令作息", "workday", "12:00", "14:30", "extended", "午间不断档"),
    ("夏令作息", "workday", "14:30", "18:00", "regular", "下午"),
    ("夏令作息", "workday", "18:00", "19:30", "extended", "工作日延时"),
)
DEMO_SHIFTS = (
    # name, start, end, day kinds, staff needed, how the screen shows it
    ("午间值守", "12:00", "14:00", "workday", 1, "extended"),
    ("延时服务", "17:30", "19:30", "workday", 2, "extended"),
    ("节假日值班", "09:00", "17:00", "restday,holiday", 2, "duty"),
)


async def _demo_rosters(centers: dict[str, int]) -> int:
    """Hours, shift types for every demo center, some leave, and rosters filled four weeks ahead."""
    from datetime import time as dtime

    from center.domain.periods import monday_of
    from center.services.rosters.common import staff_of
    from center.services.rosters.rotation import fill_week, horizon_weeks
    from center.tables import (
        Announcement,
        HoursPeriod,
        HoursSeason,
        Leave,
        RosterWeek,
        ShiftEligibility,
        ShiftType,
    )

    today = local_today()
    added = 0
    for slug, center_id in centers.items():
        if await ShiftType.exists().where(ShiftType.center == center_id):
            continue
        await HoursSeason.insert(HoursSeason(center=center_id, name="夏令作息", start_md="05-01", end_md="09-30"))
        await HoursPeriod.insert(*[
            HoursPeriod(center=center_id, season=season, day_kind=kind, start=dtime.fromisoformat(a),
                        end=dtime.fromisoformat(b), kind=pkind, label=label)
            for season, kind, a, b, pkind, label in DEMO_PERIODS
        ])
        staff = [s["id"] for s in await staff_of(center_id)]
        for order, (name, a, b, kinds, needed, pkind) in enumerate(DEMO_SHIFTS):
            shift_id = (await ShiftType.insert(ShiftType(
                center=center_id, name=name, start=dtime.fromisoformat(a), end=dtime.fromisoformat(b), day_kinds=kinds,
                staff_needed=needed, period_kind=pkind, active=True, sort_order=order,
            )).returning(ShiftType.id))[0]["id"]
            await ShiftEligibility.insert(*[ShiftEligibility(shift_type=shift_id, staff=s) for s in staff])
        if len(staff) > 9:
            await Leave.insert(
                Leave(staff=staff[4], start=today + timedelta(days=3), end=today + timedelta(days=7), reason="年休假",
                      created_at=utcnow()),
                Leave(staff=staff[8], start=today + timedelta(days=10), end=today + timedelta(days=11), reason="病假",
                      created_at=utcnow()),
            )
        await Announcement.insert(Announcement(
            center=center_id, text="周六、周日及法定节假日 9:00–17:00 有工作人员值班，社保、医保、老年证等业务照常办理。",
            starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=60), created_at=utcnow()))
        for monday in horizon_weeks(today):
            added += await fill_week(center_id, monday)
        await RosterWeek.insert(RosterWeek(center=center_id, week=monday_of(today), status="published",
                                           published_at=utcnow()))
    return added


DEMO_CANTEENS = {
    "daxi": ["纸箱厂社区老年食堂", "黛溪三路幸福食堂", "长山路助餐点", "城北社区长者饭堂"],
    "huanghe": ["黄河社区老年食堂", "黄河二路助餐点", "金城社区长者饭堂", "醴泉助餐点"],
    "fenghuang": ["凤凰小区助餐点", "凤凰二区长者饭堂", "东关助餐点", "西关老年食堂"],
}


async def _demo_dining(centers: dict[str, int]) -> dict[str, int]:
    """12 canteens, 500 seniors (D0001–D0490 aged 65+, D0491–D0500 younger), this year's grants, a month of
    meals posted to the ledger, and the terminal token `demo-terminal-1` for the first canteen."""
    import random

    from center.domain.ledger import meal_postings, subsidy_for
    from center.services.dining.allowances import grant_due
    from center.services.dining.meals import request_hash
    from center.services.dining.terminals import DEMO_TERMINAL_TOKEN, hash_token
    from center.tables import Canteen, LedgerPosting, LedgerTxn, Meal, Terminal

    created = {"canteens": 0, "seniors": 0, "meals": 0}
    if not await Canteen.exists():
        number = 0
        for slug, names in DEMO_CANTEENS.items():
            for name in names:
                number += 1
                await Canteen.insert(Canteen(center=centers[slug], code=f"C{number:02d}", name=name,
                                             address=f"{name}（{slug}）", breakfast_fen=500, lunch_fen=1500,
                                             dinner_fen=1200, active=True))
                created["canteens"] += 1
    canteens = await Canteen.select(Canteen.id, Canteen.center, Canteen.lunch_fen, Canteen.breakfast_fen,
                                    Canteen.dinner_fen).order_by(Canteen.code)
    first = canteens[0]["id"]
    await Staff.update({Staff.canteen: first}).where((Staff.username == "canteen") & Staff.canteen.is_null())
    if not await Terminal.exists().where(Terminal.token_hash == hash_token(DEMO_TERMINAL_TOKEN)):
        await Terminal.insert(Terminal(canteen=first, name="演示终端 1", created_at=utcnow(),
                                       token_hash=hash_token(DEMO_TERMINAL_TOKEN)))
    if await Senior.exists():
        return created

    rng = random.Random(65)
    today = local_today()
    slugs = list(centers)
    rows = []
    for n in range(1, 501):
        if n <= 490:
            birth = date(rng.randint(1932, today.year - 66), rng.randint(1, 12), rng.randint(1, 28))
        else:
            birth = date(rng.randint(today.year - 62, today.year - 55), rng.randint(1, 12), rng.randint(1, 28))
        slug = slugs[n % len(slugs)]
        rows.append(Senior(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN), id_number=demo_id_number(rng, birth, "371626"),
            birth_date=birth, center=centers[slug], community=f"{slug} 第{n % 9 + 1}网格",
            phone=f"13{rng.randint(100000000, 999999999)}", card_no=f"D{n:04d}", active=True, created_at=utcnow(),
        ))
    await Senior.insert(*rows)
    created["seniors"] = len(rows)
    await _demo_categories(date(today.year, 1, 1))
    # The year's grants are dated when they were due (1 January), before the meals they pay for; anyone whose
    # 65th birthday fell later this year is granted on the day the job would have run.
    new_year = date(today.year, 1, 1)
    await grant_due(new_year, now=datetime.combine(new_year, time(0, 5), tzinfo=LOCAL_TZ))
    await grant_due(today)

    # A month of meals: posted in one transaction, each with its own ledger transaction, as the desk would.
    seniors = await Senior.select(Senior.id, Senior.card_no, Senior.center, Senior.birth_date).where(
        Senior.card_no <= "D0490")
    by_center: dict[int, list[dict]] = {}
    for c in canteens:
        by_center.setdefault(c["center"], []).append(c)
    balance = {s["id"]: 20000 for s in seniors}
    start = max(today - timedelta(days=30), date(today.year, 1, 1))
    async with db.write_transaction():
        day = start
        while day <= today:
            planned = []
            for senior in rng.sample(seniors, 110):
                canteen = rng.choice(by_center[senior["center"]])
                kind = rng.choices(["breakfast", "lunch", "dinner"], [2, 6, 2])[0]
                hour = {"breakfast": 7, "lunch": 11, "dinner": 17}[kind]
                eaten = datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=LOCAL_TZ)
                if eaten > local_now():
                    continue
                price = canteen[f"{kind}_fen"]
                subsidy = subsidy_for(price, None, balance[senior["id"]])
                balance[senior["id"]] -= subsidy
                key = f"demo-{senior['card_no']}-{eaten:%Y%m%d%H%M}-{kind}"
                planned.append((senior, canteen, kind, eaten, price, subsidy, balance[senior["id"]], key))
            if planned:
                # Batched per day, linked into the ledger's hash chain in the order they are inserted (and so in
                # id order); transaction ids are matched back by their unique keys and checked to follow that order.
                head = await chain.ledger_head()
                txns, lines_of, meal_of = [], {}, {}
                for senior, canteen, kind, eaten, price, subsidy, after, key in planned:
                    txn_key = f"meal:{canteen['id']}:{key}"
                    row = dict(kind="meal", at=eaten, book_date=day, year=day.year, senior=senior["id"],
                               canteen=canteen["id"], reverses=None, idempotency_key=txn_key, actor=None, memo="",
                               reason="")
                    lines_of[txn_key] = [(p.account, p.amount_fen) for p in
                                         meal_postings(senior["id"], day.year, canteen["id"], subsidy)] if subsidy else []
                    meal_of[txn_key] = dict(
                        canteen=canteen["id"], senior=senior["id"], kind=kind, price_fen=price, subsidy_fen=subsidy,
                        paid_fen=price - subsidy, balance_after_fen=after, eaten_at=eaten, book_date=day,
                        idempotency_key=key, request_hash=request_hash(senior["card_no"], kind, price, eaten),
                        device=None, operator=None, created_at=eaten)
                    head = link(head, chain.txn_content(row, lines_of[txn_key], [meal_of[txn_key]]))
                    txns.append(LedgerTxn(**row, row_hash=head))
                inserted = await LedgerTxn.insert(*txns).returning(LedgerTxn.id, LedgerTxn.idempotency_key)
                txn_of = {r["idempotency_key"]: r["id"] for r in inserted}
                ids = [txn_of[t.idempotency_key] for t in txns]
                if ids != sorted(ids):
                    raise RuntimeError("the demo's ledger rows were numbered out of their chain's order")
                postings, meals = [], []
                for txn_key, txn in txn_of.items():
                    postings += [LedgerPosting(txn=txn, account=a, amount_fen=v) for a, v in lines_of[txn_key]]
                    meals.append(Meal(**meal_of[txn_key], txn=txn))
                if postings:
                    await LedgerPosting.insert(*postings)
                await Meal.insert(*meals)
                created["meals"] += len(meals)
            day += timedelta(days=1)
    created["bookings"] = await _demo_menus_and_bookings(first, today)
    return created


# The first canteen's menu for the coming two weeks and today's and tomorrow's bookings (issue #16): it delivers,
# so the delivery list and the deliverer's page have rounds to show.
DEMO_DISHES = {"breakfast": [("小米粥 鸡蛋", 400, "软食")],
               "lunch": [("红烧鸡块 青菜 米饭", 1500, ""), ("清蒸鱼 南瓜 杂粮饭", 1600, "低糖")],
               "dinner": [("肉末豆腐 面条", 1200, "软食")]}


async def _demo_menus_and_bookings(canteen_id: int, today: date) -> int:
    from center.tables import Booking, Canteen, MenuDish

    await Canteen.update({Canteen.delivers: True}).where(Canteen.id == canteen_id)
    dishes = [MenuDish(canteen=canteen_id, day=today + timedelta(days=n), kind=kind, name=name, price_fen=price,
                       marks=marks, active=True, created_at=utcnow())
              for n in range(0, 15) for kind, rows in DEMO_DISHES.items() for name, price, marks in rows]
    await MenuDish.insert(*dishes)
    center = (await Canteen.select(Canteen.center).where(Canteen.id == canteen_id).first())["center"]
    seniors = await Senior.select(Senior.id).where((Senior.center == center) & (Senior.card_no <= "D0490")
                                                   ).order_by(Senior.card_no).limit(24)
    rows = []
    # Today's (booked before yesterday's cut-off: the deliverer's page has rounds) and tomorrow's.
    for offset, group in ((0, seniors[:12]), (1, seniors[12:])):
        day = today + timedelta(days=offset)
        lunch = await MenuDish.select(MenuDish.id).where(
            (MenuDish.canteen == canteen_id) & (MenuDish.day == day) & (MenuDish.kind == "lunch"))
        for n, senior in enumerate(group):
            delivery = n % 3 != 0
            rows.append(Booking(
                senior=senior["id"], canteen=canteen_id, day=day, kind="lunch", dish=lunch[n % len(lunch)]["id"],
                delivery=delivery, route=("一号线" if n % 2 else "二号线") if delivery else "",
                building=f"{n % 4 + 1}号楼" if delivery else "", room=f"{n % 3 + 1}0{n % 2 + 1}" if delivery else "",
                booked_by="phone" if n % 4 == 0 else "self", state="booked",
                created_at=utcnow() - timedelta(days=1)))
    if rows:
        await Booking.insert(*rows)
    return len(rows)


# Some demo seniors are recorded in the 民政 categories a policy may name (issue #16): every 7th 低保, every 11th
# 独居, every 13th 残疾, every 17th 特困, from 1 January with the demo as evidence.
DEMO_CATEGORIES = ((7, "低保"), (11, "独居"), (13, "残疾"), (17, "特困"))
POLICIES = Path(__file__).parent / "policies"


async def _demo_categories(since: date) -> None:
    seniors = await Senior.select(Senior.id, Senior.card_no).where(Senior.card_no <= "D0490")
    rows = [SeniorCategory(senior=s["id"], category=category, since=since, evidence="演示数据", recorded_at=utcnow())
            for s in seniors for every, category in DEMO_CATEGORIES if int(s["card_no"][1:]) % every == 0]
    if rows:
        await SeniorCategory.insert(*rows)


def demo_policy_names() -> list[str]:
    return sorted(p.stem for p in POLICIES.glob("*.toml"))


async def load_demo_policy(name: str, today: date | None = None) -> str:
    """The switch to another district's kind of policy (`center demo --policy tianjin`): the example file under
    center/demo/policies/, in force from today."""
    from center.services.dining.policies import record_version

    path = POLICIES / f"{name}.toml"
    if not path.is_file():
        raise DemoModeRequired(f"没有演示政策“{name}”（可选：{'、'.join(demo_policy_names())}）")
    text = re.sub(r"(?m)^effective\s*=.*$", f"effective = {(today or local_today()).isoformat()}",
                  path.read_text(encoding="utf-8"))
    _, policy = await record_version(text, actor=None, origin="demo", filename=path.name)
    return policy.name or name
