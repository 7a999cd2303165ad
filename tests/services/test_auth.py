"""Login checks against a real database: throttling per account, the demo password, audit rows."""

from datetime import timedelta

import pytest

from center.config import DEMO_PASSWORD
from center.services.auth import LoginFailed, LoginThrottled, authenticate
from center.services.staff import StaffError, add_staff
from center.tables import AuditLog, LoginAttempt
from center.timeutil import utcnow
from tests.factories import PASSWORD, make_center, make_staff


async def test_right_password_logs_in_and_is_audited(db):
    person = await make_staff(db, role="worker")
    user = await authenticate(db, person["username"], PASSWORD, "10.0.0.1", utcnow())
    assert user.username == person["username"] and user.role == "worker"
    assert user.center_slug == person["center"]["slug"]
    assert await AuditLog.exists().where((AuditLog.action == "auth.login") & (AuditLog.actor == user.id))


async def test_wrong_password_fails(db):
    person = await make_staff(db)
    with pytest.raises(LoginFailed):
        await authenticate(db, person["username"], "wrong-password", "10.0.0.1", utcnow())


async def test_unknown_user_fails_like_a_wrong_password(db):
    with pytest.raises(LoginFailed, match="用户名或密码不正确"):
        await authenticate(db, "nobody-here", "whatever", "10.0.0.1", utcnow())


async def test_eleventh_attempt_is_throttled_whatever_the_address(db):
    person = await make_staff(db)
    now = utcnow()
    for i in range(10):
        with pytest.raises(LoginFailed):
            await authenticate(db, person["username"], "wrong", f"10.0.0.{i}", now + timedelta(seconds=i))
    # Even the right password from a new address is refused while the account is locked.
    with pytest.raises(LoginThrottled):
        await authenticate(db, person["username"], PASSWORD, "192.168.9.9", now + timedelta(minutes=1))
    blocked = await LoginAttempt.count().where(
        (LoginAttempt.username == person["username"]) & (LoginAttempt.outcome == "blocked")
    )
    assert blocked == 1
    # Fifteen minutes after the tenth failure the account opens again.
    user = await authenticate(db, person["username"], PASSWORD, "10.0.0.1", now + timedelta(seconds=9, minutes=15))
    assert user.id == person["id"]


async def test_a_success_resets_the_failure_count(db):
    person = await make_staff(db)
    now = utcnow()
    for i in range(9):
        with pytest.raises(LoginFailed):
            await authenticate(db, person["username"], "wrong", "10.0.0.1", now + timedelta(seconds=i))
    await authenticate(db, person["username"], PASSWORD, "10.0.0.1", now + timedelta(seconds=10))
    with pytest.raises(LoginFailed):
        await authenticate(db, person["username"], "wrong", "10.0.0.1", now + timedelta(seconds=11))
    await authenticate(db, person["username"], PASSWORD, "10.0.0.1", now + timedelta(seconds=12))


async def test_demo_password_is_refused_outside_demo_mode(db):
    production = db.with_(demo=False)
    center = await make_center()
    with pytest.raises(StaffError, match="演示密码"):
        await add_staff(production, username="prodworker", role="worker", center_slug=center["slug"],
                        password=DEMO_PASSWORD)
    person = await make_staff(db, password=DEMO_PASSWORD)  # created in demo mode
    with pytest.raises(LoginFailed):
        await authenticate(production, person["username"], DEMO_PASSWORD, "10.0.0.1", utcnow())
    assert (await authenticate(db, person["username"], DEMO_PASSWORD, "10.0.0.1", utcnow())).id == person["id"]


async def test_deactivated_staff_cannot_log_in(db):
    from center.tables import Staff

    person = await make_staff(db)
    await Staff.update({Staff.active: False}).where(Staff.id == person["id"])
    with pytest.raises(LoginFailed):
        await authenticate(db, person["username"], PASSWORD, "10.0.0.1", utcnow())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "Bad Name", "role": "worker"}, "用户名"),
        ({"username": "okname", "role": "boss"}, "角色"),
        ({"username": "okname", "role": "worker", "center_slug": None}, "必须属于"),
        ({"username": "okname", "role": "worker", "password": "short"}, "至少"),
    ],
)
async def test_add_staff_refuses_bad_input_in_chinese(db, kwargs, message):
    center = await make_center()
    values = {"center_slug": center["slug"], "password": PASSWORD, **kwargs}
    with pytest.raises(StaffError, match=message):
        await add_staff(db, **values)


async def test_sixty_wrong_passwords_at_once_check_at_most_ten(db, monkeypatch):
    """Issue #11, finding 3: sixty parallel attempts on one account made 16 password checks, not 10. Each attempt
    is now counted before its password is checked."""
    import asyncio

    from center.services import passwords

    person = await make_staff(db)
    checked = []
    real_verify = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: checked.append(1) or real_verify(h, p))
    now = utcnow()
    results = await asyncio.gather(*(authenticate(db, person["username"], "wrong", f"10.7.{i // 250}.{i % 250}", now)
                                     for i in range(60)), return_exceptions=True)
    outcomes = [r["outcome"] for r in await LoginAttempt.select(LoginAttempt.outcome).where(
        LoginAttempt.username == person["username"])]
    assert outcomes.count("failure") <= db.login_max_failures == 10  # the attempts whose password was checked
    assert len(outcomes) == 60 and "pending" not in outcomes and outcomes.count("blocked") == 60 - outcomes.count("failure")
    assert len(checked) == outcomes.count("failure")  # argon2 itself ran that often
    assert sum(isinstance(r, LoginFailed) for r in results) == len(checked)
    assert sum(isinstance(r, LoginThrottled) for r in results) == 60 - len(checked)


async def test_an_address_with_many_failures_is_refused_but_the_account_logs_in_elsewhere(db):
    """Issue #11, finding 2: a limit per address beside the one per account; a lock on an address blocks that
    address and never the account from another one (an office behind one NAT is not locked out by it)."""
    settings = db.with_(login_max_failures_per_address=5)
    people = [await make_staff(db) for _ in range(6)]
    now = utcnow()
    for i, person in enumerate(people[:5]):  # five accounts, one wrong password each, all from one address
        with pytest.raises(LoginFailed):
            await authenticate(settings, person["username"], "wrong", "10.8.8.8", now + timedelta(seconds=i))
    with pytest.raises(LoginThrottled, match="此网络地址") as caught:
        await authenticate(settings, people[5]["username"], PASSWORD, "10.8.8.8", now + timedelta(seconds=6))
    assert caught.value.address and "账号本身未被锁定" in str(caught.value)
    user = await authenticate(settings, people[5]["username"], PASSWORD, "10.8.8.9", now + timedelta(seconds=7))
    assert user.username == people[5]["username"]
    # Each account has one failure only: none of them is locked anywhere else either.
    assert (await authenticate(settings, people[0]["username"], PASSWORD, "10.8.8.9", now + timedelta(seconds=8))).id
