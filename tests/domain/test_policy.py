"""Dining policy rules (issue #16): who a scheme is for, how each way of paying pays, the caps, the most favourable
scheme, the policy in force on a day, and every refusal of a policy file in Chinese. The properties at the end
replay random policies, seniors and meals through the same rules the canteen desk uses."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from center.domain.ledger import (
    Txn,
    TxnKind,
    allowance,
    balances,
    check_invariants,
    fund,
    grant_postings,
    receivable,
    running_balance_never_negative,
)
from center.domain.policy import (
    CATEGORIES,
    NotEligible,
    Pays,
    Policy,
    PolicyError,
    Scheme,
    Usage,
    allowance_amount,
    allowance_grant_date,
    allowance_policy_text,
    check_schemes,
    choose,
    in_force,
    most_favourable,
    parse_policy,
    postings_for,
    usage_on,
)

TIANJIN = """
effective = 2027-01-01
name = "天津式"
[[scheme]]
name = "高龄每餐补贴"
min_age = 80
pays = "per_meal"
amount_fen = 300
cap_per_meal_fen = 300
max_meals_per_day = 2
max_meals_per_week = 5
kinds = ["lunch", "dinner"]
source = "区财政"
[[scheme]]
name = "困难老人每餐补贴"
min_age = 60
categories = ["低保", "特困", "残疾"]
pays = "per_meal"
amount_fen = 500
source = "福彩公益金"
"""


def scheme(**kw) -> Scheme:
    return Scheme(**{"name": "方案", "pays": Pays.per_meal, "amount_fen": 300, **kw})


def problems_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as refused:
        parse_policy(text)
    return refused.value.problems


def one_scheme(**fields) -> str:
    """A policy file of one scheme; `fields` override or (None) remove the lines of a valid per-meal scheme."""
    lines = {"name": '"每餐补贴"', "min_age": "80", "pays": '"per_meal"', "amount_fen": "300", "source": '"区财政"'}
    lines.update({k: v for k, v in fields.items()})
    body = "\n".join(f"{k} = {v}" for k, v in lines.items() if v is not None)
    return f"effective = 2027-01-01\n[[scheme]]\n{body}\n"


# ---------------------------------------------------------------- who a scheme is for


def test_the_age_band_is_inclusive_at_both_ends():
    band = scheme(min_age=70, max_age=79)
    assert [band.eligible(age, ()) for age in (69, 70, 79, 80)] == [False, True, True, False]


def test_a_scheme_with_categories_wants_any_one_of_them():
    hardship = scheme(min_age=60, categories=frozenset({"低保", "特困"}))
    assert hardship.eligible(60, {"特困"}) and hardship.eligible(75, {"低保", "独居"})
    assert not hardship.eligible(75, {"独居"}) and not hardship.eligible(59, {"低保"})


def test_no_categories_means_no_condition():
    assert scheme(min_age=80).eligible(80, ())


def test_a_senior_in_no_scheme_is_not_eligible_and_told_the_age_that_counts():
    policy = parse_policy(TIANJIN)
    with pytest.raises(NotEligible, match="就餐当日 70 周岁，未满 80 周岁"):
        choose(policy, birth=date(1957, 1, 1), day=date(2027, 3, 1), held=(), kind="lunch", price_fen=1500,
               balance_fen=0, usage={})


# ---------------------------------------------------------------- how each way of paying pays


@pytest.mark.parametrize(("pays", "extra", "price", "balance", "paid"), [
    (Pays.per_meal, {"amount_fen": 300}, 1500, 0, 300),
    (Pays.per_meal, {"amount_fen": 300}, 200, 0, 200),  # never more than the price
    (Pays.percent, {"percent": 50, "cap_per_meal_fen": 500}, 800, 0, 400),
    (Pays.percent, {"percent": 50, "cap_per_meal_fen": 500}, 1500, 0, 500),  # the cap
    (Pays.percent, {"percent": 33, "cap_per_meal_fen": 500}, 1001, 0, 330),  # whole fen, rounded down
    (Pays.free, {}, 1500, 0, 1500),
    (Pays.yearly_allowance, {"amount_fen": 20000}, 1500, 20000, 1500),
    (Pays.yearly_allowance, {"amount_fen": 20000}, 1500, 500, 500),  # what is left of the year
    (Pays.yearly_allowance, {"amount_fen": 20000, "cap_per_meal_fen": 800}, 1500, 20000, 800),
])
def test_each_way_of_paying(pays, extra, price, balance, paid):
    assert scheme(pays=pays, **{"amount_fen": 0, **extra}).pays_for("lunch", price, balance, Usage()) == paid


def test_a_kind_the_scheme_does_not_cover_gets_nothing():
    lunch_only = scheme(kinds=frozenset({"lunch", "dinner"}))
    assert lunch_only.pays_for("breakfast", 500, 0, Usage()) == 0


@pytest.mark.parametrize(("used", "paid"), [
    (Usage(day=1, week=4, month=10), 300),
    (Usage(day=2, week=4, month=10), 0),  # two today
    (Usage(day=0, week=5, month=10), 0),  # five this week (Monday–Sunday)
    (Usage(day=0, week=0, month=20), 0),  # twenty this month
])
def test_a_count_cap_reached_pays_nothing(used, paid):
    capped = scheme(max_meals_per_day=2, max_meals_per_week=5, max_meals_per_month=20)
    assert capped.pays_for("lunch", 1500, 0, used) == paid


def test_the_counts_run_by_day_by_monday_to_sunday_week_and_by_month():
    # 2027-03-01 is a Monday; the week of Sunday 2027-02-28 began on 2027-02-22.
    paid = [date(2027, 2, 26), date(2027, 2, 28), date(2027, 3, 1), date(2027, 3, 1)]
    assert usage_on(date(2027, 3, 1), paid) == Usage(day=2, week=2, month=2)
    assert usage_on(date(2027, 2, 28), paid) == Usage(day=1, week=2, month=2)


# ---------------------------------------------------------------- the most favourable scheme


def test_a_senior_in_several_schemes_gets_the_one_that_pays_most_for_this_meal():
    policy = parse_policy(TIANJIN)
    # 82 and 低保: 3 yuan as 高龄, 5 yuan as hardship: the hardship scheme pays (from its own fund).
    choice = choose(policy, birth=date(1945, 1, 1), day=date(2027, 3, 1), held={"低保"}, kind="lunch",
                    price_fen=1500, balance_fen=0, usage={})
    assert (choice.scheme.name, choice.subsidy_fen, choice.scheme.source) == ("困难老人每餐补贴", 500, "福彩公益金")


def test_when_the_best_scheme_is_capped_the_next_one_pays():
    policy = parse_policy(TIANJIN)
    used = {"困难老人每餐补贴": Usage()}
    best = choose(policy, birth=date(1945, 1, 1), day=date(2027, 3, 1), held={"低保"}, kind="breakfast",
                  price_fen=600, balance_fen=0, usage=used)
    assert (best.scheme.name, best.subsidy_fen) == ("困难老人每餐补贴", 500)  # 高龄 does not cover breakfast


def test_equal_pay_goes_to_the_scheme_written_first():
    first, second = scheme(name="甲"), scheme(name="乙", source="街道")
    assert most_favourable([first, second], kind="lunch", price_fen=1500, balance_fen=0, usage={}).scheme is first


def test_a_senior_whose_schemes_all_pay_nothing_eats_at_the_full_price():
    capped = scheme(max_meals_per_day=1)
    choice = most_favourable([capped], kind="lunch", price_fen=1500, balance_fen=0, usage={"方案": Usage(day=1)})
    assert (choice.scheme, choice.subsidy_fen) == (None, 0)


# ---------------------------------------------------------------- the policy in force, and yearly allowances


def test_the_policy_in_force_is_the_latest_effective_on_or_before_the_day():
    old, new, again = (Policy(date(2026, 1, 1), ()), Policy(date(2027, 1, 1), ()), Policy(date(2027, 1, 1), ()))
    assert in_force([old, new], date(2026, 12, 31)) is old
    assert in_force([old, new], date(2027, 1, 1)) is new
    assert in_force([old, new, again], date(2027, 6, 1)) is again  # a later load with the same date replaces it
    assert in_force([new], date(2026, 6, 1)) is None


def test_a_yearly_allowance_is_granted_on_1_january_or_the_birthday_that_brings_the_senior_in():
    sixty_five = scheme(pays=Pays.yearly_allowance, amount_fen=20000, min_age=65)
    assert allowance_grant_date(sixty_five, date(1950, 5, 5), 2027) == date(2027, 1, 1)
    assert allowance_grant_date(sixty_five, date(1962, 5, 5), 2027) == date(2027, 5, 5)
    assert allowance_grant_date(sixty_five, date(1963, 5, 5), 2027) is None
    band = scheme(pays=Pays.yearly_allowance, amount_fen=20000, min_age=60, max_age=69)
    assert allowance_grant_date(band, date(1955, 5, 5), 2027) is None  # 71 on 1 January: out of the band


def test_prorata_counts_the_days_left_from_the_birthday():
    policy = parse_policy(allowance_policy_text(date(2027, 1, 1), birthday_rule="prorata"))
    # 65 on 2027-07-02: 183 of 365 days left.
    assert allowance_amount(policy, policy.schemes[0], date(1962, 7, 2), 2027) == 20000 * 183 // 365


def test_the_reference_districts_policy_is_one_yearly_allowance_from_65_paid_by_the_district():
    policy = parse_policy(allowance_policy_text(date(2026, 1, 1)))
    (only,) = policy.schemes
    assert (only.pays, only.amount_fen, only.min_age, only.source, only.cap_per_meal_fen) == (
        Pays.yearly_allowance, 20000, 65, "区财政", None)


def test_a_meal_posts_from_the_allowance_or_straight_from_its_fund():
    allowance_choice = most_favourable([scheme(pays=Pays.yearly_allowance, amount_fen=20000)], kind="lunch",
                                       price_fen=1500, balance_fen=20000, usage={})
    assert balances(postings_for(allowance_choice, 7, 2027, 3)) == {allowance(7, 2027): -1500, receivable(3): 1500}
    per_meal = most_favourable([scheme(source="福彩公益金")], kind="lunch", price_fen=1500, balance_fen=0, usage={})
    assert balances(postings_for(per_meal, 7, 2027, 3)) == {fund(2027, "福彩公益金"): -300, receivable(3): 300}


# ---------------------------------------------------------------- a policy file refused, every reason at once


def test_a_good_file_reads_as_its_schemes():
    policy = parse_policy(TIANJIN)
    assert policy.effective == date(2027, 1, 1) and [s.name for s in policy.schemes] == ["高龄每餐补贴", "困难老人每餐补贴"]
    assert policy.sources() == ["区财政", "福彩公益金"]
    assert policy.schemes[0].kinds == {"lunch", "dinner"} and policy.schemes[1].kinds == {"breakfast", "lunch", "dinner"}


@pytest.mark.parametrize(("fields", "says"), [
    ({"cap_per_meal_fen": "200"}, "每餐上限 2.00 元低于每餐补贴 3.00 元，两者矛盾"),
    ({"max_age": "70"}, "最高年龄 70 低于最低年龄 80"),
    ({"pays": '"weekly"'}, "补贴方式 pays 须为"),
    ({"amount_fen": None}, "缺少每餐补贴金额"),
    ({"amount_fen": "3.5"}, "金额（分） amount_fen 须为 0 到 10000000 的整数"),
    ({"source": None}, "缺少资金来源"),
    ({"categories": '["低宝"]'}, "未知的类别「低宝」"),
    ({"kinds": '["supper"]'}, "餐别 kinds 须为"),
    ({"max_meals_per_day": "3", "max_meals_per_week": "2"}, "每周最多 2 餐少于每天最多 3 餐"),
    ({"pays": '"percent"', "amount_fen": None, "percent": "50"}, "按比例补贴须写每餐上限"),
    ({"colour": '"red"'}, "未知的字段「colour」"),
])
def test_a_scheme_that_contradicts_itself_is_refused(fields, says):
    assert any(says in p for p in problems_of(one_scheme(**fields))), problems_of(one_scheme(**fields))


def test_every_problem_is_told_at_once():
    problems = problems_of(one_scheme(cap_per_meal_fen="200", source=None, categories='["低宝"]'))
    assert len(problems) == 3


def test_not_toml_or_no_date_or_no_scheme_is_refused():
    assert "不是有效的 TOML" in problems_of("effective = \n")[0]
    assert any("缺少生效日期" in p for p in problems_of('[[scheme]]\nname = "x"\n'))
    assert any("没有任何方案" in p for p in problems_of("effective = 2027-01-01\n"))


def test_two_yearly_allowances_one_senior_could_both_be_in_are_ambiguous():
    text = TIANJIN.replace('pays = "per_meal"\namount_fen = 300\ncap_per_meal_fen = 300',
                           'pays = "yearly_allowance"\namount_fen = 20000', 1)
    text = text.replace('pays = "per_meal"\namount_fen = 500', 'pays = "yearly_allowance"\namount_fen = 30000')
    assert any("都是年度额度" in p for p in problems_of(text))


def test_equal_pay_from_two_funds_for_the_same_seniors_is_ambiguous():
    same = [scheme(name="甲", min_age=80), scheme(name="乙", min_age=80, source="街道")]
    assert any("无法判断由哪个资金来源支付" in p for p in check_schemes(same))


def test_a_gap_between_age_bands_is_refused_but_a_policy_may_start_at_any_age():
    gap = [scheme(name="甲", min_age=60, max_age=69, amount_fen=200), scheme(name="乙", min_age=80)]
    assert any("年龄段 70–79 周岁没有任何方案覆盖" in p for p in check_schemes(gap))
    assert check_schemes([scheme(name="甲", min_age=80)]) == []
    joined = [scheme(name="甲", min_age=60, max_age=79, amount_fen=200), scheme(name="乙", min_age=80)]
    assert check_schemes(joined) == []


def test_duplicate_scheme_names_are_refused():
    assert any("重复" in p for p in check_schemes([scheme(min_age=60, max_age=69), scheme(min_age=70)]))


# ---------------------------------------------------------------- properties over random policies and meals

KINDS = ["breakfast", "lunch", "dinner"]
SOURCES = ["区财政", "街道", "福彩公益金"]
DAY0 = date(2027, 1, 4)  # a Monday


@st.composite
def schemes(draw):
    count = draw(st.integers(1, 4))
    out = []
    for n in range(count):
        pays = draw(st.sampled_from([Pays.per_meal, Pays.percent, Pays.free]
                                    + ([Pays.yearly_allowance] if n == 0 else [])))
        low = draw(st.sampled_from([60, 65, 70, 80]))
        amount = draw(st.integers(1, 30000)) if pays in (Pays.per_meal, Pays.yearly_allowance) else 0
        cap = draw(st.integers(1, 2000)) if pays == Pays.percent else draw(st.one_of(st.none(), st.integers(1, 2000)))
        if pays == Pays.per_meal and cap is not None:
            cap = max(cap, amount)  # a cap below the per-meal amount is a contradiction the file check refuses
        out.append(Scheme(
            name=f"方案{n}", pays=pays, source=draw(st.sampled_from(SOURCES)), min_age=low,
            max_age=draw(st.sampled_from([None, low + 9])),
            categories=frozenset(draw(st.sets(st.sampled_from(CATEGORIES[:4]), max_size=2))),
            amount_fen=amount, percent=draw(st.integers(1, 100)) if pays == Pays.percent else 0,
            cap_per_meal_fen=cap,
            max_meals_per_day=draw(st.one_of(st.none(), st.integers(1, 2))),
            max_meals_per_week=draw(st.one_of(st.none(), st.integers(2, 7))),
            max_meals_per_month=draw(st.one_of(st.none(), st.integers(7, 30))),
            kinds=frozenset(draw(st.sets(st.sampled_from(KINDS), min_size=1)))))
    return out


seniors = st.lists(st.tuples(st.integers(55, 95), st.sets(st.sampled_from(CATEGORIES[:4]), max_size=2)),
                   min_size=1, max_size=4)
meals = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 45), st.sampled_from(KINDS), st.integers(1, 3000)),
                 max_size=60)


def replay(policy: Policy, people, eaten):
    """The desk's rules, meal after meal: grant the yearly allowance when it is due, choose, post."""
    txns: list[Txn] = []
    paid_days: dict[tuple[int, str], list[date]] = defaultdict(list)
    outcomes = []
    for senior_no, offset, kind, price in sorted(eaten, key=lambda m: m[1]):
        if senior_no >= len(people):
            continue
        age_then, held = people[senior_no]
        birth = date(DAY0.year - age_then, 1, 2)  # the birthday comes after DAY0: the age holds all along
        day = DAY0 + timedelta(days=offset)
        grant = policy.allowance_scheme(age_then, held)
        if grant and not any(t.kind == TxnKind.grant and t.senior_id == senior_no for t in txns):
            on = allowance_grant_date(grant, birth, day.year)
            if on is not None and on <= day:
                txns.append(Txn(len(txns) + 1, TxnKind.grant, grant_postings(
                    senior_no, day.year, allowance_amount(policy, grant, birth, day.year), grant.source),
                    senior_id=senior_no, year=day.year, key=f"grant:{senior_no}"))
        balance = balances(p for t in txns for p in t.postings).get(allowance(senior_no, day.year), 0)
        usage = {name: usage_on(day, days) for (who, name), days in paid_days.items() if who == senior_no}
        try:
            choice = choose(policy, birth=birth, day=day, held=held, kind=kind, price_fen=price,
                            balance_fen=balance, usage=usage)
        except NotEligible:
            assert not policy.schemes_for(age_then, held)
            continue
        outcomes.append((senior_no, day, kind, price, balance, usage, choice, held, age_then))
        txns.append(Txn(len(txns) + 1, TxnKind.meal, postings_for(choice, senior_no, day.year, 1),
                        senior_id=senior_no, year=day.year, key=f"meal:{len(txns)}"))
        if choice.scheme is not None:
            paid_days[(senior_no, choice.scheme.name)].append(day)
    return txns, paid_days, outcomes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(schemes(), seniors, meals)
