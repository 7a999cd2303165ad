"""The operator cancels a booking on /dining/bookings: asked first, then cancelled (issue #16, point 3)."""

from datetime import timedelta
from center.config import DEMO_PASSWORD
from center.services.dining import bookings
from center.tables import Booking, Canteen, MenuDish
from center.timeutil import local_today
from tests.factories import csrf_token, load_demo, login, soup


async def test_the_operator_cancels_a_booking_after_a_question(client, db):
    await load_demo(db)
    await login(client, "canteen", DEMO_PASSWORD)
    canteen = await Canteen.select().order_by(Canteen.code).first()
    # Three days ahead: before its cut-off whatever the hour the suite runs.
    tomorrow = local_today() + timedelta(days=3)
    dish = await MenuDish.select(MenuDish.id).where((MenuDish.canteen == canteen["id"]) & (MenuDish.day == tomorrow)
                                                    & (MenuDish.kind == "dinner")).first()
    senior = await Booking.select(Booking.senior).where(Booking.canteen == canteen["id"]).first()
    booking = {"id": await bookings.book(senior["senior"], canteen["id"], dish_id=dish["id"])}
    token = await csrf_token(client, f"/dining/bookings?canteen={canteen['id']}&day={tomorrow}")
    asked = await client.post(f"/dining/bookings/{booking['id']}/cancel",
                              data={"_csrf_token": token, "canteen": canteen["id"], "day": tomorrow.isoformat()})
    assert asked.status_code == 200 and "取消这份预订" in asked.text
    done = await client.post(f"/dining/bookings/{booking['id']}/cancel",
                             data={"_csrf_token": token, "canteen": canteen["id"], "day": tomorrow.isoformat(),
                                   "confirm": "1"})
    assert done.status_code == 200 and "预订已取消" in soup(done).get_text(), done.text[:500]
    assert (await Booking.select(Booking.state).where(Booking.id == booking["id"]).first())["state"] == "cancelled"
