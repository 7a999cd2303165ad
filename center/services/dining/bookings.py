"""Weekly menus, bookings and home delivery (issue #16, point 3): the canteen's dishes per day and meal kind; meals
booked ahead by the senior, a family member on the senior's phone page, or the operator on the phone; the day's
counts per dish and the delivery list by route; a delivered meal recorded by the deliverer with the desk's
idempotency (its key is the booking's)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from center.domain import AccessDenied, NotFound
from center.domain.bookings import (
    BOOKED_BY_LABELS,
    STATE_LABELS,
    BookingError,
    BookingState,
    check_booking,
    check_cancel,
    cutoff,
    week_of,
)
from center.domain.meals import KIND_LABELS, parse_kind
from center.domain.privacy import mask_name
from center.domain.verification import Method
from center.services import audit
from center.services.dining import meals, policies
from center.services.dining.registry import canteens_for
from center.services.identity import CurrentUser
from center.tables import Booking, Canteen, Meal, MenuDish, Senior
from center.timeutil import local_today, to_local, utcnow

MAX_MARKS = 60


async def canteen_row(canteen_id: int) -> dict:
    row = await Canteen.select().where(Canteen.id == canteen_id).first()
    if row is None:
        raise NotFound("没有这个助餐点")
    return row


async def _managed(actor: CurrentUser, canteen_id: int) -> dict:
    if canteen_id not in {c["id"] for c in await canteens_for(actor)}:
        raise AccessDenied("只能管理本助餐点的菜单和订餐")
    return await canteen_row(canteen_id)


# ---------------------------------------------------------------- the weekly menu


async def menu(canteen_id: int, first: date, last: date, *, active_only: bool = True) -> list[dict]:
    query = MenuDish.select().where((MenuDish.canteen == canteen_id) & (MenuDish.day >= first)
                                    & (MenuDish.day <= last))
    if active_only:
        query = query.where(MenuDish.active == True)  # noqa: E712
    rows = await query.order_by(MenuDish.day).order_by(MenuDish.id)
    order = list(KIND_LABELS)
    rows.sort(key=lambda r: (r["day"], order.index(r["kind"]), r["id"]))
    for row in rows:
        row["kind_label"] = KIND_LABELS[row["kind"]]
    return rows


async def add_dish(actor: CurrentUser, canteen_id: int, *, day: date | None, kind: str, name: str,
                   price_fen: int | None, marks: str, today: date | None = None) -> int:
    await _managed(actor, canteen_id)
    errors = {}
    if day is None:
        errors["day"] = "请选择日期"
    elif day < (today or local_today()):
        errors["day"] = "不能为已经过去的日子添加菜品"
    try:
        kind = parse_kind(kind).value
    except Exception as exc:  # noqa: BLE001 (a LedgerError with the Chinese message)
        errors["kind"] = str(exc)
    name = " ".join((name or "").split())
    if not name or len(name) > 40:
        errors["name"] = "请填写菜品名称（不超过 40 个字）"
    if price_fen is None or not 1 <= price_fen <= 100_000:
        errors["price"] = "请填写价格（0.01 到 1000 元）"
    marks = "、".join(m for m in " ".join((marks or "").replace(",", "、").replace("，", "、").split()).split("、") if m)
    if len(marks) > MAX_MARKS:
        errors["marks"] = f"标注不超过 {MAX_MARKS} 个字"
    if not errors and await MenuDish.exists().where(
            (MenuDish.canteen == canteen_id) & (MenuDish.day == day) & (MenuDish.kind == kind)
            & (MenuDish.name == name) & (MenuDish.active == True)):  # noqa: E712
        errors["name"] = f"这一天的{KIND_LABELS[kind]}已有“{name}”"
    if errors:
        raise BookingError(errors=errors)
    dish_id = (await MenuDish.insert(MenuDish(canteen=canteen_id, day=day, kind=kind, name=name, price_fen=price_fen,
                                              marks=marks, active=True, created_at=utcnow())
                                     ).returning(MenuDish.id))[0]["id"]
    await audit.record("dining.dish_add", actor=actor, object_type="menu_dish", object_id=dish_id,
                       detail={"canteen": canteen_id, "day": day.isoformat(), "kind": kind, "name": name,
                               "price_fen": price_fen})
    return dish_id


async def remove_dish(actor: CurrentUser, dish_id: int) -> dict:
    """Take a dish off the menu (its bookings stay: the canteen still cooks them unless they are cancelled)."""
    dish = await MenuDish.select().where(MenuDish.id == dish_id).first()
    if dish is None:
        raise NotFound("没有这道菜")
    await _managed(actor, dish["canteen"])
    await MenuDish.update({MenuDish.active: False}).where(MenuDish.id == dish_id)
    await audit.record("dining.dish_remove", actor=actor, object_type="menu_dish", object_id=dish_id)
    return dish


async def live_bookings_of_dish(dish_id: int) -> int:
    return await Booking.count().where((Booking.dish == dish_id) & (Booking.state == BookingState.booked.value))


# ---------------------------------------------------------------- booking and cancelling


async def book(senior_id: int, canteen_id: int, *, dish_id: int | None, delivery: bool = False, route: str = "",
               building: str = "", room: str = "", booked_by: str = "self", link_id: int | None = None,
               operator_id: int | None = None, now: datetime | None = None) -> int:
    """Book a dish of the menu: its day and meal kind (BookingError in Chinese when the rules refuse it)."""
    now = now or utcnow()
    local = to_local(now)
    canteen = await canteen_row(canteen_id)
    senior = await Senior.select(Senior.id, Senior.center, Senior.birth_date, Senior.active).where(
        Senior.id == senior_id).first()
    if senior is None or not senior["active"]:
        raise NotFound("没有这位老人")
    if senior["center"] != canteen["center"]:
        raise BookingError("只能预订本中心的助餐点", field="canteen")
    dish = await MenuDish.select().where((MenuDish.id == (dish_id or 0)) & (MenuDish.canteen == canteen_id)
                                         & (MenuDish.active == True)).first()  # noqa: E712
    if dish is None:
        raise BookingError("请从菜单中选择菜品", field="dish")
    day, kind = dish["day"], dish["kind"]
    building, room, route = (" ".join((v or "").split()) for v in (building, room, route))
    if delivery:
        if not canteen["delivers"]:
            raise BookingError("这个助餐点不提供送餐上门", field="delivery")
        if not building or len(building) > 40:
            raise BookingError("送餐上门请填写楼栋（不超过 40 个字）", field="building")
        if not room or len(room) > 20:
            raise BookingError("送餐上门请填写房间号（不超过 20 个字）", field="room")
    live = await Booking.select(Booking.day, Booking.kind).where(
        (Booking.senior == senior_id) & (Booking.state != BookingState.cancelled.value)
        & (Booking.day >= week_of(day)[0]) & (Booking.day <= week_of(day)[1]))
    schemes, not_in_any = await policies.schemes_of(senior_id, senior["birth_date"], day)
    if not schemes:
        raise BookingError(f"{not_in_any}，不能在本系统订餐", field="card")
    check_booking(now_local=local, day=day, kind=kind, open_days=canteen["open_days"],
                  cutoff_at=canteen["booking_cutoff"] or time(17), dish_day=dish["day"], dish_kind=dish["kind"],
                  same_kind_booked=any(b["day"] == day and b["kind"] == kind for b in live),
                  booked_that_day=sum(b["day"] == day for b in live), booked_that_week=len(live), schemes=schemes)
    booking_id = (await Booking.insert(Booking(
        senior=senior_id, canteen=canteen_id, day=day, kind=kind, dish=dish["id"], delivery=delivery,
        route=route[:20] if delivery else "", building=building[:40] if delivery else "",
        room=room[:20] if delivery else "", booked_by=booked_by, link=link_id, operator=operator_id,
        state=BookingState.booked.value, created_at=now)).returning(Booking.id))[0]["id"]
    await audit.record("dining.book", object_type="booking", object_id=booking_id,
                       detail={"senior": senior_id, "day": day.isoformat(), "kind": kind, "dish": dish["id"],
                               "booked_by": booked_by, "link": link_id, "operator": operator_id,
                               "delivery": delivery})
    return booking_id


async def cancel(booking_id: int, *, senior_id: int | None = None, actor: CurrentUser | None = None,
                 now: datetime | None = None) -> dict:
    """Cancel until the cut-off: from the senior's page (`senior_id` must own it) or by the canteen's staff."""
    now = now or utcnow()
    booking = await Booking.select().where(Booking.id == booking_id).first()
    if booking is None or (senior_id is not None and booking["senior"] != senior_id):
        raise NotFound("没有这份预订")
    canteen = await (_managed(actor, booking["canteen"]) if actor is not None else canteen_row(booking["canteen"]))
    check_cancel(now_local=to_local(now), day=booking["day"], cutoff_at=canteen["booking_cutoff"] or time(17),
                 state=booking["state"])
    await Booking.update({Booking.state: BookingState.cancelled.value, Booking.cancelled_at: now}).where(
        Booking.id == booking_id)
    await audit.record("dining.book_cancel", actor=actor, object_type="booking", object_id=booking_id)
    return booking


async def bookings_of_senior(senior_id: int, from_day: date, now: datetime | None = None) -> list[dict]:
    """The senior's bookings from a day on, each saying whether it may still be cancelled (before its cut-off)."""
    rows = await Booking.select(
        Booking.all_columns(), Booking.dish.name.as_alias("dish_name"), Booking.dish.price_fen.as_alias("price_fen"),
        Booking.canteen.name.as_alias("canteen_name"), Booking.canteen.booking_cutoff.as_alias("cutoff_at"),
    ).where((Booking.senior == senior_id) & (Booking.day >= from_day)).order_by(Booking.day)
    local = to_local(now or utcnow())
    for row in rows:
        row["can_cancel"] = row["state"] == BookingState.booked and local < cutoff(row["day"], row["cutoff_at"]
                                                                                    or time(17))
    return [_labelled(r) for r in rows]


