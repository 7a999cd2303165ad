"""Logging in: password check, per-account throttling counted in the database, audit."""

from __future__ import annotations

from datetime import datetime, timedelta

from center.config import DEMO_PASSWORD, Settings
from center.domain import DomainError
from center.domain.access import Throttle, locked_until
from center.services import audit
from center.services.identity import CurrentUser, load_user
from center.services.passwords import verify_password
from center.tables import LoginAttempt, Staff
from center.timeutil import to_local


class LoginFailed(DomainError):
    pass


class LoginThrottled(DomainError):
    def __init__(self, until: datetime):
        self.until = until
        super().__init__(
            f"登录失败次数过多，该账号已暂时锁定，请于 {to_local(until):%H:%M} 后再试（约 15 分钟）。"
        )


def normalize_username(username: str) -> str:
    return username.strip().lower()[:60]


def throttle_rule(settings: Settings) -> Throttle:
    return Throttle(
        max_failures=settings.login_max_failures,
        window=timedelta(seconds=settings.login_window_seconds),
        lockout=timedelta(seconds=settings.login_lockout_seconds),
    )


async def _failures_since_last_success(username: str, now: datetime, rule: Throttle) -> list[datetime]:
    horizon = now - rule.window - rule.lockout
    rows = (
        await LoginAttempt.select(LoginAttempt.at, LoginAttempt.outcome)
        .where((LoginAttempt.username == username) & (LoginAttempt.at > horizon))
        .order_by(LoginAttempt.at)
    )
    failures: list[datetime] = []
    for row in rows:
        if row["outcome"] == "success":
            failures = []
        elif row["outcome"] == "failure":
            failures.append(row["at"])
    return failures


async def authenticate(settings: Settings, username: str, password: str, ip: str, now: datetime) -> CurrentUser:
    """Check a login. Raises LoginThrottled (the account is locked, whatever the address) or LoginFailed."""
    username = normalize_username(username)
    rule = throttle_rule(settings)
    until = locked_until(await _failures_since_last_success(username, now, rule), now, rule)
    if until is not None:
        await LoginAttempt.insert(LoginAttempt(username=username, at=now, outcome="blocked", ip=ip[:64]))
        raise LoginThrottled(until)

    row = await Staff.select(Staff.id, Staff.password_hash, Staff.active).where(Staff.username == username).first()
    ok = verify_password(row["password_hash"] if row else None, password)
    if ok and not settings.demo and password == DEMO_PASSWORD:
        ok = False  # the demo password only works in demo mode
    user = await load_user(row["id"]) if ok and row and row["active"] else None

    await LoginAttempt.insert(
        LoginAttempt(username=username, at=now, outcome="success" if user else "failure", ip=ip[:64])
    )
    if user is None:
        raise LoginFailed("用户名或密码不正确")
    await audit.record("auth.login", actor=user, object_type="staff", object_id=user.id, ip=ip)
    return user
