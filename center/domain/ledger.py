"""The senior dining subsidy ledger: append-only double entry in integer fen.

Seed 001 and issue #5: residents aged 65+ get a yearly allowance (20000 fen in the reference district) spent meal
by meal at community canteens. Every movement is a transaction of postings that sum to zero: a grant moves money
from the district fund to a senior's allowance; a meal moves the subsidy from the allowance to the canteen's
receivable; a reversal mirrors an earlier transaction; at year end the rest expires back to the fund or carries
over to next year's allowance. Balances are sums of postings; nothing is ever updated or deleted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Iterable, Sequence

from center.domain import DomainError


class LedgerError(DomainError):
    pass


class TxnKind(StrEnum):
    grant = "grant"  # 发放
    meal = "meal"  # 扣减
    reversal = "reversal"  # 冲正
    expiry = "expiry"  # 清零
    carry = "carry"  # 结转
    operating = "operating"  # 运营补贴: owed to a canteen by a fund, posted at month close (issue #16)


KIND_LABELS = {TxnKind.grant: "发放", TxnKind.meal: "就餐扣减", TxnKind.reversal: "冲正", TxnKind.expiry: "年末清零",
               TxnKind.carry: "年末结转",
               TxnKind.operating: "运营补贴"}


class YearEnd(StrEnum):
    expire = "expire"
    carry = "carry"


class BirthdayRule(StrEnum):
    full = "full"
    prorata = "prorata"


ELIGIBLE_AGE = 65


class AccountKind(StrEnum):
    fund = "fund"  # the district's fund of a year: fund:2026
    allowance = "allowance"  # a senior's allowance of a year: allowance:12:2026
    canteen = "canteen"  # what the district owes a canteen: canteen:3
    operating = "operating"  # the operating subsidy owed to a canteen: operating:3


DISTRICT_SOURCE = "区财政"  # the district's own fund, the account fund:{year} since issue #5


def fund(year: int, source: str = DISTRICT_SOURCE) -> str:
    """A funding source's account of a year (issue #16): fund:2026 for the district's own fund (区财政), and
    fund:2026:福彩公益金 for any other source a policy names."""
    return f"fund:{year}" if source == DISTRICT_SOURCE else f"fund:{year}:{source}"


def allowance(senior_id: int, year: int) -> str:
    return f"allowance:{senior_id}:{year}"


def receivable(canteen_id: int) -> str:
    return f"canteen:{canteen_id}"


def operating(canteen_id: int) -> str:
    """The operating subsidy owed to a canteen (kept apart from the meal subsidies it is reimbursed)."""
    return f"operating:{canteen_id}"


def operating_postings(source: str, year: int, canteen_id: int, amount_fen: int) -> tuple[Posting, ...]:
    return (Posting(fund(year, source), -amount_fen), Posting(operating(canteen_id), amount_fen))


@dataclass(frozen=True)
class Account:
    """An account name read back: its kind and the senior, canteen and year it names."""

    kind: AccountKind
    year: int | None = None
    senior_id: int | None = None
    canteen_id: int | None = None
    source: str | None = None


def parse_account(name: str) -> Account:
    """The one reading of an account name (the inverse of fund, allowance and receivable): 'fund:2026',
    'fund:2026:福彩公益金', 'allowance:12:2026', 'canteen:3'; any other name is a LedgerError."""
    kind, *parts = name.split(":")
    if kind == AccountKind.fund and len(parts) == 2 and parts[0].isdigit() and parts[1]:
        return Account(AccountKind.fund, year=int(parts[0]), source=parts[1])
    try:
        numbers = [int(part) for part in parts]
        if kind == AccountKind.fund and len(numbers) == 1:
            return Account(AccountKind.fund, year=numbers[0], source=DISTRICT_SOURCE)
        if kind == AccountKind.allowance and len(numbers) == 2:
            return Account(AccountKind.allowance, senior_id=numbers[0], year=numbers[1])
        if kind == AccountKind.canteen and len(numbers) == 1:
            return Account(AccountKind.canteen, canteen_id=numbers[0])
        if kind == AccountKind.operating and len(numbers) == 1:
            return Account(AccountKind.operating, canteen_id=numbers[0])
    except ValueError:
        pass
    raise LedgerError(f"无法识别的账户：{name}")


def is_allowance(name: str) -> bool:
    """A senior's allowance (the accounts that may never go below zero)."""
    return parse_account(name).kind == AccountKind.allowance


