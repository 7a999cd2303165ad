"""Journey: at the canteen desk a price slip of the finger (150 for 15.0) is asked about before anything is
recorded, from the keyboard; a price that is not a number is told at the price field, the typed text kept.

Cards D04xx with n % 3 != 0 have no meal at this canteen today (see test_dining_desk_journey)."""

import re

from playwright.sync_api import expect

from e2e.helpers import login
from e2e.test_dining_desk_journey import meals_of, open_card

PRICE = "餐费（元）"


def test_an_unusual_price_asks_first_and_a_bad_one_is_told_at_the_field(page, server, artifacts):
    login(page, server, "canteen")
    open_card(page, "D0419")
    page.get_by_label(PRICE).fill("15O")  # a letter O for a zero
    page.get_by_role("button", name="记录就餐").click()
    price = page.get_by_label(PRICE)
    expect(price).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#price-error")).to_contain_text("餐费须为数字")
    expect(price).to_have_value("15O")
    expect(price).to_be_focused()
    assert meals_of(server, "D0419") == []

    price.fill("150")
    price.press("Enter")
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text("餐费 150.00 元，超过 100 元，确定按这个价格记录？")
    expect(question.get_by_role("button", name="确认按此价格记录")).to_be_focused()
    page.screenshot(path=str(artifacts / "dining-unusual-price.png"), full_page=True)
    assert meals_of(server, "D0419") == []
    page.keyboard.press("Escape")  # 修改价格: the form again, the price as typed, with the focus
    price = page.get_by_label(PRICE)
    expect(price).to_have_value("150")
    expect(price).to_be_focused()
    assert meals_of(server, "D0419") == []

    price.fill("15")
    price.press("Enter")
    expect(page.locator(".meal-result")).to_contain_text("15.00 元")
    assert [p for _, p, _ in meals_of(server, "D0419")] == [1500]

    open_card(page, "D0420")
    page.get_by_label(PRICE).fill("120")
    page.get_by_role("button", name="记录就餐").click()
    expect(page.get_by_role("button", name="确认按此价格记录")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".meal-result")).to_contain_text(re.compile(r"120\.00 元"))
    assert [p for _, p, _ in meals_of(server, "D0420")] == [12000]
