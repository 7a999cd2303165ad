"""Piccolo tables: every row belongs to one center of the district."""

from __future__ import annotations

from datetime import time
from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Bytea,
    Date,
    Time,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from center.domain.access import Role


class CenterKind(StrEnum):
    center = "center"
    station = "station"


class Center(Table):
    """A community party-mass service center (中心) or a neighbourhood station (服务站)."""

    slug = Varchar(length=40, unique=True)
    name = Varchar(length=120)
    kind = Varchar(length=16, default=CenterKind.center.value, choices=CenterKind)
    address = Varchar(length=200, default="")
    phone = Varchar(length=40, default="")
    sort_order = Integer(default=0)
    screen_rating = Boolean(default=False)  # the public screen shows this month's 满意率 (off by default)


class Staff(Table):
    """A person who works for the district: admin, center manager, front-desk worker or canteen operator."""

    username = Varchar(length=60, unique=True)
    display_name = Varchar(length=60)
    role = Varchar(length=16, choices=Role)
    center = ForeignKey(references=Center, null=True, on_delete=OnDelete.restrict)
    # None: the person is on the staff list (rosters) but cannot log in.
    password_hash = Varchar(length=200, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()
    window = Varchar(length=20, default="")  # the counter window (窗口) a front-desk worker sits at
    ical_token = Varchar(length=48, null=True, default=None)  # unguessable URL of the duty feed (unique index)
    canteen = Integer(null=True, default=None)  # the canteen a `canteen` operator works at (canteen.id)


class WebSession(Table):
    """Server-side session store shared by every web process."""

    key = Varchar(length=128, unique=True)
    data = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)


class LoginAttempt(Table):
    """Every login attempt, counted per account for throttling."""

    username = Varchar(length=60, index=True)
    at = Timestamptz(index=True)
    outcome = Varchar(length=16)  # success | failure | blocked
    ip = Varchar(length=64, default="")


class AuditLog(Table):
    """Append-only record of every write and every reveal of personal data (triggers refuse UPDATE/DELETE)."""

    at = Timestamptz(index=True)
    actor = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    actor_name = Varchar(length=60, default="")
    center = ForeignKey(references=Center, null=True, on_delete=OnDelete.restrict)
    action = Varchar(length=60, index=True)
    object_type = Varchar(length=40, default="")
    object_id = Varchar(length=60, default="")
    ip = Varchar(length=64, default="")
    detail = Text(default="")
    row_hash = Varchar(length=64, default="")  # the audit hash chain (center.services.chain)


class JobRun(Table):
    """One run of a scheduled job for one period; (job, period) is unique so work is never done twice."""

    job = Varchar(length=60)
    period = Varchar(length=40)
    status = Varchar(length=16, default="running")  # running | done | failed
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    detail = Text(default="")


class CalendarOverride(Table):
    """A manager's ruling on one date (for years chinese-calendar does not know yet, or local closures)."""

    day = Date(unique=True)
    kind = Varchar(length=16)  # workday | restday | holiday
    name = Varchar(length=40, default="")
    created_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class CalendarNotice(Table):
    """A year's State Council holiday notice as a district admin entered it: the whole arrangement of that year."""

    year = Integer(unique=True)
    periods = Text(default="[]")  # JSON [{"name", "first", "last"}], dates YYYY-MM-DD
    makeup_days = Text(default="[]")  # JSON ["YYYY-MM-DD", ...]: 调休 weekend working days
    title = Varchar(length=100, default="")
    created_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class Category(Table):
    """One of the catalog's four categories (事项类别)."""

    code = Varchar(length=20, unique=True)
    name = Varchar(length=40)
    sort_order = Integer(default=0)


class Item(Table):
    """A service item of the one-window catalog (服务事项)."""

    code = Varchar(length=30, unique=True)
    name = Varchar(length=120)
    category = ForeignKey(references=Category, on_delete=OnDelete.restrict)
    department = Varchar(length=120, default="")
    kind = Varchar(length=16, default="promised")  # immediate (即办件) | promised (承诺件)
    promised_days = Integer(default=0)
    legal_basis = Text(default="")
    fee = Varchar(length=120, default="不收费")
    forwarded = Boolean(default=False)  # the center receives and forwards (代办/转办)
    active = Boolean(default=True)
    sort_order = Integer(default=0)
    search_key = Varchar(length=600, default="")  # lowercase name, pinyin initials, full pinyin, code
    keywords = Text(default="")  # everyday words residents say (社保卡、低保), separated by 、; searched like the name
    version = Integer(default=1)
    updated_at = Timestamptz()