@dataclass(frozen=True)
class Policy:
    """A year's rules (a manager's setting): allowance, per-meal cap (None: no cap), what happens at year end."""

    year: int
    annual_fen: int = 20000
    per_meal_cap_fen: int | None = None
    year_end: YearEnd = YearEnd.expire
    birthday_rule: BirthdayRule = BirthdayRule.full

    def __post_init__(self) -> None:
        if self.annual_fen < 0 or (self.per_meal_cap_fen is not None and self.per_meal_cap_fen < 0):
            raise LedgerError("金额不能为负数")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday_in(birth: date, year: int) -> date:
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a common year: the birthday is celebrated on 1 March
        return date(year, 3, 1)


def eligible_on(birth: date, day: date) -> bool:
    """Eligibility: aged 65 or more on the meal date."""
    return age_on(birth, day) >= ELIGIBLE_AGE


def check_eligible(birth: date, day: date) -> None:
    """A meal is subsidised only for a senior aged 65 or more on the meal date (eligible_on); otherwise refused."""
    if not eligible_on(birth, day):
        raise LedgerError(f"该老人就餐当日 {age_on(birth, day)} 周岁，未满 65 周岁，不能享受就餐补贴")


def grant_date(birth: date, year: int) -> date | None:
    """When a senior's allowance of `year` is granted: 1 January, or the 65th birthday if it falls in the year."""
    sixty_fifth = birthday_in(birth, birth.year + ELIGIBLE_AGE)
    if sixty_fifth.year > year:
        return None
    return max(date(year, 1, 1), sixty_fifth)


def grant_amount(policy: Policy, birth: date) -> int:
    """The whole allowance, or pro rata from the 65th birthday when the policy says so (days left / days in year)."""
    on = grant_date(birth, policy.year)
    if on is None:
        return 0
    if policy.birthday_rule == BirthdayRule.full or on == date(policy.year, 1, 1):
        return policy.annual_fen
    days_in_year = (date(policy.year + 1, 1, 1) - date(policy.year, 1, 1)).days
    days_left = (date(policy.year + 1, 1, 1) - on).days
    return policy.annual_fen * days_left // days_in_year


def subsidy_for(price_fen: int, cap_fen: int | None, balance_fen: int) -> int:
    """subsidy = min(price, per-meal cap, balance); the senior pays the rest."""
    if price_fen < 0:
        raise LedgerError("价格不能为负数")
    return max(0, min(price_fen, balance_fen, price_fen if cap_fen is None else cap_fen))


@dataclass(frozen=True)
class Posting:
    account: str
    amount_fen: int  # positive increases the account's balance


@dataclass(frozen=True)
class Txn:
    id: int
    kind: TxnKind
    postings: tuple[Posting, ...]
    senior_id: int | None = None
    year: int | None = None
    key: str | None = None
    reverses: int | None = None


def grant_postings(senior_id: int, year: int, amount_fen: int, source: str = DISTRICT_SOURCE) -> tuple[Posting, ...]:
    return (Posting(fund(year, source), -amount_fen), Posting(allowance(senior_id, year), amount_fen))


def meal_postings(senior_id: int, year: int, canteen_id: int, subsidy_fen: int) -> tuple[Posting, ...]:
    return (Posting(allowance(senior_id, year), -subsidy_fen), Posting(receivable(canteen_id), subsidy_fen))


def reversal_postings(original: Sequence[Posting]) -> tuple[Posting, ...]:
    """A reversal mirrors its transaction: every posting negated."""
    return tuple(Posting(p.account, -p.amount_fen) for p in original)


def year_end_postings(senior_id: int, year: int, balance_fen: int, rule: YearEnd,
                      source_account: str | None = None) -> tuple[Posting, ...]:
    """Year end: the rest carries over to next year's allowance, or expires back to the fund it was granted from."""
    if rule == YearEnd.carry:
        return (Posting(allowance(senior_id, year), -balance_fen), Posting(allowance(senior_id, year + 1), balance_fen))
    return (Posting(allowance(senior_id, year), -balance_fen), Posting(source_account or fund(year), balance_fen))


