"""Journey (issue #16, points 3 and 4): a family member books a delivered lunch on the senior's phone page, the
canteen scans the page's dynamic QR at the desk, sees tomorrow's counts and prints the delivery list, and the
deliverer records today's delivered meals on a phone; the ledger shows each meal with how the diner was verified.

The QR codes are read as a phone reads them: screenshots of the page decoded by zbar. Card D0480 is used nowhere
else; the deliverer takes the demo's own bookings of today (booked yesterday)."""

from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import expect

from e2e.helpers import decode_qr, login, overflow

CARD = "D0480"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def test_the_family_books_the_canteen_scans_lists_and_delivers(page, server, browser, artifacts, tmp_path):
    # The manager makes the family's phone page, with the senior's consent written down.
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, server, "manager")
    page.goto(server.url + f"/dining/seniors?q={CARD}")
    page.get_by_role("link", name=CARD).click()
    links = page.locator("#senior-links")
    links.get_by_label("家属代为使用").check()
    links.get_by_label("家属姓名（家属使用时填写）").fill("刘小红")
    links.get_by_label("与老人的关系").fill("女儿")
    links.get_by_label("老人如何同意").fill("本人到场口头同意")
    links.get_by_role("button", name="生成手机就餐码页面").click()
    expect(page.locator(".new-link")).to_be_visible()
    page.locator(".new-link .my-qr").screenshot(path=str(tmp_path / "link.png"))
    page.screenshot(path=str(artifacts / "dining-senior-link.png"), full_page=True)
    (address,) = decode_qr(tmp_path / "link.png")
    assert urlsplit(address).path.startswith("/my/")
    page.reload()
    expect(page.locator(".new-link")).to_have_count(0)  # shown once

    # The daughter opens it on her phone and books tomorrow's lunch, delivered.
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(address)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("的就餐码")
    expect(phone.locator("main")).to_contain_text("家属")
    tomorrow = server.today + timedelta(days=1)
    day = phone.locator("fieldset.menu-day", has=phone.locator("legend", has_text=f"{tomorrow.month}月{tomorrow.day}日"))
    dish = day.locator(".menu-dish").filter(has_text="午餐").first
    dish_name = dish.locator("strong").inner_text().split("·", 1)[1].strip()
    dish.click()
    phone.get_by_label("送餐上门").check()
    phone.get_by_label("楼栋（送餐时填写）").fill("7号楼")
    phone.get_by_label("房间号").fill("702")
    phone.get_by_role("button", name="预订所选的一餐").click()
    expect(phone.locator("[role=status]")).to_have_text("已预订")
    expect(phone.locator(".booked-list")).to_contain_text("送餐上门 7号楼 702")
    assert overflow(phone)["x"] == 0
    phone.screenshot(path=str(artifacts / "dining-my-page-phone.png"), full_page=True)

    # At lunch the senior shows the page's dynamic QR; the operator scans it into the desk's card box.
    phone.locator("#my-code .my-qr").screenshot(path=str(tmp_path / "code.png"))
    (code,) = decode_qr(tmp_path / "code.png")
    assert code.startswith("M1.")
    desk = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    login(desk, server, "canteen")
    desk.goto(server.url + "/dining")
    desk.get_by_label("就餐卡号（刷卡或输入后回车）").fill(code)
    desk.get_by_label("就餐卡号（刷卡或输入后回车）").press("Enter")
    expect(desk.locator(".verified-qr")).to_have_text("已扫描手机动态码")
    expect(desk.locator(".senior-card h2")).to_contain_text(CARD)
    desk.get_by_role("button", name="记录就餐").click()
    expect(desk.locator(".meal-result")).to_be_visible()
    desk.get_by_label("就餐卡号（刷卡或输入后回车）").fill(CARD)
    desk.get_by_label("就餐卡号（刷卡或输入后回车）").press("Enter")
    desk.get_by_role("link", name="账户明细与对账单 →").click()
    expect(desk.locator("table tbody tr").last).to_contain_text("动态码")  # the newest row
    desk.screenshot(path=str(artifacts / "dining-account-qr-meal.png"), full_page=True)

    # Tomorrow's counts include her booking, and the delivery list names the building and room, not her name.
    desk.goto(server.url + f"/dining/bookings?day={tomorrow.isoformat()}")
    expect(desk.locator("#booking-counts")).to_contain_text(dish_name)
    desk.screenshot(path=str(artifacts / "dining-bookings.png"), full_page=True)
    desk.goto(server.url + f"/dining/bookings/delivery?day={tomorrow.isoformat()}")
    stop = desk.locator(".delivery-stops tbody tr", has_text="702").filter(has_text="7号楼")
    expect(stop).to_have_count(1)
    expect(stop.locator("td").nth(2)).to_contain_text("*")
    desk.pdf(path=str(tmp_path / "delivery.pdf"), format="A4")
    desk.screenshot(path=str(artifacts / "dining-delivery-list.png"), full_page=True)

    # Today's round: the deliverer presses 已送达 on a phone; the meal is on the ledger as 送餐上门.
    rider = browser.new_context(**PHONE).new_page()
    login(rider, server, "canteen")
    rider.goto(server.url + "/dining/deliver")
    first = rider.locator(".deliver-stop[data-state=booked]").first
    address_text = first.locator(".stop-address").inner_text()
    first.get_by_role("button", name="确认送达").click()
    expect(rider.locator(".flash-success")).to_contain_text("已送达并记账")
    expect(rider.locator(".deliver-stop", has_text=address_text).first).to_contain_text("已送达")
    assert overflow(rider)["x"] == 0
    rider.screenshot(path=str(artifacts / "dining-deliver-phone.png"), full_page=True)
    page.goto(server.url + f"/dining/months?month={server.today:%Y-%m}")
    expect(page.locator('#by-method tr[data-method="delivered"] td').nth(1)).not_to_have_text("0")
    expect(page.locator('#by-method tr[data-method="qr"] td').nth(1)).not_to_have_text("0")