class Material(Table):
    """One required material of an item, in its order on the slip."""

    item = ForeignKey(references=Item, on_delete=OnDelete.cascade)
    position = Integer(default=0)
    name = Varchar(length=120)
    form = Varchar(length=16, default="original")  # original | copy | both
    copies = Integer(default=1)
    note = Varchar(length=200, default="")
    required = Boolean(default=True)


class ItemVersion(Table):
    """A frozen copy of an item and its materials; a case keeps the version it was told (一次性告知)."""

    item = ForeignKey(references=Item, on_delete=OnDelete.restrict)
    version = Integer()
    snapshot = Text()  # JSON
    created_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class Visit(Table):
    """One resident's visit to the counter (来访登记); may open several cases."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    resident_name = Varchar(length=40, default="")
    id_number = Varchar(length=18, default="")
    phone = Varchar(length=20, default="")
    phone_tail = Varchar(length=4, default="")  # the phone's last 4 digits: the counter finds cases by them (indexed)
    note = Varchar(length=500, default="")
    extended = Boolean(default=False)  # received outside regular hours (延时/错时/节假日)
    created_at = Timestamptz(index=True)


class Case(Table, tablename="service_case"):
    """One resident's request for one item (办件), owned by its first receiver until handed over."""

    code = Varchar(length=12, unique=True)
    public_token = Varchar(length=40, unique=True)
    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    visit = ForeignKey(references=Visit, on_delete=OnDelete.restrict)
    item = ForeignKey(references=Item, on_delete=OnDelete.restrict)
    item_version = ForeignKey(references=ItemVersion, on_delete=OnDelete.restrict)
    status = Varchar(length=16, index=True)
    owner = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    receiver = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    window = Varchar(length=20, default="")
    accepted_at = Timestamptz(index=True)
    due_on = Date(null=True, default=None)
    paused_on = Date(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    missing = Text(default="[]")  # JSON list of indexes into the version's materials
    received = Text(null=True, default=None)  # JSON list of indexes received; NULL before: derived from missing
    note = Text(default="")
    extended = Boolean(default=False)
    version = Integer(default=1)  # optimistic concurrency: every change bumps it
    updated_at = Timestamptz()


class CaseEvent(Table):
    """The timeline of a case: every transition with its worker and time (append-only)."""

    case = ForeignKey(references=Case, on_delete=OnDelete.restrict)
    at = Timestamptz()
    actor = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    action = Varchar(length=30)
    from_status = Varchar(length=16, default="")
    to_status = Varchar(length=16, default="")
    note = Text(default="")


class CaseReminder(Table):
    """A due-soon or overdue mark recorded once per case and working day by the morning job."""

    case = ForeignKey(references=Case, on_delete=OnDelete.restrict)
    day = Date(index=True)
    mark = Varchar(length=16)
    created_at = Timestamptz()


class HoursPeriod(Table):
    """One service period of a center for a day kind: regular, extended (延时/错时) or duty (值班)."""

    center = ForeignKey(references=Center, on_delete=OnDelete.cascade)
    season = Varchar(length=40, default="")  # "" for the whole year, else the name of an HoursSeason
    day_kind = Varchar(length=16)  # workday | restday | holiday
    start = Time()
    end = Time()
    kind = Varchar(length=16, default="regular")  # regular | extended | duty
    label = Varchar(length=40, default="")


class HoursSeason(Table):
    """A recurring date range with its own periods, e.g. summer hours (夏令作息) 05-01 to 09-30."""

    center = ForeignKey(references=Center, on_delete=OnDelete.cascade)
    name = Varchar(length=40)
    start_md = Varchar(length=5)  # MM-DD
    end_md = Varchar(length=5)  # MM-DD, inclusive


class HoursException(Table):
    """One date with special hours or closed, with a reason (shown on the screen)."""

    center = ForeignKey(references=Center, on_delete=OnDelete.cascade)
    day = Date()
    closed = Boolean(default=False)
    periods = Text(default="[]")  # JSON [{"start": "HH:MM", "end": "HH:MM", "kind": ...}] when not closed
    reason = Varchar(length=120, default="")


class Announcement(Table):
    """A manager's notice for the public screen, shown between two dates."""

    center = ForeignKey(references=Center, on_delete=OnDelete.cascade)
    text = Varchar(length=200)
    starts_on = Date()
    ends_on = Date()
    created_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class ShiftType(Table):
    """A kind of shift (班次) of a center: e.g. 延时班 17:30–19:30 on workdays, two staff."""

    center = ForeignKey(references=Center, on_delete=OnDelete.cascade)
    name = Varchar(length=40)
    start = Time()
    end = Time()
    day_kinds = Varchar(length=40, default="workday")  # comma-separated day kinds
    staff_needed = Integer(default=1)
    period_kind = Varchar(length=16, default="extended")  # extended | duty (how the screen shows it)
    active = Boolean(default=True)
    sort_order = Integer(default=0)


class ShiftEligibility(Table):
    """Who may be rostered on a shift type."""

    shift_type = ForeignKey(references=ShiftType, on_delete=OnDelete.cascade)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade)


