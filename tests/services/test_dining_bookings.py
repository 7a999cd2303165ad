"""Menus, bookings and delivery on a real database (issue #16, point 3): a family member books on the senior's
page, the canteen counts and lists it, the deliverer records it once as a meal on the ledger, cancellations follow
the cut-off, and a booking over a cap is refused."""

from datetime import date, datetime, time, timedelta

import pytest

from center.domain import AccessDenied
from center.domain.bookings import BookingError
from center.services.dining import bookings, links
from center.services.dining.checks import verify_ledger
from center.tables import Booking, Canteen, LedgerPosting, Meal
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, make_canteen, make_policy, make_senior, make_staff

WED = date(2026, 11, 25)
THU = date(2026, 11, 26)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


@pytest.fixture
async def canteen(db):
    canteen = await make_canteen(name="订餐食堂")
    await Canteen.update({Canteen.delivers: True}).where(Canteen.id == canteen["id"])
    operator = await as_user(await make_staff(db, role="manager", center=canteen["center"]))
    lunch = await bookings.add_dish(operator, canteen["id"], day=THU, kind="lunch", name="清蒸鱼 杂粮饭",
                                    price_fen=1600, marks="低糖", today=WED)
    return {**canteen, "operator": operator, "lunch": lunch}


async def test_a_family_booking_is_counted_listed_and_delivered_once_onto_the_ledger(canteen):
    senior = await make_senior(canteen["center"], granted_on=WED)
    await links.create_link(canteen["operator"], senior["id"], holder="family", holder_name="王小明", relation="子女",
                            consent_note="签字同意书")
    link = (await links.links_of(canteen["operator"], senior["id"]))[0]
    booking_id = await bookings.book(senior["id"], canteen["id"], dish_id=canteen["lunch"], delivery=True,
                                     route="一号线", building="3号楼", room="502", booked_by="family",
                                     link_id=link["id"], now=at(WED, 15))
    rows = await bookings.day_bookings(canteen["operator"], canteen["id"], THU)
    (row,) = [r for r in rows if r["id"] == booking_id]
    assert (row["booked_by"], row["link"], row["masked_name"] != senior["name"]) == ("family", link["id"], True)
    with pytest.raises(BookingError, match="只能在当天"):
        await bookings.deliver(canteen["operator"], booking_id, now=at(WED, 18))
    first = await bookings.deliver(canteen["operator"], booking_id, now=at(THU, 11, 40))
    again = await bookings.deliver(canteen["operator"], booking_id, now=at(THU, 11, 41))  # a double press
    assert again.replay and again.meal_id == first.meal_id
    meal = await Meal.select().where(Meal.id == first.meal_id).first()
    assert (meal["price_fen"], meal["subsidy_fen"], meal["verified_by"], meal["book_date"]) == (1600, 1600,
                                                                                                "delivered", THU)
    assert await Meal.count().where(Meal.idempotency_key == f"booking:{booking_id}") == 1
    postings = await LedgerPosting.count().where(LedgerPosting.txn == meal["txn"])
    assert postings == 2
    assert (await Booking.select(Booking.state, Booking.meal).where(Booking.id == booking_id).first()) == {
        "state": "delivered", "meal": first.meal_id}
    assert await verify_ledger() == []


async def test_a_booking_is_refused_after_the_cut_off_twice_for_a_kind_and_cancelled_only_before_it(canteen):
    senior = await make_senior(canteen["center"])
    with pytest.raises(BookingError, match="截止"):
        await bookings.book(senior["id"], canteen["id"], dish_id=canteen["lunch"], now=at(WED, 17, 5))
    booking_id = await bookings.book(senior["id"], canteen["id"], dish_id=canteen["lunch"], now=at(WED, 9))
    with pytest.raises(BookingError, match="已经订过了"):
        await bookings.book(senior["id"], canteen["id"], dish_id=canteen["lunch"], now=at(WED, 9, 5))
    with pytest.raises(BookingError, match="不能再取消"):
        await bookings.cancel(booking_id, senior_id=senior["id"], now=at(WED, 17, 1))
    await bookings.cancel(booking_id, senior_id=senior["id"], now=at(WED, 16))
    assert (await Booking.select(Booking.state).where(Booking.id == booking_id).first())["state"] == "cancelled"
    await bookings.book(senior["id"], canteen["id"], dish_id=canteen["lunch"], now=at(WED, 16, 30))  # again