def test_random_policies_keep_the_ledger_whole_no_cap_is_exceeded_and_the_best_scheme_pays(drawn, people, eaten):
    assume(check_schemes(drawn) == [])
    policy = Policy(date(2027, 1, 1), tuple(drawn))
    txns, paid_days, outcomes = replay(policy, people, eaten)

    # The ledger's invariants: balanced, no allowance below zero at any moment, keys once.
    assert check_invariants(txns).ok
    assert running_balance_never_negative(txns)

    # No cap is exceeded: per meal, and the counts per day, Monday–Sunday week and month.
    by_name = {s.name: s for s in drawn}
    for senior_no, day, kind, price, balance, usage, choice, held, age in outcomes:
        assert 0 <= choice.subsidy_fen <= price
        if choice.scheme is not None:
            assert choice.subsidy_fen > 0 and kind in choice.scheme.kinds
            cap = choice.scheme.cap_per_meal_fen
            assert cap is None or choice.subsidy_fen <= cap
            if choice.scheme.pays == Pays.yearly_allowance:
                assert choice.subsidy_fen <= balance
        # The most favourable scheme: nothing the senior is in would have paid more for this meal.
        best = max((s.pays_for(kind, price, balance, usage.get(s.name, Usage()))
                    for s in policy.schemes_for(age, held)), default=0)
        assert choice.subsidy_fen == best
    for (senior_no, name), days in paid_days.items():
        limits = by_name[name]
        for day in days:
            if limits.max_meals_per_day is not None:
                assert sum(d == day for d in days) <= limits.max_meals_per_day
            if limits.max_meals_per_week is not None:
                monday = day - timedelta(days=day.weekday())
                assert sum(monday <= d < monday + timedelta(days=7) for d in days) <= limits.max_meals_per_week
            if limits.max_meals_per_month is not None:
                assert sum(d.month == day.month for d in days) <= limits.max_meals_per_month