class Assignment(Table):
    """A staff member in a slot (a shift type on a date); manual ones are never overwritten by rotation."""

    center = ForeignKey(references=Center, on_delete=OnDelete.cascade)
    shift_type = ForeignKey(references=ShiftType, on_delete=OnDelete.cascade)
    day = Date(index=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade)
    manual = Boolean(default=False)
    created_at = Timestamptz()


class Leave(Table):
    """A staff member's leave (请假/休假), inclusive dates."""

    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade)
    start = Date()
    end = Date()
    reason = Varchar(length=100, default="")
    created_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class RosterWeek(Table):
    """A center's roster for one week (Monday): draft until a manager publishes it."""

    center = ForeignKey(references=Center, on_delete=OnDelete.cascade)
    week = Date()
    status = Varchar(length=16, default="draft")  # draft | published
    published_at = Timestamptz(null=True, default=None)
    published_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)


class RosterChange(Table):
    """A change to a published week, kept and shown beside the grid (append-only)."""

    center = ForeignKey(references=Center, on_delete=OnDelete.cascade)
    week = Date()
    at = Timestamptz()
    actor = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    description = Varchar(length=300)


class SwapRequest(Table):
    """A worker asks to swap one of their shifts with a colleague; a manager approves or refuses."""

    center = ForeignKey(references=Center, on_delete=OnDelete.cascade)
    requester = ForeignKey(references=Staff, on_delete=OnDelete.cascade)
    shift_type = ForeignKey(references=ShiftType, on_delete=OnDelete.cascade)
    day = Date()
    colleague = ForeignKey(references=Staff, on_delete=OnDelete.cascade)
    # The colleague's shift the requester takes in exchange; none: the colleague simply covers.
    other_shift_type = ForeignKey(references=ShiftType, null=True, on_delete=OnDelete.cascade)
    other_day = Date(null=True, default=None)
    note = Varchar(length=200, default="")
    status = Varchar(length=16, default="pending")  # pending | approved | refused
    decided_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Varchar(length=200, default="")
    created_at = Timestamptz()


