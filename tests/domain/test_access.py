"""Role guards, center scoping, login throttling and session lifetime as plain rules."""

from datetime import datetime, timedelta, timezone

import pytest

from center.domain.access import (Area, Throttle, locked_until, may_open, may_see_center, may_see_logins,
                                  session_expired)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("role", "area", "allowed"),
    [
        ("worker", Area.counter, True),
        ("worker", Area.rosters, False),
        ("worker", Area.dining, False),
        ("manager", Area.rosters, True),
        ("manager", Area.dining, True),
        ("canteen", Area.dining, True),
        ("canteen", Area.counter, False),
        ("canteen", Area.rosters, False),
        ("admin", Area.rosters, True),
        ("admin", Area.admin, True),
        ("manager", Area.admin, False),
        ("manager", Area.calendar, True),  # managers may view the district's calendar...
        ("manager", Area.calendar_edit, False),  # ...but it is district-wide: only the admin changes it
        ("admin", Area.calendar_edit, True),
        ("worker", Area.calendar, False),
    ],
)
def test_role_guards(role, area, allowed):
    assert may_open(role, area) is allowed


def test_staff_see_only_their_center_and_admin_sees_all():
    assert may_see_center("worker", 1, 1)
    assert not may_see_center("worker", 1, 2)
    assert not may_see_center("manager", None, 2)
    assert may_see_center("admin", None, 2)


@pytest.mark.parametrize(("role", "sees"), [("admin", True), ("manager", True), ("worker", False), ("canteen", False)])
def test_only_those_who_manage_accounts_see_colleagues_login_names(role, sees):
    assert may_see_logins(role) is sees


def failures(*minutes: float) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in minutes]


def test_ten_failures_within_window_lock_for_fifteen_minutes():
    ten = failures(*range(10))  # 09:00 .. 09:09
    until = locked_until(ten, T0 + timedelta(minutes=10))
    assert until == T0 + timedelta(minutes=9 + 15)
    assert locked_until(ten, T0 + timedelta(minutes=23, seconds=59)) is not None
    assert locked_until(ten, T0 + timedelta(minutes=24)) is None


def test_nine_failures_do_not_lock():
    assert locked_until(failures(*range(9)), T0 + timedelta(minutes=9)) is None


def test_failures_spread_beyond_the_window_do_not_lock():
    spread = failures(*[i * 2 for i in range(10)])  # 18 minutes apart from first to last
    assert locked_until(spread, T0 + timedelta(minutes=19)) is None


def test_throttle_limits_are_settings():
    rule = Throttle(max_failures=3, window=timedelta(minutes=1), lockout=timedelta(minutes=5))
    assert locked_until(failures(0, 0.2, 0.4), T0 + timedelta(minutes=1), rule) == T0 + timedelta(minutes=5.4)


def test_session_absolute_lifetime():
    assert not session_expired(T0, T0 + timedelta(hours=11, minutes=59), timedelta(hours=12))
    assert session_expired(T0, T0 + timedelta(hours=12), timedelta(hours=12))
