"""The hot statements, compiled once (center.db.prepared): those run on every staff page, at the counter and on the
meal path.

Each is a Piccolo query written as usual; its parameters are the builder's parameters (`Param` placeholders).
A module moving its hot queries here adds them below, under a heading naming the module that runs them.
"""

from __future__ import annotations

from center.db.prepared import Prepared
from center.domain.cases import OPEN_STATUSES
from piccolo.query.functions.aggregate import Sum

from center.tables import (AuditLog, Case, CaseReminder, ClosedCanteenMonth, ClosedMonth, DiningPolicy, LedgerPosting,
                           LedgerTxn, Meal, Senior, SeniorCategory, Staff, Terminal, Visit, WebSession)

# ---------------------------------------------------------------- every staff request (web.sessions, services.identity)

SESSION_BY_KEY = Prepared(lambda key: WebSession.select(WebSession.data, WebSession.expires_at).where(
    WebSession.key == key).limit(1))

USER_BY_ID = Prepared(lambda user_id: Staff.select(
    Staff.id, Staff.username, Staff.display_name, Staff.role, Staff.active,
    Staff.center.id.as_alias("center_id"), Staff.center.slug.as_alias("center_slug"),
    Staff.center.name.as_alias("center_name"),
).where(Staff.id == user_id).limit(1))

# ---------------------------------------------------------------- the hash chains' heads (services.chain)

LEDGER_HEAD = Prepared(lambda: LedgerTxn.select(LedgerTxn.row_hash).order_by(LedgerTxn.id, ascending=False).limit(1))
AUDIT_HEAD = Prepared(lambda: AuditLog.select(AuditLog.row_hash).order_by(AuditLog.id, ascending=False).limit(1))

# ---------------------------------------------------------------- the counter's sidebar and lookup (services.cases)

OPEN_CASES_LIMIT = 200


def _open_cases(center, owner=None):
    query = Case.select(
        Case.id, Case.code, Case.status, Case.due_on, Case.accepted_at, Case.owner,
        Case.item.name.as_alias("item_name"), Case.owner.display_name.as_alias("owner_name"),
        Case.visit.resident_name.as_alias("resident_name"),
    ).where((Case.center == center) & Case.status.is_in([s.value for s in OPEN_STATUSES]))
    if owner is not None:
        query = query.where(Case.owner == owner)
    return query.order_by(Case.due_on).limit(OPEN_CASES_LIMIT)


OPEN_CASES = Prepared(_open_cases, "center")
MY_OPEN_CASES = Prepared(_open_cases, "center", "owner")

LOOKUP_LIMIT = 8


def _lookup_select():
    return Case.select(
        Case.id, Case.code, Case.center, Case.status, Case.due_on, Case.accepted_at,
        Case.item.name.as_alias("item_name"), Case.visit.resident_name.as_alias("resident_name"),
        Case.visit.phone.as_alias("phone"),
    )


CASES_BY_CODE = Prepared(lambda center, code: _lookup_select().where(
    (Case.code == code) & (Case.center == center)).limit(LOOKUP_LIMIT))
# By the visit's indexed columns only: any condition on the case's center (even `= visit.center`) makes SQLite's
# planner read all of the center's cases instead. The case's own center is checked on the few rows found.
CASES_BY_PHONE_TAIL = Prepared(lambda center, tail: _lookup_select().where(
    (Case.visit.center == center) & (Case.visit.phone_tail == tail)
).order_by(Case.accepted_at, ascending=False).limit(LOOKUP_LIMIT))
CASES_BY_PHONE = Prepared(lambda center, tail, phone: _lookup_select().where(
    (Case.visit.center == center) & (Case.visit.phone_tail == tail) & (Case.visit.phone == phone)
).order_by(Case.accepted_at, ascending=False).limit(LOOKUP_LIMIT))
CASES_BY_NAME = Prepared(lambda center, name: _lookup_select().where(
    (Case.visit.center == center) & (Case.visit.resident_name == name)
).order_by(Case.accepted_at, ascending=False).limit(LOOKUP_LIMIT))

VISITS_BETWEEN = Prepared(lambda center, start, end: Visit.select(Visit.staff).where(
    (Visit.center == center) & (Visit.created_at >= start) & (Visit.created_at <= end)))


