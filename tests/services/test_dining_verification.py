"""Who ate, on a real database (issue #16, point 4): a dynamic QR from a senior's phone page pays for one meal,
a revoked page's code pays for none, a proxy's name is kept, the hash chain covers the method, and the month counts
meals by method and flags one card at two canteens."""

from datetime import date, datetime, time, timedelta

import pytest

from center.domain.verification import VerificationError
from center.services.chain import verify_ledger_chain
from center.services.dining import links
from center.services.dining.checks import verify_ledger
from center.services.dining.meals import record_meal
from center.services.dining.months import month_view
from center.tables import Meal
from center.timeutil import LOCAL_TZ
from tests.factories import as_user, make_canteen, make_senior, make_staff

SECRET = "test-secret-" * 4
DAY = date(2026, 11, 24)


@pytest.fixture
async def canteen(db):
    canteen = await make_canteen(name="核验食堂")
    manager = await as_user(await make_staff(db, role="manager", center=canteen["center"]))
    return {**canteen, "manager": manager}


def at(hour, minute=0, day=DAY):
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


async def eat(canteen_id, card, key, when, **kw):
    return await record_meal(canteen_id, card_no=card, kind="lunch", price_fen=1500, eaten_at=when,
                             idempotency_key=key, now=when + timedelta(seconds=5), qr_secret=SECRET, **kw)


async def test_a_dynamic_qr_pays_for_one_meal_and_the_chain_covers_it(canteen):
    senior = await make_senior(canteen["center"], granted_on=DAY)
    await links.create_link(canteen["manager"], senior["id"], holder="self")
    link = (await links.links_of(canteen["manager"], senior["id"]))[0]
    code, _ = links.code_for(SECRET, link["id"], now=at(12))
    first = await eat(canteen["id"], code, "qr-1", at(12))
    meal = await Meal.select(Meal.senior, Meal.verified_by, Meal.verification_ref).where(
        Meal.id == first.meal_id).first()
    assert meal["senior"] == senior["id"] and meal["verified_by"] == "qr" and meal["verification_ref"]
    assert (await eat(canteen["id"], code, "qr-1", at(12))).replay  # a retry of the same request
    with pytest.raises(VerificationError, match="已经用过一次"):
        await eat(canteen["id"], code, "qr-2", at(12))  # the same code again, another meal
    assert (await verify_ledger_chain()).ok and await verify_ledger() == []


async def test_an_expired_or_revoked_pages_code_pays_for_nothing(canteen):
    senior = await make_senior(canteen["center"], granted_on=DAY)
    await links.create_link(canteen["manager"], senior["id"], holder="family", holder_name="王小明", relation="子女",
                            consent_note="本人到场口头同意")
    link = (await links.links_of(canteen["manager"], senior["id"]))[0]
    old, _ = links.code_for(SECRET, link["id"], now=at(11))
    with pytest.raises(VerificationError, match="已过期"):
        await eat(canteen["id"], old, "exp-1", at(12))
    fresh, _ = links.code_for(SECRET, link["id"], now=at(12))
    await links.revoke_link(canteen["manager"], senior["id"], link["id"])
    with pytest.raises(VerificationError, match="已停用"):
        await eat(canteen["id"], fresh, "rev-1", at(12))


async def test_a_family_link_needs_the_relation_and_the_seniors_consent(canteen):
    from center.domain import DomainError

    senior = await make_senior(canteen["center"])
    with pytest.raises(DomainError) as refused:
        await links.create_link(canteen["manager"], senior["id"], holder="family", holder_name="王小明")
    assert set(refused.value.errors) == {"relation", "consent_note"}


async def test_a_proxy_is_named_and_the_month_counts_meals_by_method_and_flags_two_canteens(canteen):
    senior = await make_senior(canteen["center"], granted_on=DAY)
    other = await make_senior(canteen["center"], granted_on=DAY)
    second = (await make_canteen(canteen["center"], name="另一食堂"))["id"]
    await eat(canteen["id"], senior["card_no"], "m-1", at(12), verified_by="proxy", proxy_name="邻居 李四")
    await eat(second, senior["card_no"], "m-2", at(12, 10))  # ten minutes later, elsewhere
    await eat(canteen["id"], other["card_no"], "m-3", at(12), verified_by="photo")
    proxied = await Meal.select(Meal.proxy_name).where(Meal.idempotency_key == "m-1").first()
    assert proxied["proxy_name"] == "邻居 李四"
    with pytest.raises(VerificationError, match="代领人姓名"):
        await eat(canteen["id"], other["card_no"], "m-4", at(18), verified_by="proxy")
    view = await month_view(canteen["manager"], canteen["id"], date(2026, 11, 1))
    assert view["by_method"]["proxy"] >= 1 and view["by_method"]["photo"] >= 1
    two = [f for f in view["flags"] if f["kind"] == "two_canteens"]
    assert two and any(senior["card_no"] in fact and "10 分钟后" in fact for fact in two[0]["facts"])
    assert (await verify_ledger_chain()).ok
