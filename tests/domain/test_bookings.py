"""Booking rules (issue #16, point 3): the cut-off the day before, closed days, one booking per meal kind a day,
the schemes' count caps, cancelling until the cut-off, the counts per dish and the delivery rounds."""

from datetime import date, datetime, time

import pytest

from center.domain.bookings import (
    BookingError,
    bookable_days,
    check_booking,
    check_cancel,
    counts,
    cutoff,
    delivery_rounds,
    over_cap,
)
from center.domain.policy import Pays, Scheme
from center.timeutil import LOCAL_TZ

WED = date(2026, 12, 9)
THU = date(2026, 12, 10)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def book(**kw):
    params = dict(now_local=at(WED, 10), day=THU, kind="lunch", open_days="1234567", cutoff_at=time(17),
                  dish_day=THU, dish_kind="lunch", same_kind_booked=False, booked_that_day=0, booked_that_week=0,
                  schemes=[])
    params.update(kw)
    return check_booking(**params)


def test_bookings_for_a_day_close_at_the_cut_off_the_day_before():
    assert cutoff(THU) == at(WED, 17)
    book(now_local=at(WED, 16, 59))
    with pytest.raises(BookingError, match="12月10日（周四）的预订已于 12月09日 17:00 截止"):
        book(now_local=at(WED, 17))


def test_today_and_days_beyond_two_weeks_are_not_booked():
    with pytest.raises(BookingError, match="明天及以后"):
        book(day=WED, dish_day=WED)
    with pytest.raises(BookingError, match="14 天以内"):
        book(day=date(2026, 12, 30), dish_day=date(2026, 12, 30))


def test_a_day_the_canteen_does_not_serve_is_refused():
    sunday = date(2026, 12, 13)
    with pytest.raises(BookingError, match="周日）助餐点不营业"):
        book(day=sunday, dish_day=sunday, open_days="123456")


def test_a_meal_kind_is_booked_once_a_day_and_the_dish_must_be_that_days():
    with pytest.raises(BookingError, match="午餐已经订过了"):
        book(same_kind_booked=True)
    with pytest.raises(BookingError, match="不在当天该餐别的菜单上"):
        book(dish_kind="dinner")


def test_a_booking_over_every_schemes_count_cap_is_refused():
    capped = Scheme(name="每餐三元", pays=Pays.per_meal, amount_fen=300, max_meals_per_day=1, max_meals_per_week=5)
    with pytest.raises(BookingError, match="每天最多 1 餐，当天已订满"):
        book(schemes=[capped], booked_that_day=1, booked_that_week=1)
    with pytest.raises(BookingError, match="每周最多 5 餐，本周已订满"):
        book(schemes=[capped], booked_that_week=5)
    free = Scheme(name="免费", pays=Pays.free)
    assert over_cap([capped, free], 1, 5) == ""  # another scheme still pays


def test_a_booking_is_cancelled_until_the_cut_off_and_only_while_booked():
    check_cancel(now_local=at(WED, 16), day=THU, cutoff_at=time(17), state="booked")
    with pytest.raises(BookingError, match="不能再取消"):
        check_cancel(now_local=at(WED, 17, 30), day=THU, cutoff_at=time(17), state="booked")
    with pytest.raises(BookingError, match="已送达"):
        check_cancel(now_local=at(WED, 16), day=THU, cutoff_at=time(17), state="delivered")


def test_the_days_still_open_for_booking():
    days = bookable_days(at(WED, 18), "12345")  # past Wednesday's cut-off: Thursday is closed
    assert days[0] == date(2026, 12, 11) and all(d.isoweekday() <= 5 for d in days)


def booking(kind, dish, delivery, route="", building="", room="", state="booked"):
    return {"kind": kind, "dish_name": dish, "marks": "", "delivery": delivery, "route": route,
            "building": building, "room": room, "state": state}


def test_the_day_counts_dishes_eaten_in_and_delivered_without_the_cancelled():
    rows = [booking("lunch", "红烧鸡块", False), booking("lunch", "红烧鸡块", True, "一号线"),
            booking("lunch", "红烧鸡块", True, state="cancelled"), booking("breakfast", "小米粥", False)]
    assert [(c.kind, c.dish, c.eat_in, c.delivered, c.total) for c in counts(rows)] == [
        ("breakfast", "小米粥", 1, 0, 1), ("lunch", "红烧鸡块", 1, 1, 2)]


def test_deliveries_go_by_route_in_building_and_room_order():
    rows = [booking("lunch", "鱼", True, "二号线", "3号楼", "201"), booking("lunch", "鸡", True, "一号线", "10号楼", "102"),
            booking("lunch", "鸡", True, "一号线", "2号楼", "301"), booking("lunch", "鸡", False)]
    rounds = delivery_rounds(rows)
    assert [r for r, _ in rounds] == ["一号线", "二号线"]
    assert [(b["building"], b["room"]) for b in rounds[0][1]] == [("2号楼", "301"), ("10号楼", "102")]