class Canteen(Table):
    """A community canteen (助餐点) tied to a center, with its default prices per meal kind."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    code = Varchar(length=20, unique=True)
    name = Varchar(length=80)
    address = Varchar(length=200, default="")
    breakfast_fen = Integer(default=500)
    lunch_fen = Integer(default=1500)
    dinner_fen = Integer(default=1200)
    active = Boolean(default=True)
    open_days = Varchar(length=7, default="1234567")  # ISO weekdays it serves (1 = Monday); others are closed
    booking_cutoff = Time(default=time(17, 0))  # bookings for a day close at this time the day before
    delivers = Boolean(default=False)  # 送餐上门


class Senior(Table):
    """A registered resident for the dining subsidy; the ID number is stored and shown masked."""

    name = Varchar(length=40)
    id_number = Varchar(length=18, unique=True)
    birth_date = Date()
    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    community = Varchar(length=80, default="")
    phone = Varchar(length=20, default="")
    card_no = Varchar(length=20, unique=True)
    active = Boolean(default=True)
    created_at = Timestamptz()


class Terminal(Table, tablename="device"):
    """A canteen terminal; its bearer token is shown once and stored as a SHA-256 hash. (Its table keeps its first
    name, "device", as do Meal.device and the migrations.)"""

    canteen = ForeignKey(references=Canteen, on_delete=OnDelete.restrict)
    name = Varchar(length=60)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class SubsidyPolicy(Table):
    """The subsidy rules of one year (a manager/admin setting)."""

    year = Integer(unique=True)
    annual_fen = Integer(default=20000)
    per_meal_cap_fen = Integer(null=True, default=None)
    year_end = Varchar(length=16, default="expire")  # expire | carry
    birthday_rule = Varchar(length=16, default="full")  # full | prorata
    updated_at = Timestamptz()


class DiningPolicy(Table):
    """One loaded version of the district's dining policy (issue #16): the TOML text as loaded, in force from its
    effective date (center.domain.policy.in_force). Append-only: a new version is a new row."""

    effective = Date(index=True)
    name = Varchar(length=60, default="")
    source_text = Text()
    sha256 = Varchar(length=64)
    origin = Varchar(length=16, default="file")  # file | page | migration | demo
    filename = Varchar(length=200, default="")
    loaded_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    loaded_at = Timestamptz()


class SeniorCategory(Table):
    """A category a senior holds (低保, 特困, 残疾…) from a date, with its evidence; `until` ends it (an import that no
    longer lists it). Unique per senior and category."""

    senior = ForeignKey(references=Senior, on_delete=OnDelete.restrict)
    category = Varchar(length=20)
    since = Date()
    until = Date(null=True, default=None)
    evidence = Varchar(length=200, default="")
    recorded_at = Timestamptz()


class LedgerTxn(Table):
    """One ledger transaction (append-only); its postings sum to zero. Keyed for idempotency."""

    kind = Varchar(length=16)  # grant | meal | reversal | expiry | carry
    at = Timestamptz()
    book_date = Date(index=True)  # the local date it counts in (month close)
    year = Integer()
    senior = ForeignKey(references=Senior, null=True, on_delete=OnDelete.restrict)
    canteen = ForeignKey(references=Canteen, null=True, on_delete=OnDelete.restrict)
    reverses = Integer(null=True, default=None)  # ledger_txn.id this mirrors
    idempotency_key = Varchar(length=120, null=True, default=None)
    actor = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    memo = Varchar(length=200, default="")
    reason = Varchar(length=200, default="")  # why a reversal was made (the operator's void reason)
    row_hash = Varchar(length=64, default="")  # the ledger hash chain over this row, its postings and its meal


class LedgerPosting(Table):
    """One side of a transaction: an amount in fen on an account (positive raises its balance); append-only."""

    txn = ForeignKey(references=LedgerTxn, on_delete=OnDelete.restrict)
    account = Varchar(length=60, index=True)
    amount_fen = Integer()


class Meal(Table):
    """A meal at a canteen with the answer given to the terminal (append-only; a void is a reversal txn)."""

    canteen = ForeignKey(references=Canteen, on_delete=OnDelete.restrict)
    senior = ForeignKey(references=Senior, on_delete=OnDelete.restrict)
    kind = Varchar(length=16)  # breakfast | lunch | dinner
    price_fen = Integer()
    subsidy_fen = Integer()
    paid_fen = Integer()
    balance_after_fen = Integer()
    eaten_at = Timestamptz()
    book_date = Date(index=True)
    idempotency_key = Varchar(length=120)
    request_hash = Varchar(length=64)
    txn = ForeignKey(references=LedgerTxn, null=True, on_delete=OnDelete.restrict)
    device = ForeignKey(references=Terminal, null=True, on_delete=OnDelete.restrict)
    operator = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    verified_by = Varchar(length=16, default="card")  # card | qr | photo | proxy (center.domain.verification)
    proxy_name = Varchar(length=40, default="")  # who collected the meal for the senior (verified_by = proxy)
    verification_ref = Varchar(length=40, default="")  # the dynamic QR's nonce: used once (unique where qr)


class SeniorLink(Table):
    """A senior's own phone page (/my/{token}) for the senior or a family member: the dynamic QR the canteen scans
    and the bookings. The token is shown once and stored hashed; a family member's link records the senior's
    consent (who recorded it, and how)."""

    senior = ForeignKey(references=Senior, on_delete=OnDelete.restrict)
    token_hash = Varchar(length=64, unique=True)
    holder = Varchar(length=16, default="self")  # self | family
    holder_name = Varchar(length=40, default="")
    relation = Varchar(length=20, default="")  # 子女, 配偶… (family)
    consent_note = Varchar(length=200, default="")  # how the senior's consent was given (family)
    created_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class MenuDish(Table):
    """A dish on a canteen's weekly menu: its day, meal kind, price and marks (低糖, 软食…)."""

    canteen = ForeignKey(references=Canteen, on_delete=OnDelete.restrict)
    day = Date(index=True)
    kind = Varchar(length=16)  # breakfast | lunch | dinner
    name = Varchar(length=40)
    price_fen = Integer()
    marks = Varchar(length=60, default="")  # separated by 、
    active = Boolean(default=True)  # False: taken off the menu (bookings keep it)
    created_at = Timestamptz()


