"""Who ate (issue #16, point 4): the methods, the dynamic QR's signature, life and shape, and the month's flags
with the facts behind them."""

from datetime import datetime, timedelta

import pytest

from center.domain.verification import (
    QR_LIFETIME,
    MealSeen,
    Method,
    VerificationError,
    by_method,
    flags,
    looks_like_code,
    make_code,
    parse_method,
    read_code,
)
from center.timeutil import LOCAL_TZ

NOW = datetime(2026, 12, 9, 11, 30, tzinfo=LOCAL_TZ)
SECRET = "s" * 40


def test_the_card_is_the_default_and_a_proxy_needs_a_name():
    assert parse_method(None, None) == (Method.card, "")
    assert parse_method("photo", "张三") == (Method.photo, "")  # a name only belongs to 代领
    assert parse_method("proxy", "  李  四 ") == (Method.proxy, "李 四")
    with pytest.raises(VerificationError, match="代领人姓名"):
        parse_method("proxy", "")
    with pytest.raises(VerificationError, match="核验方式须为"):
        parse_method("face", "")


def test_a_code_reads_back_within_its_life_and_not_after():
    code, expires = make_code(SECRET, 7, NOW, "nonce1")
    assert looks_like_code(code) and not looks_like_code("D0001")
    assert expires == NOW + QR_LIFETIME
    scanned = read_code(SECRET, code, NOW + QR_LIFETIME - timedelta(seconds=1))
    assert (scanned.link_id, scanned.nonce) == (7, "nonce1")
    with pytest.raises(VerificationError, match="已过期"):
        read_code(SECRET, code, NOW + QR_LIFETIME + timedelta(seconds=1))


def test_a_code_not_signed_by_this_server_or_altered_is_refused():
    code, _ = make_code(SECRET, 7, NOW, "nonce1")
    with pytest.raises(VerificationError, match="校验失败"):
        read_code("another-secret" * 3, code, NOW)
    forged = code.replace(".7.", ".8.", 1)  # another senior's link
    with pytest.raises(VerificationError, match="校验失败"):
        read_code(SECRET, forged, NOW)
    with pytest.raises(VerificationError, match="无法识别"):
        read_code(SECRET, "M1.x", NOW)


def seen(n, canteen, senior, at, method="card"):
    return MealSeen(n, canteen, senior, f"D{senior:04d}", at, method)


def test_one_card_at_two_canteens_within_minutes_is_flagged_at_both_with_the_times():
    meals = [seen(1, 1, 5, NOW), seen(2, 2, 5, NOW + timedelta(minutes=12)),
             seen(3, 1, 6, NOW), seen(4, 2, 6, NOW + timedelta(hours=5))]  # hours apart: lunch then dinner
    found = [f for f in flags(meals, open_days={}, names={1: "甲食堂", 2: "乙食堂"}) if f.kind == "two_canteens"]
    assert [f.canteen_id for f in found] == [1, 2]
    assert found[0].facts == ("卡号 D0005：12-09 11:30 在甲食堂，12 分钟后 11:42 在乙食堂",)


def test_a_meal_on_a_day_the_canteen_does_not_serve_is_flagged_with_the_day():
    sunday = datetime(2026, 12, 13, 12, tzinfo=LOCAL_TZ)
    found = flags([seen(1, 1, 5, sunday), seen(2, 1, 6, sunday)], open_days={1: "12345"}, names={1: "甲"})
    assert [(f.kind, f.facts) for f in found] == [("closed_day", ("2026-12-13（周日）：2 餐",))]


def test_a_proxy_share_far_above_the_districts_is_flagged_but_not_a_small_or_ordinary_one():
    meals = [seen(n, 1, n, NOW + timedelta(days=n % 20), "proxy" if n < 12 else "card") for n in range(30)]
    found = flags(meals, open_days={}, names={1: "甲"}, district_share=5.0)
    assert [(f.kind, f.facts) for f in found] == [("proxy_share", ("本点代领 12 / 30 餐，占 40%；全区 5%",))]
    assert flags(meals, open_days={}, names={1: "甲"}, district_share=30.0) == []  # not far above
    assert flags(meals[:10], open_days={}, names={1: "甲"}, district_share=1.0) == []  # too few meals to say


def test_meals_are_counted_by_method():
    assert by_method(["card", "qr", "card", "proxy"]) == {"card": 2, "qr": 1, "photo": 0, "proxy": 1, "delivered": 0}
