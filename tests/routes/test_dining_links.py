"""A senior's phone page and its dynamic QR through the web (issue #16, point 4): the manager makes the page (shown
once), the family's with the senior's consent; the page needs no login and shows no ID number; its code, scanned
into the desk's card box, records a meal verified by QR; a revoked page stops at once."""

from urllib.parse import urlsplit

from center.config import DEMO_PASSWORD
from center.services.dining import links
from center.services.dining.registry import senior_by_card
from center.tables import Meal, SeniorLink
from tests.factories import csrf_token, login, logout, soup


async def make_page(client, senior_id, **fields):
    token = await csrf_token(client, f"/dining/seniors/{senior_id}")
    return await client.post(f"/dining/seniors/{senior_id}/links", data={"_csrf_token": token, **fields})


async def test_the_manager_makes_a_family_page_shown_once_and_it_opens_without_a_login(manager_client):
    senior = await senior_by_card("D0042")
    refused = await make_page(manager_client, senior["id"], holder="family", holder_name="王小明")
    assert refused.status_code == 422
    page = soup(refused)
    assert page.select_one("#link-relation")["aria-invalid"] == "true"
    assert page.select_one("#link-holder-name")["value"] == "王小明"  # nothing lost
    made = await make_page(manager_client, senior["id"], holder="family", holder_name="王小明", relation="子女",
                           consent_note="本人到场口头同意")
    page = soup(made)
    address = page.select_one(".new-link .mono").get_text().strip()
    assert page.select_one(".new-link svg.qr-code") is not None and "/my/" in address
    again = soup(await manager_client.get(f"/dining/seniors/{senior['id']}"))
    assert again.select_one(".new-link") is None  # shown once
    assert "子女" in again.select_one("#senior-links table").get_text()
    await logout(manager_client)
    path = urlsplit(address).path
    phone = await manager_client.get(path)
    assert phone.status_code == 200 and "no-store" in phone.headers["cache-control"]
    shown = soup(phone)
    assert shown.select_one("#my-code svg.qr-code") is not None
    assert senior["id_number"] not in phone.text and senior["name"] not in phone.text  # masked
    fragment = await manager_client.get(path, headers={"HX-Request": "true", "HX-Target": "my-code"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "qr-code" in fragment.text


async def test_a_scanned_code_at_the_desk_records_a_meal_verified_by_qr_and_a_revoked_page_stops(client, db):
    from tests.factories import as_user, load_demo

    await load_demo(db)
    senior = await senior_by_card("D0043")
    admin = await as_user({"id": (await _staff_id("admin"))})
    await links.create_link(admin, senior["id"], holder="self")
    link = await SeniorLink.select().where(SeniorLink.senior == senior["id"]).first()
    code, _ = links.code_for(client.app.state.settings.secret_key, link["id"])
    await login(client, "canteen", DEMO_PASSWORD)
    desk = soup(await client.get("/dining", params={"card": code}))
    assert "已扫描手机动态码" in desk.get_text() and desk.select_one("form.meal-form input[name=qr]")["value"] == code
    form = desk.select_one("form.meal-form")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    fields.update(kind="lunch", price=form.select_one("input[name=price]")["value"])
    recorded = await client.post("/dining/meals", data=fields)
    assert recorded.status_code == 200
    meal = await Meal.select(Meal.verified_by).where(Meal.senior == senior["id"]).order_by(Meal.id, ascending=False).first()
    assert meal["verified_by"] == "qr"
    again = await client.post("/dining/meals", data={**fields, "key": "another-key"})
    assert again.status_code == 422 and "已经用过一次" in soup(again).get_text()
    await SeniorLink.update({SeniorLink.revoked_at: link["created_at"]}).where(SeniorLink.id == link["id"])
    fresh, _ = links.code_for(client.app.state.settings.secret_key, link["id"])
    assert "已停用" in soup(await client.get("/dining", params={"card": fresh})).get_text()


async def _staff_id(username):
    from center.tables import Staff

    return (await Staff.select(Staff.id).where(Staff.username == username).first())["id"]