class Booking(Table):
    """A meal booked ahead (订餐) by the senior, a family member on the senior's phone page, or an operator on the
    phone; eaten at the canteen or delivered (送餐上门). A delivered booking is recorded as a meal by the deliverer
    (idempotency key booking:{id})."""

    senior = ForeignKey(references=Senior, on_delete=OnDelete.restrict)
    canteen = ForeignKey(references=Canteen, on_delete=OnDelete.restrict)
    day = Date(index=True)
    kind = Varchar(length=16)
    dish = ForeignKey(references=MenuDish, on_delete=OnDelete.restrict)
    delivery = Boolean(default=False)
    route = Varchar(length=20, default="")  # the delivery round (送餐路线)
    building = Varchar(length=40, default="")
    room = Varchar(length=20, default="")
    booked_by = Varchar(length=16, default="self")  # self | family | phone
    link = ForeignKey(references=SeniorLink, null=True, on_delete=OnDelete.restrict)
    operator = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    state = Varchar(length=16, default="booked")  # booked | cancelled | delivered | served
    meal = ForeignKey(references=Meal, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)


class ClosedMonth(Table):
    """A month a manager closed: no more postings dated in it; corrections go into an open month."""

    month = Date(unique=True)  # the first day of the month
    closed_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    closed_at = Timestamptz()


class ClosedCanteenMonth(Table):
    """A month closed for one canteen (a ClosedMonth row closes it for every canteen of the district)."""

    canteen = ForeignKey(references=Canteen, on_delete=OnDelete.restrict)
    month = Date()  # the first day of the month; unique with the canteen
    closed_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    closed_at = Timestamptz()


class HallQueue(Table):
    """A queue of the hall (队列): a code letter, a name, the catalog categories it serves, its daily maximum."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    code = Varchar(length=1)  # A–Z, unique within the center (unique index with the center)
    name = Varchar(length=20)
    categories = Text(default="[]")  # JSON list of category ids this queue serves
    daily_max = Integer(default=300)  # tickets a day; the take page says when it is reached
    # At most this many priority tickets are called in a row before a waiting ordinary one (1: every other call).
    priority_run = Integer(default=1)
    active = Boolean(default=True)
    sort_order = Integer(default=0)


class HallWindow(Table):
    """A numbered window (窗口) of the hall and the queues it serves today; a worker opens, pauses and leaves it."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    number = Varchar(length=20)  # as on the sign above it, unique within the center
    queues = Text(default="[]")  # JSON list of queue codes served
    extended = Boolean(default=False)  # the window that serves extended hours (延时/值班): tickets go there then
    paused = Boolean(default=False)  # 暂停: taken off the queue
    staff = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)  # who sits there now
    opened_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()


