"""A district-sized data set for benchmarks (`center demo --scale N`, CENTER_DEMO=1 only).

N copies of the demo district's shape: about 2.5·N centers with 12 staff and 4 canteens each, 500·N seniors with a
year of meals (a per-meal cap of 4 yuan, so about 50 subsidised meals a senior: ≈ 1 million ledger postings at
N=20), and 2,500·N cases with their visits and events. Rows are generated in memory in the shapes the services
write (the same accounts, idempotency keys and balances, so the ledger invariants hold) and bulk-loaded:
`executemany` on SQLite, `COPY` on PostgreSQL. The ORM would take an hour for this; the loader takes minutes.
"""

from __future__ import annotations

import random
import secrets
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Iterable, Sequence

from center import db
from center.config import DEMO_PASSWORD, Settings
from center.services.passwords import hash_password
from center.domain import DomainError
from center.domain.chain import GENESIS, link
from center.domain.cases import due_date
from center.domain.hours import in_extended_hours
from center.services import chain
from center.services.cases import new_case_code
from center.services.dining.meals import request_hash
from center.domain.ledger import (
    YearEnd,
    grant_postings,
    meal_postings,
    subsidy_for,
    year_end_postings,
)
from center.demo.district import DEMO_PERIODS, DEMO_SHIFTS, GIVEN, SURNAMES, DemoModeRequired, demo_id_number
from center.timeutil import LOCAL_TZ, local_now, local_today, utcnow

SCALE_CAP_FEN = 400  # per-meal subsidy cap in the scaled years: 200 yuan lasts about 50 meals
STAFF_PER_CENTER = 12
CANTEENS_PER_CENTER = 4
SENIORS_PER_UNIT = 500
CASES_PER_UNIT = 2500
CENTERS_PER_UNIT = 2.5
PRICES = {"breakfast": 500, "lunch": 1500, "dinner": 1200}


class ScaleError(DomainError):
    pass