async def todays_booking(senior_id: int, canteen_id: int, day: date) -> list[dict]:
    """The senior's live eat-in bookings at this canteen for the day (the desk shows them and prices by them)."""
    rows = await Booking.select(
        Booking.id, Booking.kind, Booking.dish.name.as_alias("dish_name"), Booking.dish.price_fen.as_alias("price_fen"),
    ).where((Booking.senior == senior_id) & (Booking.canteen == canteen_id) & (Booking.day == day)
            & (Booking.state == BookingState.booked.value) & (Booking.delivery == False))  # noqa: E712
    for row in rows:
        row["kind_label"] = KIND_LABELS[row["kind"]]
    return rows


async def serve_booking(meal_id: int) -> None:
    """A meal recorded at the desk serves the senior's eat-in booking of its kind that day there, if there is one."""
    meal = await Meal.select(Meal.senior, Meal.canteen, Meal.book_date, Meal.kind).where(Meal.id == meal_id).first()
    if meal is None:
        return
    senior_id, canteen_id, day, kind = meal["senior"], meal["canteen"], meal["book_date"], meal["kind"]
    await Booking.update({Booking.state: BookingState.served.value, Booking.meal: meal_id}).where(
        (Booking.senior == senior_id) & (Booking.canteen == canteen_id) & (Booking.day == day)
        & (Booking.kind == kind) & (Booking.state == BookingState.booked.value)
        & (Booking.delivery == False))  # noqa: E712


