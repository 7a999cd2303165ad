"""The menu, bookings, delivery list and deliverer's page through the web, and booking on the senior's phone page
(issue #16, point 3). The demo's first canteen delivers and has tomorrow's bookings."""

from datetime import timedelta
from urllib.parse import urlsplit

from center.config import DEMO_PASSWORD
from center.services.dining import links
from center.services.dining.registry import senior_by_card
from center.tables import Booking, Canteen, MenuDish, SeniorLink, Staff
from center.timeutil import local_today
from tests.factories import as_user, csrf_token, load_demo, login, soup


async def first_canteen():
    return await Canteen.select().order_by(Canteen.code).first()


async def test_the_operator_adds_a_dish_and_a_wrong_price_keeps_what_was_typed(client, db):
    await load_demo(db)
    await login(client, "canteen", DEMO_PASSWORD)
    canteen = await first_canteen()
    token = await csrf_token(client, f"/dining/menu?canteen={canteen['id']}")
    day = (local_today() + timedelta(days=3)).isoformat()
    refused = await client.post("/dining/menu", data={"_csrf_token": token, "canteen": canteen["id"], "day": day,
                                                       "kind": "dinner", "name": "番茄鸡蛋面", "price": "abc"})
    assert refused.status_code == 422
    page = soup(refused)
    assert page.select_one("#dish-price")["aria-invalid"] == "true" and page.select_one("#dish-name")["value"] == "番茄鸡蛋面"
    done = await client.post("/dining/menu", data={"_csrf_token": token, "canteen": canteen["id"], "day": day,
                                                    "kind": "dinner", "name": "番茄鸡蛋面", "price": "11.5",
                                                    "marks": "软食"})
    week = soup(done)
    cell = week.select_one(f'td[data-day="{day}"][data-kind="dinner"]')
    assert "番茄鸡蛋面" in cell.get_text() and "11.50" in cell.get_text() and "软食" in cell.get_text()


async def test_tomorrows_counts_the_delivery_list_and_the_deliverers_page(client, db):
    await load_demo(db)
    await login(client, "canteen", DEMO_PASSWORD)
    canteen = await first_canteen()
    tomorrow = local_today() + timedelta(days=1)
    page = soup(await client.get(f"/dining/bookings?canteen={canteen['id']}&day={tomorrow.isoformat()}"))
    totals = {r["data-dish"]: int(r.select("td")[-1].get_text()) for r in page.select("#booking-counts tr[data-dish]")}
    assert sum(totals.values()) == await Booking.count().where((Booking.day == tomorrow) & (Booking.state == "booked"))
    sheet = soup(await client.get(f"/dining/bookings/delivery?canteen={canteen['id']}&day={tomorrow.isoformat()}"))
    routes = [h.get_text() for h in sheet.select(".delivery-round h2")]
    assert routes and all(r.startswith("路线：") for r in routes)
    first_row = sheet.select_one(".delivery-stops tbody tr").select("td")
    assert first_row[0].get_text().endswith("号楼") and "*" in first_row[2].get_text()  # the name masked
    deliver = soup(await client.get(f"/dining/deliver?canteen={canteen['id']}"))
    assert deliver.select_one("h1").get_text().startswith("今日送餐")


async def test_a_phone_booking_by_card_and_one_refused_says_why(client, db):
    await load_demo(db)
    await login(client, "canteen", DEMO_PASSWORD)
    canteen = await first_canteen()
    dish = await MenuDish.select().where((MenuDish.canteen == canteen["id"]) & (MenuDish.day == local_today()
                                                                                + timedelta(days=2))).first()
    token = await csrf_token(client, f"/dining/bookings?canteen={canteen['id']}")
    senior = (await Booking.select(Booking.senior.card_no.as_alias("card")).where(
        Booking.canteen == canteen["id"]).first())["card"]
    done = await client.post("/dining/bookings", data={"_csrf_token": token, "canteen": canteen["id"], "card": senior,
                                                        "dish": dish["id"]})
    assert done.status_code == 200 and f"已为 {senior} 订餐" in soup(done).get_text()
    twice = await client.post("/dining/bookings", data={"_csrf_token": token, "canteen": canteen["id"], "card": senior,
                                                         "dish": dish["id"]})
    assert twice.status_code == 422 and "已经订过了" in soup(twice).select_one("#booking-error").get_text()


async def test_the_family_books_and_cancels_on_the_seniors_phone_page(client, db):
    await load_demo(db)
    canteen = await first_canteen()
    senior = await Booking.select(Booking.senior).where(Booking.canteen == canteen["id"]).first()
    admin = await as_user({"id": (await Staff.select(Staff.id).where(Staff.username == "admin").first())["id"]})
    token = await links.create_link(admin, senior["senior"], holder="family", holder_name="李华", relation="女儿",
                                    consent_note="本人电话同意")
    page = soup(await client.get(f"/my/{token}"))
    form = page.select_one(".my-book-form")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    fields["dish"] = form.select("input[name=dish]")[-1]["value"]
    booked = await client.post(form["action"], data={**fields, "delivery": "1", "building": "5号楼", "room": "301"})
    assert booked.status_code == 200 and "已预订" in soup(booked).select_one("[role=status]").get_text()
    made = await Booking.select().where(Booking.dish == int(fields["dish"])).order_by(Booking.id, ascending=False).first()
    link = await SeniorLink.select(SeniorLink.id).where(SeniorLink.senior == senior["senior"]).first()
    assert (made["booked_by"], made["link"], made["building"], made["delivery"]) == ("family", link["id"], "5号楼", True)
    mine = soup(booked).select_one(f'li[data-booking="{made["id"]}"] form')
    cancelled = await client.post(mine["action"])
    assert cancelled.status_code == 200 and "已取消预订" in soup(cancelled).get_text()
    refused = await client.post(form["action"], data={**fields, "delivery": "1", "building": ""})
    assert refused.status_code == 422 and "楼栋" in soup(refused).select_one("#book-error").get_text()


async def test_the_desk_shows_todays_booking_prices_the_meal_by_it_and_serves_it(client, db):
    await load_demo(db)
    await login(client, "canteen", DEMO_PASSWORD)
    canteen = await first_canteen()
    booking = await Booking.select(Booking.id, Booking.senior.card_no.as_alias("card"),
                                   Booking.dish.price_fen.as_alias("price")).where(
        (Booking.canteen == canteen["id"]) & (Booking.day == local_today()) & (Booking.delivery == False)  # noqa: E712
        & (Booking.state == "booked")).first()
    desk = soup(await client.get("/dining", params={"card": booking["card"]}))
    assert "今日已预订" in desk.select_one(".booked-today").get_text()
    form = desk.select_one("form.meal-form")
    assert form.select_one("input[name=price]")["value"] == f"{booking['price'] / 100:.2f}"
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    fields.update(kind="lunch", price=form.select_one("input[name=price]")["value"], verified_by="card")
    assert (await client.post("/dining/meals", data=fields)).status_code == 200
    served = await Booking.select(Booking.state, Booking.meal).where(Booking.id == booking["id"]).first()
    assert served["state"] == "served" and served["meal"] is not None