async def test_delivery_needs_the_address_and_an_eat_in_booking_is_not_delivered(canteen):
    senior = await make_senior(canteen["center"])
    with pytest.raises(BookingError, match="楼栋"):
        await bookings.book(senior["id"], canteen["id"], dish_id=canteen["lunch"], delivery=True, now=at(WED, 9))
    eat_in = await bookings.book(senior["id"], canteen["id"], dish_id=canteen["lunch"], now=at(WED, 9))
    with pytest.raises(BookingError, match="堂食"):
        await bookings.deliver(canteen["operator"], eat_in, now=at(THU, 12))


async def test_a_booking_over_the_schemes_cap_is_refused(canteen):
    await make_policy(date(2048, 1, 1), """
effective = 2000-01-01
[[scheme]]
name = "每天一餐"
min_age = 60
pays = "per_meal"
amount_fen = 300
max_meals_per_day = 1
source = "区财政"
""")
    day = date(2048, 3, 3)
    dinner_day_before = day - timedelta(days=1)
    lunch = await bookings.add_dish(canteen["operator"], canteen["id"], day=day, kind="lunch", name="面", price_fen=800,
                                    marks="")
    dinner = await bookings.add_dish(canteen["operator"], canteen["id"], day=day, kind="dinner", name="粥",
                                     price_fen=500, marks="")
    senior = await make_senior(canteen["center"])
    await bookings.book(senior["id"], canteen["id"], dish_id=lunch, now=at(dinner_day_before, 9))
    with pytest.raises(BookingError, match="每天最多 1 餐"):
        await bookings.book(senior["id"], canteen["id"], dish_id=dinner, now=at(dinner_day_before, 9))


async def test_another_centers_canteen_is_not_managed(canteen, db):
    stranger = await as_user(await make_staff(db, role="manager"))
    with pytest.raises(AccessDenied):
        await bookings.add_dish(stranger, canteen["id"], day=THU, kind="lunch", name="鸡", price_fen=100, marks="")


async def test_the_menu_refuses_a_past_day_and_the_same_dish_twice(canteen):
    with pytest.raises(BookingError) as past:
        await bookings.add_dish(canteen["operator"], canteen["id"], day=WED, kind="lunch", name="面", price_fen=800,
                                marks="", today=THU)
    assert "已经过去" in past.value.errors["day"]
    with pytest.raises(BookingError) as twice:
        await bookings.add_dish(canteen["operator"], canteen["id"], day=THU, kind="lunch", name="清蒸鱼 杂粮饭",
                                price_fen=1600, marks="", today=WED)
    assert "已有“清蒸鱼 杂粮饭”" in twice.value.errors["name"]


async def test_a_senior_in_no_scheme_cannot_book_and_a_booking_past_its_cut_off_cannot_be_cancelled(canteen):
    young = await make_senior(canteen["center"], birth_date=date(1970, 1, 1))
    with pytest.raises(BookingError, match="不能在本系统订餐"):
        await bookings.book(young["id"], canteen["id"], dish_id=canteen["lunch"], now=at(WED, 9))
    senior = await make_senior(canteen["center"])
    await bookings.book(senior["id"], canteen["id"], dish_id=canteen["lunch"], now=at(WED, 9))
    (before,) = await bookings.bookings_of_senior(senior["id"], WED, now=at(WED, 16))
    (after,) = await bookings.bookings_of_senior(senior["id"], WED, now=at(WED, 17))
    assert before["can_cancel"] and not after["can_cancel"]