class TicketCounter(Table):
    """The last number handed out per queue and local day: one atomic upsert per ticket, never a number twice."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    queue_code = Varchar(length=1)
    day = Date()
    last_no = Integer(default=0)


class Ticket(Table):
    """A numbered ticket (取号票) from the door to the window; its token is the resident's page. No personal data."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    queue = ForeignKey(references=HallQueue, on_delete=OnDelete.restrict)
    day = Date()  # the local day it was taken
    number = Integer()
    ticket_no = Varchar(length=8)  # "A012": unique per center and day
    token = Varchar(length=40, unique=True)
    priority = Boolean(default=False)  # 老年人、残疾人优先
    state = Varchar(length=16, index=True)  # waiting | called | serving | done | no_show
    target_window = Varchar(length=20, default="")  # only this window may call it ("": any window of its queue)
    window = Varchar(length=20, default="")  # the window that called it
    taken_at = Timestamptz()
    order_at = Timestamptz()  # its place in time: kept on a transfer and on a return
    called_at = Timestamptz(null=True, default=None)
    last_called_at = Timestamptz(null=True, default=None)
    calls = Integer(default=0)
    called_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    no_show_at = Timestamptz(null=True, default=None)
    returned = Boolean(default=False)  # came back once after 过号
    visit = ForeignKey(references=Visit, null=True, on_delete=OnDelete.restrict)
    case = ForeignKey(references=Case, null=True, on_delete=OnDelete.restrict)
    client = Varchar(length=64, default="")  # the address that took it (the per-address limit)
    printer = Integer(null=True, default=None)  # ticket_printer.id when a registered printer took it
    version = Integer(default=1)


class TicketCall(Table):
    """Every call and recall as the hall heard it (append-only): the screen's last calls and the figures."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    ticket = ForeignKey(references=Ticket, on_delete=OnDelete.restrict)
    ticket_no = Varchar(length=8)
    window = Varchar(length=20)
    kind = Varchar(length=8)  # call | recall
    at = Timestamptz(index=True)


class TicketPrinter(Table):
    """A registered ticket printer at a hall door: a bearer token (stored hashed) exempt from the per-address limit."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    name = Varchar(length=60)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class RatingReason(Table):
    """A reason a resident may tick with a rating (服务态度, 办事效率…), kept as data for the district to edit."""

    code = Varchar(length=20, unique=True)
    label = Varchar(length=30)
    sort_order = Integer(default=0)
    active = Boolean(default=True)


class Rating(Table):
    """One rating of one finished service (好差评), append-only: `subject` makes it once per service (一次一评)."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    case = ForeignKey(references=Case, null=True, on_delete=OnDelete.restrict)
    subject = Varchar(length=60, unique=True)  # "case:<id>"
    channel = Varchar(length=16)  # phone | pad | callback
    score = Integer()  # 5 非常满意 … 1 非常不满意
    reasons = Text(default="[]")  # JSON list of rating_reason codes
    comment = Text(default="")
    worker = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)  # who first received the case
    window = Varchar(length=20, default="")
    item = ForeignKey(references=Item, null=True, on_delete=OnDelete.restrict)
    method = Varchar(length=16, default="")  # a callback's method (phone, visit, sms, wechat)
    entered_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)  # a callback's caller
    at = Timestamptz(index=True)


class RatingFollowup(Table):
    """The follow-up (整改) of one bad rating: its state, each step's deadline and day, and the published feedback."""

    rating = ForeignKey(references=Rating, unique=True, on_delete=OnDelete.restrict)
    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    state = Varchar(length=16, index=True)  # pending | fixing | fixed | unfounded | closed
    due_on = Date(null=True, default=None)  # the deadline of the step it waits for
    verify_due = Date()
    verified_on = Date(null=True, default=None)
    founded = Boolean(null=True, default=None)  # 核实: 属实 / 不属实
    fix_due = Date(null=True, default=None)
    fixed_on = Date(null=True, default=None)
    fixed_on_time = Boolean(null=True, default=None)
    feedback = Text(default="")  # what the resident was told: shown on /s/{token}
    closed_on = Date(null=True, default=None)
    appeal = Varchar(length=16, default="")  # "" | pending | upheld | rejected
    version = Integer(default=1)
    updated_at = Timestamptz()


