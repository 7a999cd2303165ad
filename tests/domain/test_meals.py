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
    filled_for,
    offered_kind,
    price_to_post,
    unusual_price,
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


@pytest.mark.parametrize(("kept", "at", "kind"), [
    (None, time(9, 30), MealKind.breakfast),     # a fresh desk at 9:30: 早餐
    ("", time(12, 0), MealKind.lunch),           # a plain form's empty choice: by the hour
    ("supper", time(18, 0), MealKind.dinner),    # not a kind: by the hour
    ("lunch", time(9, 30), MealKind.lunch),      # the form shown again keeps the operator's 午餐 at 9:30
    ("dinner", time(7, 0), MealKind.dinner),
])
def test_the_desk_offers_the_kind_kept_in_the_form_else_the_one_for_the_hour(kept, at, kind):
    assert offered_kind(kept, at) == kind


@pytest.mark.parametrize(("kept", "kind", "price_of"), [
    ("breakfast", MealKind.lunch, MealKind.breakfast),  # filled with 早餐's price, then 午餐 chosen
    (None, MealKind.lunch, MealKind.lunch),             # nothing said: the chosen kind's price
    ("brunch", MealKind.dinner, MealKind.dinner),
])
def test_the_price_field_is_filled_for_the_kind_it_says_else_the_kind_chosen(kept, kind, price_of):
    assert filled_for(kept, kind) == price_of


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


@pytest.mark.parametrize(("price_fen", "question"), [
    (50, "餐费只有 0.50 元，低于 1 元，确定按这个价格记录？"),
    (99, "餐费只有 0.99 元，低于 1 元，确定按这个价格记录？"),
    (100, None),                                   # 1 元 and 100 元 are usual prices
    (10_000, None),
    (10_001, "餐费 100.01 元，超过 100 元，确定按这个价格记录？"),
    (15_000, "餐费 150.00 元，超过 100 元，确定按这个价格记录？"),  # 150 typed for 15
])
def test_a_price_below_1_or_above_100_yuan_is_asked_about(price_fen, question):
    assert unusual_price(price_fen) == question