def _reminders(day, center, owner=None):
    query = CaseReminder.select(
        CaseReminder.mark, CaseReminder.case.id.as_alias("case_id"), CaseReminder.case.code.as_alias("code"),
        CaseReminder.case.due_on.as_alias("due_on"), CaseReminder.case.status.as_alias("status"),
        CaseReminder.case.item.name.as_alias("item_name"),
        CaseReminder.case.owner.display_name.as_alias("owner_name"),
    ).where((CaseReminder.day == day) & (CaseReminder.case.center == center))
    if owner is not None:
        query = query.where(CaseReminder.case.owner == owner)
    return query.order_by(CaseReminder.mark, ascending=False)


REMINDERS = Prepared(_reminders, "day", "center")
MY_REMINDERS = Prepared(_reminders, "day", "center", "owner")

# ---------------------------------------------------------------- the meal path (services.dining): a meal in about a ms

TERMINAL_BY_TOKEN_HASH = Prepared(lambda token_hash: Terminal.select(
    Terminal.id, Terminal.canteen, Terminal.revoked_at).where(Terminal.token_hash == token_hash).limit(1))

SENIOR_BY_CARD = Prepared(lambda card: Senior.select().where(Senior.card_no == card).limit(1))

MEAL_BY_KEY = Prepared(lambda canteen, key: Meal.select().where(
    (Meal.canteen == canteen) & (Meal.idempotency_key == key)).limit(1))

# The dining policy's versions (a handful of rows; each text is parsed once per process) and a senior's categories.
POLICY_VERSIONS = Prepared(lambda: DiningPolicy.select(DiningPolicy.id, DiningPolicy.source_text).order_by(
    DiningPolicy.id))
# The caps' counts (services.dining.policies.usage_of): a senior's subsidised meals in a window with the scheme
# that paid (the meal transaction's memo), and the senior's reversals booked since the window began.
PAID_MEALS = Prepared(lambda senior, first, last: Meal.select(
    Meal.book_date, Meal.txn, Meal.txn.memo.as_alias("scheme")).where(
    (Meal.senior == senior) & (Meal.book_date >= first) & (Meal.book_date <= last) & (Meal.subsidy_fen > 0)))
SENIOR_REVERSALS = Prepared(lambda senior, first: LedgerTxn.select(LedgerTxn.reverses).where(
    (LedgerTxn.senior == senior) & (LedgerTxn.kind == "reversal") & (LedgerTxn.book_date >= first)))
SENIOR_CATEGORIES = Prepared(lambda senior: SeniorCategory.select(
    SeniorCategory.category, SeniorCategory.since, SeniorCategory.until).where(SeniorCategory.senior == senior))

ACCOUNT_BALANCE = Prepared(lambda account: LedgerPosting.select(
    Sum(LedgerPosting.amount_fen).as_alias("total")).where(LedgerPosting.account == account))

DISTRICT_MONTH_CLOSED = Prepared(lambda month: ClosedMonth.select(ClosedMonth.id).where(
    ClosedMonth.month == month).limit(1))

CANTEEN_MONTH_CLOSED = Prepared(lambda canteen, month: ClosedCanteenMonth.select(ClosedCanteenMonth.id).where(
    (ClosedCanteenMonth.canteen == canteen) & (ClosedCanteenMonth.month == month)).limit(1))

INSERT_TXN = Prepared(
    lambda kind, at, book_date, year, senior, canteen, reverses, key, actor, memo, reason, row_hash: LedgerTxn.insert(
        LedgerTxn(kind=kind, at=at, book_date=book_date, year=year, senior=senior, canteen=canteen, reverses=reverses,
                  idempotency_key=key, actor=actor, memo=memo, reason=reason, row_hash=row_hash)
    ).returning(LedgerTxn.id))

INSERT_POSTING = Prepared(
    lambda txn, account, amount: LedgerPosting.insert(LedgerPosting(txn=txn, account=account, amount_fen=amount)))

INSERT_MEAL = Prepared(
    lambda canteen, senior, kind, price, subsidy, paid, after, eaten_at, book_date, key, fingerprint, txn, device,
    operator, created_at, verified_by, proxy_name, verification_ref: Meal.insert(Meal(
        canteen=canteen, senior=senior, kind=kind, price_fen=price, subsidy_fen=subsidy, paid_fen=paid,
        balance_after_fen=after, eaten_at=eaten_at, book_date=book_date, idempotency_key=key,
        request_hash=fingerprint, txn=txn, device=device, operator=operator, created_at=created_at,
        verified_by=verified_by, proxy_name=proxy_name, verification_ref=verification_ref,
    )).returning(Meal.id))