class RatingEvent(Table):
    """Every step of a follow-up and of an appeal, with who and when (append-only)."""

    followup = ForeignKey(references=RatingFollowup, on_delete=OnDelete.restrict)
    at = Timestamptz()
    actor = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)  # None: opened by the rating
    action = Varchar(length=20)  # open | verify | fix | feedback | appeal | decide
    from_state = Varchar(length=16, default="")
    to_state = Varchar(length=16, default="")
    note = Text(default="")


class RatingAttempt(Table):
    """Every submission of a rating, counted per token and per address for the rate limit."""

    key = Varchar(length=80, index=True)  # "token:<token>" or "ip:<address>"
    at = Timestamptz(index=True)
    outcome = Varchar(length=16)  # rated | refused


class RatingPad(Table):
    """A rating pad (评价器) at a window: a bearer token (stored hashed) that binds the tablet to the window."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    window = Varchar(length=20)
    name = Varchar(length=60, default="")
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class Grid(Table):
    """A grid (网格) of a center, with its grid worker (网格员) to whom the demands from its buildings go."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    code = Varchar(length=20)  # unique per center (constraints migration)
    name = Varchar(length=60)
    worker = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    sort_order = Integer(default=0)


class Compound(Table):
    """A residential compound (小区) of a center; its grid is where an order naming no known building goes."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    grid = ForeignKey(references=Grid, null=True, on_delete=OnDelete.restrict)
    name = Varchar(length=60)  # unique per center


class Building(Table):
    """A building (楼栋) with its steward (楼栋长/红管家); each belongs to one grid."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    compound = ForeignKey(references=Compound, on_delete=OnDelete.restrict)
    grid = ForeignKey(references=Grid, on_delete=OnDelete.restrict)
    name = Varchar(length=20)  # unique per compound
    steward = Varchar(length=40, default="")
    steward_phone = Varchar(length=20, default="")


class DemandKind(Table):
    """A kind of demand and its deadlines: the district's, seeded with center.domain.demands.DEFAULT_KINDS."""

    code = Varchar(length=20, unique=True)
    label = Varchar(length=20)
    sign_hours = Integer(default=2)
    contact_hours = Integer(default=8)
    resolve_days = Integer(default=13)
    sort_order = Integer(default=0)
    active = Boolean(default=True)


