"""Numbers typed into forms: every bound has its own message, so −5 and 99999999 are told apart."""

import pytest

from center.domain.catalog import CatalogError, ItemSpec, MaterialSpec, validate_item, validate_materials
from center.domain.ledger import LedgerError, decide
from center.domain.money import MoneyError, parse_yuan
from center.domain.numbers import Bounds, NumberError, check_count

DAYS = Bounds("承诺时限", "个工作日", 1, 60, minimum_hint="当场办结的请选“即办件”")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "承诺时限不能为负数"),
        ("−5".replace("−", "-"), "承诺时限不能为负数"),
        ("99999999", "承诺时限最多 60 个工作日"),
        ("61", "承诺时限最多 60 个工作日"),
        ("0", "承诺时限至少 1 个工作日（当场办结的请选“即办件”）"),
        ("", "请填写承诺时限"),
        ("   ", "请填写承诺时限"),
        ("5.5", "承诺时限须为整数"),
        ("五", "承诺时限须为整数"),
        ("1e3", "承诺时限须为整数"),
        (-5, "承诺时限不能为负数"),
        (True, "承诺时限须为整数"),
    ],
)
def test_each_bound_of_a_count_has_its_own_message(typed, message):
    with pytest.raises(NumberError) as refused:
        check_count(typed, DAYS, field="promised_days")
    assert str(refused.value).startswith(message)
    assert refused.value.field == "promised_days"


@pytest.mark.parametrize(("typed", "value"), [("1", 1), (" 60 ", 60), ("+7", 7), ("007", 7), (30, 30)])
def test_counts_within_bounds_are_accepted(typed, value):
    assert check_count(typed, DAYS) == value


def item(**overrides):
    values = dict(code="MZ99", name="测试事项", category_id=1, department="区民政局", kind="promised", promised_days="5")
    values.update(overrides)
    return ItemSpec(**values)


@pytest.mark.parametrize(
    ("days", "message"),
    [("-5", "承诺时限不能为负数"), ("99999999", "承诺时限最多 60 个工作日"), ("0", "承诺时限至少 1 个工作日"),
     ("", "请填写承诺时限"), ("abc", "承诺时限须为整数")],
)
def test_the_catalog_promise_says_which_bound_was_crossed(days, message):
    with pytest.raises(CatalogError, match=message) as refused:
        validate_item(item(promised_days=days))
    assert refused.value.field == "promised_days"


def test_an_immediate_item_needs_no_promised_days():
    assert validate_item(item(kind="immediate", promised_days="")).promised_days == 0
    assert validate_item(item(promised_days="15")).promised_days == 15


@pytest.mark.parametrize(
    ("copies", "message"),
    [("-5", "第 1 项材料：份数不能为负数"), ("99999999", "第 1 项材料：份数最多 20 份"), ("0", "第 1 项材料：份数至少 1 份"),
     ("", "第 1 项材料：请填写份数"), ("2.5", "第 1 项材料：份数须为整数")],
)
def test_material_copies_say_which_bound_was_crossed(copies, message):
    with pytest.raises(CatalogError, match=message):
        validate_materials([MaterialSpec(name="居民身份证", copies=copies)])


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "金额不能为负数"),
        ("−5", "金额不能为负数"),  # the minus sign U+2212
        ("－5", "金额不能为负数"),  # full-width
        ("-0.01", "金额不能为负数"),
        ("99999999", "金额不能超过 1000 元"),
        ("1000.01", "金额不能超过 1000 元"),
        ("9" * 40, "金额不能超过 1000 元"),
        ("0", "金额须大于 0"),
        ("0.00", "金额须大于 0"),
        ("1.234", "金额最多两位小数"),
        ("", "请填写金额"),
        ("abc", "金额须为数字"),
        ("1e3", "金额须为数字"),
        ("NaN", "金额须为数字"),
    ],
)
def test_each_way_an_amount_is_wrong_has_its_own_message(typed, message):
    with pytest.raises(MoneyError, match=message):
        parse_yuan(typed)


def test_an_amount_names_its_field_and_its_own_maximum():
    with pytest.raises(MoneyError, match="^年度补贴额不能超过 100000 元$"):
        parse_yuan("99999999", maximum_fen=10_000_000, label="年度补贴额")
    with pytest.raises(MoneyError, match="^餐费不能为负数$"):
        parse_yuan("-5", label="餐费")


def meal(price_fen):
    return decide(price_fen=price_fen, cap_fen=None, balance_fen=20_000)


@pytest.mark.parametrize(
    ("price_fen", "message"),
    [(-500, "价格不能为负数"), (0, "价格须大于 0"), (9_999_999_900, "价格不能超过 1000 元"), (100_001, "价格不能超过 1000 元")],
)
def test_a_terminal_price_says_which_bound_was_crossed(price_fen, message):
    with pytest.raises(LedgerError, match=message):
        meal(price_fen)


def test_a_terminal_price_within_bounds_is_recorded():
    assert meal(1500).subsidy_fen == 1500 and meal(100_000).paid_fen == 80_000
