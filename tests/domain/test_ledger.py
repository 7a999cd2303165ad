"""The pure ledger: subsidy rule, eligibility, grants, and invariants under any sequence of operations."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from center.domain.ledger import (
    BirthdayRule,
    IdempotencyConflict,
    LedgerError,
    Policy,
    Posting,
    Txn,
    TxnKind,
    YearEnd,
    age_on,
    allowance,
    balances,
    check_eligible,
    check_invariants,
    decide,
    eligible_on,
    fund,
    grant_amount,
    grant_date,
    grant_postings,
    meal_postings,
    parse_account,
    receivable,
    replay,
    reversal_postings,
    running_balance_never_negative,
    subsidy_for,
    year_end_postings,
)


@pytest.mark.parametrize(("price", "cap", "balance", "subsidy"),
                         [(1500, None, 20000, 1500), (1500, None, 500, 500), (1500, 800, 20000, 800), (1500, None, 0, 0),
                          (0, None, 100, 0)])
def test_subsidy_is_the_smallest_of_price_cap_and_balance(price, cap, balance, subsidy):
    assert subsidy_for(price, cap, balance) == subsidy


def test_eligible_from_the_65th_birthday():
    birth = date(1961, 6, 15)
    assert not eligible_on(birth, date(2026, 6, 14)) and eligible_on(birth, date(2026, 6, 15))
    assert age_on(date(1960, 2, 29), date(2025, 2, 28)) == 64 and age_on(date(1960, 2, 29), date(2025, 3, 1)) == 65


def test_grant_on_new_year_or_birthday_full_or_pro_rata():
    assert grant_date(date(1950, 3, 3), 2026) == date(2026, 1, 1)
    assert grant_date(date(1961, 7, 2), 2026) == date(2026, 7, 2)
    assert grant_date(date(1962, 7, 2), 2026) is None
    full = Policy(2026)
    assert grant_amount(full, date(1961, 7, 2)) == 20000
    prorata = Policy(2026, birthday_rule=BirthdayRule.prorata)
    assert grant_amount(prorata, date(1961, 7, 2)) == 20000 * 183 // 365
    assert grant_amount(prorata, date(1950, 1, 1)) == 20000


def test_replay_and_conflict():
    first = decide(price_fen=1500, cap_fen=None, balance_fen=20000)
    assert (first.subsidy_fen, first.paid_fen, first.balance_after_fen) == (1500, 0, 18500)
    again = replay("h1", first, request_hash="h1")
    assert again.replay and again.balance_after_fen == 18500
    with pytest.raises(IdempotencyConflict):
        replay("h1", first, request_hash="h2")


def test_a_senior_under_65_on_the_meal_date_is_refused():
    check_eligible(date(1961, 11, 24), date(2026, 11, 24))  # 65 today
    with pytest.raises(LedgerError, match="64 周岁，未满 65"):
        check_eligible(date(1961, 11, 25), date(2026, 11, 24))


@pytest.mark.parametrize(("name", "parts"), [
    (fund(2026), {"kind": "fund", "year": 2026, "source": "区财政"}),
    (fund(2026, "福彩公益金"), {"kind": "fund", "year": 2026, "source": "福彩公益金"}),
    (allowance(12, 2026), {"kind": "allowance", "senior_id": 12, "year": 2026}),
    (receivable(3), {"kind": "canteen", "canteen_id": 3}),
])
def test_an_account_name_reads_back_as_its_parts(name, parts):
    account = parse_account(name)
    assert {k: v for k, v in vars(account).items() if v is not None} == parts


@pytest.mark.parametrize("name", ["", "fund", "fund:x", "allowance:12", "canteen:3:4", "wallet:1"])
def test_an_unknown_account_name_is_refused(name):
    with pytest.raises(LedgerError, match="无法识别的账户"):
        parse_account(name)


def test_a_broken_ledger_is_caught():
    bad = [Txn(1, TxnKind.grant, (Posting("fund:2026", -100), Posting(allowance(1, 2026), 90)))]
    assert not check_invariants(bad).ok
    negative = [Txn(1, TxnKind.meal, meal_postings(1, 2026, 1, 100))]
    assert any("below zero" in p for p in check_invariants(negative).problems)
    twice = [Txn(1, TxnKind.grant, grant_postings(1, 2026, 100)),
             Txn(2, TxnKind.reversal, reversal_postings(grant_postings(1, 2026, 100)), reverses=1),
             Txn(3, TxnKind.reversal, reversal_postings(grant_postings(1, 2026, 100)), reverses=1)]
    assert any("reversed twice" in p for p in check_invariants(twice).problems)


class Book:
    """A reference ledger in memory, driven by the same rules as the service."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.txns: list[Txn] = []
        self.meals: dict[str, tuple[str, object, int]] = {}  # key -> (hash, decision, txn id)

    def balance(self, account: str) -> int:
        return balances(p for t in self.txns for p in t.postings).get(account, 0)

    def post(self, kind, postings, **kw) -> int:
        txn_id = len(self.txns) + 1
        self.txns.append(Txn(txn_id, kind, tuple(postings), **kw))
        return txn_id

    def grant(self, senior: int, year: int) -> None:
        key = f"grant:{senior}:{year}"
        if any(t.key == key for t in self.txns):
            return
        self.post(TxnKind.grant, grant_postings(senior, year, self.policy.annual_fen), senior_id=senior, year=year, key=key)

    def meal(self, senior: int, year: int, canteen: int, price: int, key: str) -> None:
        request_hash = f"{senior}:{price}:{canteen}"
        previous = self.meals.get(key)
        try:
            if previous is not None:
                decision = replay(previous[0], previous[1], request_hash)
            else:
                decision = decide(price_fen=price, cap_fen=self.policy.per_meal_cap_fen,
                                  balance_fen=self.balance(allowance(senior, year)))
        except LedgerError:  # a conflict or a refused price: nothing is posted
            return
        if decision.replay:
            return
        txn_id = self.post(TxnKind.meal, meal_postings(senior, year, canteen, decision.subsidy_fen), senior_id=senior,
                           year=year, key=f"meal:{key}")
        self.meals[key] = (request_hash, decision, txn_id)

    def reverse(self, index: int) -> None:
        candidates = [t for t in self.txns if t.kind == TxnKind.meal
                      and not any(r.reverses == t.id for r in self.txns)]
        if candidates:
            original = candidates[index % len(candidates)]
            self.post(TxnKind.reversal, reversal_postings(original.postings), senior_id=original.senior_id,
                      year=original.year, reverses=original.id)

    def year_end(self, year: int, seniors: list[int]) -> None:
        for senior in seniors:
            key = f"yearend:{senior}:{year}"
            left = self.balance(allowance(senior, year))
            if left > 0 and not any(t.key == key for t in self.txns):
                kind = TxnKind.carry if self.policy.year_end == YearEnd.carry else TxnKind.expiry
                self.post(kind, year_end_postings(senior, year, left, self.policy.year_end), senior_id=senior,
                          year=year, key=key)


operations = st.lists(st.one_of(
    st.tuples(st.just("grant"), st.integers(1, 4), st.integers(2025, 2027)),
    st.tuples(st.just("meal"), st.integers(1, 4), st.integers(2025, 2027), st.integers(1, 3), st.integers(0, 6000),
              st.sampled_from(["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"])),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("year_end"), st.integers(2025, 2027)),
), max_size=80)


@settings(max_examples=200, deadline=None)
@given(operations, st.sampled_from([None, 800, 1500]), st.sampled_from(list(YearEnd)))
def test_any_sequence_keeps_every_invariant(ops, cap, rule):
    book = Book(Policy(2026, per_meal_cap_fen=cap, year_end=rule))
    for op in ops:
        if op[0] == "grant":
            book.grant(op[1], op[2])
        elif op[0] == "meal":
            book.meal(op[1], op[2], op[3], op[4], op[5])
        elif op[0] == "reverse":
            book.reverse(op[1])
        else:
            book.year_end(op[1], [1, 2, 3, 4])
    result = check_invariants(book.txns)
    assert result.ok, result.problems
    assert running_balance_never_negative(book.txns)
    assert sum(p.amount_fen for t in book.txns for p in t.postings) == 0