class Household(Table):
    """A household in the 帮办代办 register: who needs help (tags), where, and their agent (代办员). The ID number
    and phone are shown masked; each reveal is audit-logged."""

    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    name = Varchar(length=40)
    id_number = Varchar(length=18, default="")
    phone = Varchar(length=20, default="")
    address = Varchar(length=200, default="")
    building = ForeignKey(references=Building, null=True, on_delete=OnDelete.restrict)
    tags = Text(default="[]")  # JSON list: 独居 空巢 残疾 低保 高龄
    agent = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    note = Varchar(length=500, default="")
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Demand(Table):
    """One resident demand (民情诉求), a work order from any channel, with where it is now."""

    code = Varchar(length=16, unique=True)  # our number (D + yymmdd + sequence)
    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    channel = Varchar(length=16)  # counter | phone | grid | hotline | app
    source_no = Varchar(length=40, null=True, default=None, unique=True)  # 12345's 工单编号 (idempotent import)
    kind = Varchar(length=20)
    content = Text()
    address = Varchar(length=200, default="")
    compound = ForeignKey(references=Compound, null=True, on_delete=OnDelete.restrict)
    building = ForeignKey(references=Building, null=True, on_delete=OnDelete.restrict)
    grid = ForeignKey(references=Grid, null=True, on_delete=OnDelete.restrict)
    assignee = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    resident_name = Varchar(length=40, default="")
    phone = Varchar(length=20, default="")
    visit = ForeignKey(references=Visit, null=True, on_delete=OnDelete.restrict)
    household = ForeignKey(references=Household, null=True, on_delete=OnDelete.restrict)  # a 代办 order's household
    created_by = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    received_at = Timestamptz(index=True)
    state = Varchar(length=16, index=True)
    sign_due = Timestamptz()
    contact_due = Timestamptz()
    due_on = Date()  # 办结, moved by an approved extension
    signed_at = Timestamptz(null=True, default=None)
    signed_on_time = Boolean(null=True, default=None)
    contacted_at = Timestamptz(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    resolved_on_time = Boolean(null=True, default=None)
    result = Text(default="")
    callback_due = Date(null=True, default=None)
    callback_at = Timestamptz(null=True, default=None)
    solved = Boolean(null=True, default=None)
    satisfaction = Varchar(length=16, default="")  # satisfied | basic | dissatisfied
    extension_days = Integer(null=True, default=None)  # a request waiting for the manager
    urge_count = Integer(default=0)
    whistle_department = Varchar(length=60, default="")  # a 吹哨 waiting for the department's answer
    version = Integer(default=1)
    updated_at = Timestamptz()


class DemandEvent(Table):
    """Every step of an order, with who and when (append-only)."""

    demand = ForeignKey(references=Demand, on_delete=OnDelete.restrict)
    at = Timestamptz()
    actor = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    action = Varchar(length=20)  # open | assign | sign | contact | ... (center.domain.demands.Action)
    from_state = Varchar(length=16, default="")
    to_state = Varchar(length=16, default="")
    note = Text(default="")


class DemandCase(Table):
    """A catalog case a 代办 order opened on the resident's behalf, and whether the 委托书 was received (append-only)."""

    demand = ForeignKey(references=Demand, on_delete=OnDelete.restrict)
    case = ForeignKey(references=Case, unique=True, on_delete=OnDelete.restrict)
    attorney = Boolean(default=False)  # the power of attorney (委托书) was received with the materials
    at = Timestamptz()
    actor = ForeignKey(references=Staff, on_delete=OnDelete.restrict)


class HomeVisit(Table):
    """A home visit (上门服务) to a household: the day, who went and what was done (append-only)."""

    household = ForeignKey(references=Household, on_delete=OnDelete.restrict)
    day = Date()
    who = Varchar(length=100)
    what = Text()
    demand = ForeignKey(references=Demand, null=True, on_delete=OnDelete.restrict)
    recorded_by = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    at = Timestamptz()


class DemandUpload(Table):
    """An uploaded spreadsheet waiting for its confirmation (12345 orders or the grid), then what it did."""

    token = Varchar(length=64, unique=True)
    center = ForeignKey(references=Center, on_delete=OnDelete.restrict)
    kind = Varchar(length=16)  # hotline | grid
    filename = Varchar(length=200, default="")
    sha256 = Varchar(length=64)
    content = Bytea()
    uploaded_by = ForeignKey(references=Staff, on_delete=OnDelete.restrict)
    uploaded_at = Timestamptz()
    imported_at = Timestamptz(null=True, default=None)
    summary = Text(default="")


ALL_TABLES: tuple[type[Table], ...] = (
    Center, Staff, WebSession, LoginAttempt, AuditLog, JobRun,
    CalendarOverride, CalendarNotice, Category, Item, Material, ItemVersion, Visit, Case, CaseEvent, CaseReminder,
    HoursPeriod, HoursSeason, HoursException, Announcement, ShiftType, ShiftEligibility, Assignment, Leave,
    RosterWeek, RosterChange, SwapRequest,
    Canteen, Senior, Terminal, SubsidyPolicy, DiningPolicy, SeniorCategory, LedgerTxn, LedgerPosting, Meal, SeniorLink, MenuDish, Booking, ClosedMonth,
    ClosedCanteenMonth, HallQueue, HallWindow, TicketCounter, Ticket, TicketCall, TicketPrinter,
    RatingReason, Rating, RatingFollowup, RatingEvent, RatingAttempt, RatingPad,
    Grid, Compound, Building, DemandKind, Household, Demand, DemandEvent, DemandCase, HomeVisit, DemandUpload,
)
