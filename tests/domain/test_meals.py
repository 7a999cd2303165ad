"""The desk's rules: kind by time of day, the price follows the chosen kind, a repeated meal is asked about, a void
says why, a close covers what it shows."""

from datetime import date, time

import pytest

from center.domain.ledger import LedgerError, eligible_on
from center.domain.meals import (
    Menu,
    MealKind,
    RepeatMeal,
    canteens_to_close,
    check_closable,
    check_repeat,
    default_kind,
    price_to_post,
    void_reason,
)

MENU = Menu(breakfast_fen=500, lunch_fen=1500, dinner_fen=1200)


@pytest.mark.parametrize(("at", "kind"), [
    (time(6, 0), MealKind.breakfast), (time(9, 59), MealKind.breakfast),
    (time(10, 0), MealKind.lunch), (time(14, 59), MealKind.lunch),
    (time(15, 0), MealKind.dinner), (time(20, 30), MealKind.dinner),
])
def test_the_kind_offered_first_follows_the_time_of_day(at, kind):
    assert default_kind(at) == kind


def price(kind="lunch", typed=500, filled_for="breakfast"):
    return price_to_post(kind, typed, filled_for, MENU)


@pytest.mark.parametrize(("kind", "typed", "filled_for", "posted"), [
    # The field still shows the menu price it was filled with: the chosen kind's menu price is posted.
    ("lunch", 500, "breakfast", 1500),      # the issue: 早餐 offered at 9:xx, 午餐 chosen, 5.00 typed nowhere
    ("dinner", 1500, "lunch", 1200),
    ("breakfast", 1200, "dinner", 500),
    ("lunch", 1500, "lunch", 1500),         # nothing changed
    # The operator typed another price: it is kept, whatever the kind.
    ("lunch", 800, "breakfast", 800),
    ("dinner", 1000, "lunch", 1000),
    # No hint of what the field was filled from (another client): the typed price is kept.
    ("lunch", 500, None, 500),
    ("lunch", 500, "supper", 500),
])
def test_the_price_follows_the_chosen_kind_unless_changed_deliberately(kind, typed, filled_for, posted):
    assert price(kind, typed, filled_for) == posted


def test_an_unknown_kind_is_refused_in_chinese():
    with pytest.raises(LedgerError, match="餐别"):
        price(kind="supper")


def test_eligibility_is_the_65th_birthday_on_the_meal_date():
    assert eligible_on(date(1961, 12, 9), date(2026, 12, 9))
    assert not eligible_on(date(1961, 12, 10), date(2026, 12, 9))


@pytest.mark.parametrize(("kind", "today", "confirmed", "asks"), [
    ("lunch", ["lunch"], False, True),
    ("lunch", ["lunch"], True, False),          # 再记一餐: the operator said so
    ("lunch", ["breakfast", "dinner"], False, False),
    ("breakfast", [], False, False),
    ("dinner", ["dinner", "dinner"], True, False),
])
def test_a_second_meal_of_one_kind_on_one_day_needs_confirmation(kind, today, confirmed, asks):
    if asks:
        with pytest.raises(RepeatMeal, match="今天已记过午餐，确定再记一餐？"):
            check_repeat(kind, today, confirmed)
    else:
        check_repeat(kind, today, confirmed)


@pytest.mark.parametrize(("choice", "note", "reason"), [
    ("重复记录", "", "重复记录"),
    ("餐别或餐费录错", "  应为晚餐 ", "餐别或餐费录错：应为晚餐"),
    ("其他", "老人临时离开", "老人临时离开"),
])
def test_a_void_keeps_its_reason(choice, note, reason):
    assert void_reason(choice, note) == reason


@pytest.mark.parametrize(("choice", "note", "message"), [
    ("", "", "请选择撤销原因"),
    ("随便", "", "请选择撤销原因"),
    ("其他", "   ", "请写明"),
    ("重复记录", "长" * 81, "80 个字"),
])
def test_a_void_without_a_reason_is_refused(choice, note, message):
    with pytest.raises(LedgerError, match=message):
        void_reason(choice, note)


def test_only_an_ended_month_can_be_closed():
    check_closable(date(2026, 11, 1), date(2026, 12, 9))
    with pytest.raises(LedgerError, match="已经结束"):
        check_closable(date(2026, 12, 1), date(2026, 12, 9))


def test_a_close_covers_exactly_the_canteens_shown():
    assert canteens_to_close([2], closed=[]) == [2]
    assert canteens_to_close([1, 2, 3, 4], closed=[2]) == [1, 3, 4]
    with pytest.raises(LedgerError, match="已结账"):
        canteens_to_close([2], closed=[2, 5])
