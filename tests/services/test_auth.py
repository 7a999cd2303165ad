"""Login checks against a real database: throttling per account, the demo password, audit rows."""

from datetime import timedelta

import pytest

from center.config import DEMO_PASSWORD
from center.services.auth import LoginFailed, LoginThrottled, authenticate
from center.services.staff import StaffError, add_staff
from center.tables import AuditLog, LoginAttempt
from center.timeutil import utcnow
from tests.support.factories import PASSWORD, make_center, make_staff


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