def source_postings(source: str, year: int, canteen_id: int, subsidy_fen: int) -> tuple[Posting, ...]:
    """A meal paid by a per-meal, percentage or free scheme: straight from its funding source to the canteen."""
    return (Posting(fund(year, source), -subsidy_fen), Posting(receivable(canteen_id), subsidy_fen))


def balances(postings: Iterable[Posting]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for p in postings:
        totals[p.account] += p.amount_fen
    return dict(totals)


@dataclass
class Violations:
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_invariants(txns: Sequence[Txn]) -> Violations:
    """The ledger's invariants: every transaction balances (debits = credits); no allowance below zero; each
    senior's balance = grants − deductions + reversals − expiries/carries out + carries in; each reversal mirrors
    an existing transaction, at most once; idempotency keys are unique."""
    found = Violations()
    keys: set[str] = set()
    by_id = {t.id: t for t in txns}
    reversed_once: set[int] = set()
    for t in txns:
        if sum(p.amount_fen for p in t.postings) != 0:
            found.problems.append(f"txn {t.id} does not balance")
        if t.key is not None:
            if t.key in keys:
                found.problems.append(f"idempotency key {t.key} used twice")
            keys.add(t.key)
        if t.kind == TxnKind.reversal:
            original = by_id.get(t.reverses or -1)
            if original is None:
                found.problems.append(f"reversal {t.id} mirrors nothing")
            else:
                if t.reverses in reversed_once:
                    found.problems.append(f"txn {t.reverses} reversed twice")
                reversed_once.add(t.reverses)
                if balances(t.postings) != {a: -v for a, v in balances(original.postings).items()}:
                    found.problems.append(f"reversal {t.id} does not mirror txn {t.reverses}")
    all_postings = [p for t in txns for p in t.postings]
    totals = balances(all_postings)
    for account, value in totals.items():
        if is_allowance(account) and value < 0:
            found.problems.append(f"{account} below zero: {value}")
    # Per senior and year: the balance is the sum of its movements by kind.
    by_kind: dict[str, dict[TxnKind, int]] = defaultdict(lambda: defaultdict(int))
    for t in txns:
        for p in t.postings:
            if is_allowance(p.account):
                by_kind[p.account][t.kind] += p.amount_fen
    for account, kinds in by_kind.items():
        derived = (kinds[TxnKind.grant] + kinds[TxnKind.meal] + kinds[TxnKind.reversal] + kinds[TxnKind.expiry]
                   + kinds[TxnKind.carry])
        if derived != totals.get(account, 0):
            found.problems.append(f"{account} balance {totals.get(account, 0)} != movements {derived}")
    return found


def running_balance_never_negative(txns: Sequence[Txn]) -> bool:
    """Replaying the transactions in order, no allowance ever dips below zero."""
    running: dict[str, int] = defaultdict(int)
    for t in txns:
        for p in t.postings:
            running[p.account] += p.amount_fen
            if is_allowance(p.account) and running[p.account] < 0:
                return False
    return True


class IdempotencyConflict(LedgerError):
    """The same idempotency key came with another request body."""


@dataclass(frozen=True)
class MealDecision:
    subsidy_fen: int
    paid_fen: int
    balance_after_fen: int
    replay: bool = False


def replay(previous_hash: str, previous: MealDecision, request_hash: str) -> MealDecision:
    """A key already used (Idempotency-Key): the same request answers as it did and deducts nothing more; another
    body with the same key is a conflict."""
    if previous_hash != request_hash:
        raise IdempotencyConflict("该幂等键已用于另一笔不同的就餐记录")
    return MealDecision(previous.subsidy_fen, previous.paid_fen, previous.balance_after_fen, replay=True)


def check_price(price_fen: int) -> None:
    """A meal's price is 1 fen to 1000 yuan."""
    if price_fen < 0:
        raise LedgerError("价格不能为负数")
    if price_fen == 0:
        raise LedgerError("价格须大于 0（至少 1 分）")
    if price_fen > 100_000:
        raise LedgerError("价格不能超过 1000 元")


def decide(*, price_fen: int, cap_fen: int | None, balance_fen: int) -> MealDecision:
    """The subsidy of a new meal: a price of 1 fen to 1000 yuan; subsidy = min(price, cap, balance) (subsidy_for),
    the senior pays the rest."""
    check_price(price_fen)
    subsidy = subsidy_for(price_fen, cap_fen, balance_fen)
    return MealDecision(subsidy, price_fen - subsidy, balance_fen - subsidy)