@settings(max_examples=60, deadline=None)
@given(schemes())
def test_a_checked_policy_reads_back_from_its_own_file(drawn):
    assume(check_schemes(drawn) == [])
    text = "effective = 2027-01-01\n" + "".join(_as_toml(s) for s in drawn)
    assert parse_policy(text).schemes == tuple(drawn)


def _as_toml(s: Scheme) -> str:
    lines = [f'name = "{s.name}"', f'pays = "{s.pays}"', f'source = "{s.source}"', f"min_age = {s.min_age}",
             f"categories = {sorted(s.categories)!r}".replace("'", '"'), f"kinds = {sorted(s.kinds)!r}".replace("'", '"')]
    for key in ("max_age", "cap_per_meal_fen", "max_meals_per_day", "max_meals_per_week", "max_meals_per_month"):
        if getattr(s, key) is not None:
            lines.append(f"{key} = {getattr(s, key)}")
    if s.amount_fen:
        lines.append(f"amount_fen = {s.amount_fen}")
    if s.percent:
        lines.append(f"percent = {s.percent}")
    return "[[scheme]]\n" + "\n".join(lines) + "\n"


def test_the_operating_subsidy_is_a_monthly_amount_and_an_amount_per_meal_served():
    policy = parse_policy(TIANJIN + '[operating]\nper_meal_fen = 100\nmonthly_fen = 50000\nsource = "区财政"\n')
    assert policy.operating.amount(0) == 50000 and policy.operating.amount(120) == 50000 + 12000
    assert parse_policy(TIANJIN).operating is None


@pytest.mark.parametrize(("table", "says"), [
    ('[operating]\nsource = "区财政"\n', "至少一项大于 0"),
    ('[operating]\nper_meal_fen = -1\nsource = "区财政"\n', "每餐金额 per_meal_fen 须为 0 到 100000 的整数"),
    ('[operating]\nmonthly_fen = 100\n', "运营补贴：缺少资金来源"),
    ('[operating]\nmonthly_fen = 100\nsource = "区财政"\nextra = 1\n', "运营补贴：未知的字段「extra」"),
])
def test_a_wrong_operating_subsidy_is_refused(table, says):
    assert any(says in p for p in problems_of(TIANJIN + table))


def test_a_file_that_is_not_toml_is_told_in_chinese_with_its_line():
    (problem,) = problems_of('effective = 2027-01-01\n[[scheme]]\nname = 高龄\n')
    assert "第 3 行附近有格式错误" in problem
    assert "Invalid" not in problem and "Expected" not in problem  # tomllib's own English words are left out