@dataclass(frozen=True)
class ScalePlan:
    n: int
    centers: int  # new centers (the demo's three come first)
    seniors_per_center: int
    cases_per_center: int

    @classmethod
    def for_scale(cls, n: int) -> "ScalePlan":
        if n < 2 or n > 200:
            raise ScaleError("--scale 须在 2 到 200 之间（1 即普通演示数据）")
        total = max(4, round(CENTERS_PER_UNIT * n))
        new = total - 3
        return cls(n=n, centers=new, seniors_per_center=(SENIORS_PER_UNIT * n - 500) // new,
                   cases_per_center=(CASES_PER_UNIT * n - 135) // new)


def _sqlite_value(value):
    if isinstance(value, datetime):
        return str(value.astimezone(timezone.utc))
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


class BulkWriter:
    """Inserts rows with explicit ids, fast, on either engine; `next_id` hands out ids per table."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._sqlite: sqlite3.Connection | None = None
        self._pg = None
        self._next: dict[str, int] = {}
        self.rows = 0

    async def open(self, tables: Iterable[str]) -> None:
        if self.settings.is_sqlite:
            self._sqlite = sqlite3.connect(str(self.settings.sqlite_path), timeout=60, isolation_level=None)
            self._sqlite.execute("PRAGMA foreign_keys = ON")
            self._sqlite.execute("PRAGMA synchronous = NORMAL")  # one fsync per chunk is plenty for a loader
        else:
            self._pg = await db.engine().get_new_connection()
        for table in tables:
            top = await self._scalar(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            self._next[table] = int(top) + 1
        # The ledger's hash chain goes on from its head (center.services.chain): rows are linked as they are made.
        self.ledger_head = await chain.ledger_head() if "ledger_txn" in self._next else GENESIS

    async def _scalar(self, sql: str):
        if self._sqlite is not None:
            return self._sqlite.execute(sql).fetchone()[0]
        return await self._pg.fetchval(sql)

    def next_id(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value

    async def insert(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self._sqlite is not None:
            marks = ", ".join("?" for _ in columns)
            names = ", ".join(f'"{c}"' for c in columns)  # quoted: "case", "window", "end" are keywords
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            self._sqlite.execute("BEGIN")
            try:
                self._sqlite.executemany(sql, ([_sqlite_value(v) for v in row] for row in rows))
                self._sqlite.execute("COMMIT")
            except BaseException:
                self._sqlite.execute("ROLLBACK")
                raise
        else:
            await self._pg.copy_records_to_table(table, records=rows, columns=list(columns))
        self.rows += len(rows)

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.execute("PRAGMA optimize")
            self._sqlite.close()
        if self._pg is not None:
            for table in self._next:
                await self._pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
                await self._pg.execute(f"ANALYZE {table}")
            await self._pg.close()


TABLES = ("center", "staff", "canteen", "senior", "ledger_txn", "ledger_posting", "meal", "visit", "service_case",
          "case_event", "hours_period", "hours_season", "shift_type", "shift_eligibility", "announcement")


@dataclass
class _Ids:
    items: list[dict] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)
    id_numbers: set[str] = field(default_factory=set)  # seniors' ID numbers are unique
    manager_hash: str | None = None


async def load_scale(settings: Settings, n: int, progress: Callable[[int], None] = lambda steps: None,
                     today: date | None = None) -> dict[str, int]:
    """Add the district-sized data beside the demo district (which must be loaded). Refuses to run twice."""
    if not settings.demo:
        raise DemoModeRequired("演示数据只能在演示模式（CENTER_DEMO=1）下加载")
    from center.services.calendar import get_calendar
    from center.domain.policy import allowance_policy_text
    from center.services.dining.policies import record_version
    from center.tables import Case, Center, Item, ItemVersion, Senior

    plan = ScalePlan.for_scale(n)
    if await Center.exists().where(Center.slug.like("s%-%")):
        raise ScaleError("已加载过规模数据；请用新的数据库重新生成")
    today = today or local_today()
    calendar = await get_calendar()
    ids = _Ids(items=await Item.select(Item.id, Item.kind, Item.promised_days).where(Item.active == True),  # noqa: E712
               versions={r["item"]: r["id"] for r in await ItemVersion.select(ItemVersion.item, ItemVersion.id)},
               id_numbers={r["id_number"] for r in await Senior.select(Senior.id_number)},
               manager_hash=hash_password(DEMO_PASSWORD))
    now = utcnow()
    # The scaled years' policy: 200 yuan a year from 65 with a per-meal cap (the meals below are priced by it).
    await record_version(allowance_policy_text(date(today.year - 1, 1, 1), 20000, SCALE_CAP_FEN),
                         actor=None, origin="demo")
    writer = BulkWriter(settings)
    await writer.open(TABLES)
    counts = {"centers": 0, "staff": 0, "canteens": 0, "seniors": 0, "meals": 0, "postings": 0, "cases": 0}
    rng = random.Random(20 * n + 1)
    codes: set[str] = {r["code"] for r in await Case.select(Case.code)}
    try:
        for index in range(plan.centers):
            await _one_center(writer, plan, index, rng, today, now, calendar, ids, codes, counts)
            progress(1)
    finally:
        await writer.close()
    progress(1)
    from center.services import audit

    await audit.record("demo.scale", detail={"n": n, **counts})
    return counts


async def _one_center(w: BulkWriter, plan: ScalePlan, index: int, rng: random.Random, today: date, now: datetime,
                      calendar, ids: _Ids, codes: set[str], counts: dict[str, int]) -> None:
    number = index + 4
    center_id = w.next_id("center")
    slug = f"s{number:03d}-{rng.choice(['daxi', 'huanghe', 'gaoxin', 'haoshan', 'changshan', 'xiwang'])}"
    kind = "station" if number % 4 == 0 else "center"
    await w.insert("center", ("id", "slug", "name", "kind", "address", "phone", "sort_order"), [(
        center_id, slug, f"第{number}社区党群服务{'站' if kind == 'station' else '中心'}", kind,
        f"邹平市第{number}社区服务路 {number} 号", f"0543-43{number:05d}", number)])
    counts["centers"] += 1

    # Staff: a manager and eleven workers; six at numbered windows.
    staff = []
    for i in range(STAFF_PER_CENTER):
        # Each center's manager logs in with the demo password (demo mode only), e.g. for the year's figures.
        staff.append((w.next_id("staff"), f"{slug}-{i + 1:02d}", rng.choice(SURNAMES) + rng.choice(GIVEN),
                      "manager" if i == 0 else "worker", center_id, ids.manager_hash if i == 0 else None, True, now,
                      f"{i + 1}号窗口" if i < 6 else "", None, None))
    await w.insert("staff", ("id", "username", "display_name", "role", "center", "password_hash", "active",
                             "created_at", "window", "ical_token", "canteen"), staff)
    counts["staff"] += len(staff)
    staff_ids = [s[0] for s in staff]

    # Hours, shift types (everyone eligible) and an announcement: the screen and the rotation have work.
    await w.insert("hours_season", ("id", "center", "name", "start_md", "end_md"),
                   [(w.next_id("hours_season"), center_id, "夏令作息", "05-01", "09-30")])
    await w.insert("hours_period", ("id", "center", "season", "day_kind", "start", "end", "kind", "label"), [
        (w.next_id("hours_period"), center_id, season, day_kind, time.fromisoformat(a), time.fromisoformat(b),
         pkind, label) for season, day_kind, a, b, pkind, label in DEMO_PERIODS])
    shifts, eligible = [], []
    for order, (name, a, b, kinds, needed, pkind) in enumerate(DEMO_SHIFTS):
        shift_id = w.next_id("shift_type")
        shifts.append((shift_id, center_id, name, time.fromisoformat(a), time.fromisoformat(b), kinds, needed, pkind,
                       True, order))
        eligible += [(w.next_id("shift_eligibility"), shift_id, s) for s in staff_ids]
    await w.insert("shift_type", ("id", "center", "name", "start", "end", "day_kinds", "staff_needed", "period_kind",
                                  "active", "sort_order"), shifts)
    await w.insert("shift_eligibility", ("id", "shift_type", "staff"), eligible)
    await w.insert("announcement", ("id", "center", "text", "starts_on", "ends_on", "created_by", "created_at"), [(
        w.next_id("announcement"), center_id, "周六、周日及法定节假日 9:00–17:00 有工作人员值班。",
        today - timedelta(days=1), today + timedelta(days=60), None, now)])

    # Canteens.
    canteens = []
    for i in range(CANTEENS_PER_CENTER):
        canteens.append((w.next_id("canteen"), center_id, f"S{number:03d}{i + 1}", f"第{number}社区助餐点{i + 1}",
                         f"第{number}社区", PRICES["breakfast"], PRICES["lunch"], PRICES["dinner"], True))
    await w.insert("canteen", ("id", "center", "code", "name", "address", "breakfast_fen", "lunch_fen", "dinner_fen",
                               "active"), canteens)
    counts["canteens"] += len(canteens)

    await _seniors_and_meals(w, plan, number, center_id, slug, [c[0] for c in canteens], rng, today, now, ids,
                             counts)
    await _cases(w, plan, center_id, staff, rng, today, calendar, ids, codes, counts)


TXN_COLUMNS = ("id", "kind", "at", "book_date", "year", "senior", "canteen", "reverses", "idempotency_key", "actor",
               "memo")
MEAL_COLUMNS = ("id", "canteen", "senior", "kind", "price_fen", "subsidy_fen", "paid_fen", "balance_after_fen",
                "eaten_at", "book_date", "idempotency_key", "request_hash", "txn", "device", "operator", "created_at")


async def _seniors_and_meals(w: BulkWriter, plan: ScalePlan, number: int, center_id: int, slug: str,
                             canteen_ids: list[int], rng: random.Random, today: date, now: datetime, ids: _Ids,
                             counts: dict[str, int]) -> None:
    """Seniors aged 66+ with this and last year's grants, a year of meals up to today, last year's expiry."""
    start = today - timedelta(days=364)
    years = (today.year - 1, today.year)
    seniors, txns, postings, meals = [], [], [], []

    def post(kind: str, at: datetime, book: date, year: int, senior: int, canteen: int | None, key: str,
             lines) -> int:
        txn_id = w.next_id("ledger_txn")
        txns.append((txn_id, kind, at, book, year, senior, canteen, None, key, None, ""))
        for line in lines:
            if line.amount_fen:
                postings.append((w.next_id("ledger_posting"), txn_id, line.account, line.amount_fen))
        return txn_id

    for k in range(plan.seniors_per_center):
        senior_id = w.next_id("senior")
        birth = date(rng.randint(1932, today.year - 67), rng.randint(1, 12), rng.randint(1, 28))
        card = f"S{number:03d}{k:04d}"
        id_number = demo_id_number(rng, birth, "371626")
        while id_number in ids.id_numbers:
            id_number = demo_id_number(rng, birth, "371626")
        ids.id_numbers.add(id_number)
        seniors.append((senior_id, rng.choice(SURNAMES) + rng.choice(GIVEN), id_number,
                        birth, center_id, f"{slug} 第{k % 9 + 1}网格", f"13{rng.randint(100000000, 999999999)}",
                        card, True, now))
        balance = {}
        for year in years:
            granted_on = date(year, 1, 1)
            at = datetime.combine(granted_on, time(0, 5), tzinfo=LOCAL_TZ)
            post("grant", at, granted_on, year, senior_id, None, f"grant:{senior_id}:{year}",
                 grant_postings(senior_id, year, 20000))
            balance[year] = 20000
        eats = sorted(rng.sample(range(365), rng.randint(30, 90)))
        year_closed = False
        for offset in eats:
            day = start + timedelta(days=offset)
            if day.year == today.year and not year_closed:
                year_closed = True
                _expire(post, senior_id, today.year - 1, balance)
            kind = rng.choices(("breakfast", "lunch", "dinner"), (2, 6, 2))[0]
            eaten = datetime.combine(day, time({"breakfast": 7, "lunch": 11, "dinner": 17}[kind], rng.randint(0, 59)),
                                     tzinfo=LOCAL_TZ)
            if eaten > local_now():
                continue
            canteen = rng.choice(canteen_ids)
            price = PRICES[kind]
            subsidy = subsidy_for(price, SCALE_CAP_FEN, balance[day.year])
            balance[day.year] -= subsidy
            key = f"scale-{card}-{day:%Y%m%d}-{kind}"
            txn_id = post("meal", eaten, day, day.year, senior_id, canteen, f"meal:{canteen}:{key}",
                          meal_postings(senior_id, day.year, canteen, subsidy))
            meals.append((w.next_id("meal"), canteen, senior_id, kind, price, subsidy, price - subsidy,
                          balance[day.year], eaten, day, key, request_hash(card, kind, price, eaten), txn_id, None,
                          None, eaten))
        if not year_closed:
            _expire(post, senior_id, today.year - 1, balance)
    await w.insert("senior", ("id", "name", "id_number", "birth_date", "center", "community", "phone", "card_no",
                              "active", "created_at"), seniors)
    lines_of: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for _, txn_id, account, amount in postings:
        lines_of[txn_id].append((account, amount))
    meal_of = {m[12]: dict(zip(MEAL_COLUMNS, m)) for m in meals}
    linked = []
    for t in txns:  # in id order: next_id hands ids out in the order post() is called
        row = dict(zip(TXN_COLUMNS, t))
        row["reason"] = ""
        meal = meal_of.get(row["id"])
        w.ledger_head = link(w.ledger_head, chain.txn_content(row, lines_of.get(row["id"], []), [meal] if meal else []))
        linked.append((*t, w.ledger_head))
    await w.insert("ledger_txn", (*TXN_COLUMNS, "row_hash"), linked)
    for chunk in range(0, len(postings), 50000):
        await w.insert("ledger_posting", ("id", "txn", "account", "amount_fen"), postings[chunk:chunk + 50000])
    await w.insert("meal", MEAL_COLUMNS, meals)
    counts["seniors"] += len(seniors)
    counts["meals"] += len(meals)
    counts["postings"] += len(postings)


def _expire(post, senior_id: int, year: int, balance: dict[int, int]) -> None:
    """Last year's rest goes back to the fund on 31 December (the policy's `expire`), as the year-end job does."""
    left = balance[year]
    if left > 0:
        end = date(year, 12, 31)
        post("expiry", datetime.combine(end, time(23, 30), tzinfo=LOCAL_TZ), end, year, senior_id, None,
             f"yearend:{senior_id}:{year}", year_end_postings(senior_id, year, left, YearEnd.expire))
        balance[year] = 0


async def _cases(w: BulkWriter, plan: ScalePlan, center_id: int, staff: list[tuple], rng: random.Random,
                 today: date, calendar, ids: _Ids, codes: set[str], counts: dict[str, int]) -> None:
    """A year of visits and cases at the windows: mostly completed, some consultations, a few still open."""
    desk = [s for s in staff if s[8]]
    visits, cases, events = [], [], []
    first = today - timedelta(days=364)
    for _ in range(plan.cases_per_center):
        day = first + timedelta(days=rng.randrange(365))
        if not calendar.is_workday(day) and rng.random() < 0.7:  # most visits fall on working days
            next_workday = calendar.add_workdays(day, 1)
            day = next_workday if next_workday <= today else day
        moment = datetime.combine(day, time(rng.choice([8, 9, 10, 11, 12, 14, 15, 16, 17, 18]), rng.randint(0, 59)),
                                  tzinfo=LOCAL_TZ)
        if moment > local_now():
            moment = local_now() - timedelta(minutes=rng.randint(5, 600))
            day = moment.date()
        extended = in_extended_hours(moment, calendar.day(day).kind)  # the rule the counter applies
        at = moment.astimezone(timezone.utc)
        person = rng.choice(desk)
        item = rng.choice(ids.items)
        visit_id = w.next_id("visit")
        birth = date(rng.randint(1940, 2000), rng.randint(1, 12), rng.randint(1, 28))
        phone = f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}" if rng.random() < 0.7 else ""
        visits.append((visit_id, center_id, person[0], rng.choice(SURNAMES) + rng.choice(GIVEN),
                       demo_id_number(rng, birth) if rng.random() < 0.8 else "", phone, phone[-4:],
                       "", extended, at))
        code = new_case_code()
        while code in codes:
            code = new_case_code()
        codes.add(code)
        case_id = w.next_id("service_case")
        days = item["promised_days"] if item["kind"] == "promised" else 0
        roll = rng.random()
        trail = []
        if roll < 0.2:
            status, due, closed = "consult", None, at
            trail.append(("consult", "", "consult", at))
        else:
            due = due_date(day, days, calendar)
            trail.append(("accept", "", "accepted", at))
            age = (today - day).days
            if roll < 0.23:
                status, closed = "refused", at + timedelta(minutes=15)
                trail.append(("refuse", "accepted", "refused", closed))
            elif age <= 10 and roll < 0.35:
                status, closed = "accepted", None
            else:
                finish = min(today, calendar.add_workdays(day, rng.randint(0, max(0, days + (1 if roll > 0.97 else 0)))))
                closed = max(datetime.combine(finish, time(16, rng.randint(0, 59)), tzinfo=LOCAL_TZ).astimezone(
                    timezone.utc), at + timedelta(minutes=10))
                if closed > utcnow():
                    status, closed = "accepted", None
                else:
                    status = "completed"
                    trail.append(("complete", "accepted", "completed", closed))
        cases.append((case_id, code, secrets.token_urlsafe(18), center_id, visit_id, item["id"], ids.versions[item["id"]],
                      status, person[0], person[0], person[8], at, due, None, closed, "[]", "",
                      visits[-1][8], len(trail), trail[-1][3]))
        for action, src, dst, when in trail:
            events.append((w.next_id("case_event"), case_id, when, person[0], action, src, dst,
                           "材料不符合要求" if action == "refuse" else ""))
    await w.insert("visit", ("id", "center", "staff", "resident_name", "id_number", "phone", "phone_tail", "note",
                             "extended", "created_at"), visits)
    await w.insert("service_case", ("id", "code", "public_token", "center", "visit", "item", "item_version", "status",
                                    "owner", "receiver", "window", "accepted_at", "due_on", "paused_on", "closed_at",
                                    "missing", "note", "extended", "version", "updated_at"), cases)
    await w.insert("case_event", ("id", "case", "at", "actor", "action", "from_status", "to_status", "note"), events)
    counts["cases"] += len(cases)


def total_steps(n: int) -> int:
    return ScalePlan.for_scale(n).centers + 1