def _labelled(row: dict) -> dict:
    row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
    row["state_label"] = STATE_LABELS.get(BookingState(row["state"]), row["state"])
    row["booked_by_label"] = BOOKED_BY_LABELS.get(row["booked_by"], row["booked_by"])
    return row


async def day_bookings(actor: CurrentUser, canteen_id: int, day: date, route: str | None = None) -> list[dict]:
    """A day's bookings at the canteen with masked names (for the counts, the delivery list, the deliverer)."""
    await _managed(actor, canteen_id)
    query = Booking.select(
        Booking.all_columns(), Booking.dish.name.as_alias("dish_name"), Booking.dish.marks.as_alias("marks"),
        Booking.dish.price_fen.as_alias("price_fen"), Booking.senior.name.as_alias("senior_name"),
        Booking.senior.card_no.as_alias("card_no"),
    ).where((Booking.canteen == canteen_id) & (Booking.day == day))
    if route is not None:
        query = query.where((Booking.route == route) & (Booking.delivery == True))  # noqa: E712
    rows = await query.order_by(Booking.id)
    for row in rows:
        row["masked_name"] = mask_name(row.pop("senior_name"))
        _labelled(row)
    return rows


# ---------------------------------------------------------------- a delivered meal


async def deliver(actor: CurrentUser, booking_id: int, now: datetime | None = None) -> meals.MealResult:
    """The deliverer hands the meal over: it is recorded as a meal of that day at the booked dish's price, once
    (the booking's idempotency key: a double press or a retry records nothing more)."""
    now = now or utcnow()
    booking = await Booking.select(
        Booking.all_columns(), Booking.dish.price_fen.as_alias("price_fen"),
        Booking.senior.card_no.as_alias("card_no"),
    ).where(Booking.id == booking_id).first()
    if booking is None:
        raise NotFound("没有这份预订")
    await _managed(actor, booking["canteen"])
    if booking["state"] == BookingState.cancelled:
        raise BookingError("这份预订已取消，不能记为送达")
    if not booking["delivery"]:
        raise BookingError("这份预订是堂食，请在助餐台刷卡记餐")
    if to_local(now).date() != booking["day"]:
        raise BookingError(f"这份预订是 {booking['day']:%m月%d日} 的，只能在当天记为送达")
    result = await meals.record_meal(
        booking["canteen"], card_no=booking["card_no"], kind=booking["kind"], price_fen=booking["price_fen"],
        # No eaten_at sent: the fingerprint stays the same for a retry a moment later (the meal is dated `now`).
        eaten_at=None, idempotency_key=f"booking:{booking_id}", operator_id=actor.id, now=now,
        verified_by=Method.delivered.value)
    if booking["state"] != BookingState.delivered:
        await Booking.update({Booking.state: BookingState.delivered.value, Booking.meal: result.meal_id}).where(
            Booking.id == booking_id)
    return result


def next_days(today: date, count: int = 7) -> list[date]:
    return [today + timedelta(days=n) for n in range(1, count + 1)]
