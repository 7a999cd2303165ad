"""Logging in: password check, per-account and per-address throttling counted in the database, audit.

Every attempt is counted before its password is checked (issue #11, finding 3): the attempt's row goes in as
`pending` inside one write transaction that first reads the account's earlier attempts (BEGIN IMMEDIATE on SQLite,
a per-account advisory lock on PostgreSQL), so however many arrive at once, at most `max_failures` are ever
verified; a pending attempt counts as a failure until its outcome is written."""

from __future__ import annotations

from datetime import datetime, timedelta

from center import db
from center.config import DEMO_PASSWORD, Settings
from center.domain import DomainError
from center.domain.access import Throttle, locked_until
from center.services import audit
from center.services.identity import CurrentUser, load_user
from center.services.passwords import verify_password_off_loop
from center.tables import LoginAttempt, Staff
from center.timeutil import to_local


class LoginFailed(DomainError):
    pass


class LoginThrottled(DomainError):
    def __init__(self, until: datetime, *, address: bool = False):
        self.until = until
        self.address = address
        if address:
            message = (f"从此网络地址登录失败的次数过多，此地址已暂时不能登录，请于 {to_local(until):%H:%M} 后再试；"
                       "账号本身未被锁定，可在其他电脑上登录。")
        else:
            message = f"登录失败次数过多，该账号已暂时锁定，请于 {to_local(until):%H:%M} 后再试（约 15 分钟）。"
        super().__init__(message)


def normalize_username(username: str) -> str:
    return username.strip().lower()[:60]


def throttle_rule(settings: Settings) -> Throttle:
    return Throttle(
        max_failures=settings.login_max_failures,
        window=timedelta(seconds=settings.login_window_seconds),
        lockout=timedelta(seconds=settings.login_lockout_seconds),
    )


def address_rule(settings: Settings) -> Throttle:
    return Throttle(
        max_failures=settings.login_max_failures_per_address,
        window=timedelta(seconds=settings.login_window_seconds),
        lockout=timedelta(seconds=settings.login_lockout_seconds),
    )


COUNTED = ("failure", "pending")  # an attempt whose password is still being checked counts as a failure


async def _failures_since_last_success(username: str, now: datetime, rule: Throttle) -> list[datetime]:
    horizon = now - rule.window - rule.lockout
    rows = (
        await LoginAttempt.select(LoginAttempt.at, LoginAttempt.outcome)
        .where((LoginAttempt.username == username) & (LoginAttempt.at > horizon))
        .order_by(LoginAttempt.at, LoginAttempt.id)
    )
    failures: list[datetime] = []
    for row in rows:
        if row["outcome"] == "success":
            failures = []
        elif row["outcome"] in COUNTED:
            failures.append(row["at"])
    return failures


async def _failures_from_address(ip: str, now: datetime, rule: Throttle) -> list[datetime]:
    """Every failed attempt from one address, whatever the account; a success does not wipe them."""
    if not ip:
        return []
    horizon = now - rule.window - rule.lockout
    rows = await LoginAttempt.select(LoginAttempt.at).where(
        (LoginAttempt.ip == ip[:64]) & (LoginAttempt.at > horizon) & LoginAttempt.outcome.is_in(list(COUNTED)))
    return [row["at"] for row in rows]


async def _claim_attempt(settings: Settings, username: str, ip: str, now: datetime) -> int:
    """Count this attempt before any password is checked; raises LoginThrottled when the account (anywhere) or
    this address (for any account) is locked. Returns the pending attempt's id."""
    async with db.write_transaction():
        if not db.is_sqlite():  # one account's attempts queue here; other accounts are not held up
            await LoginAttempt.raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"login:{username}")
        until = locked_until(await _failures_since_last_success(username, now, throttle_rule(settings)), now,
                             throttle_rule(settings))
        by_address = None if until else locked_until(
            await _failures_from_address(ip, now, address_rule(settings)), now, address_rule(settings))
        outcome = "blocked" if until or by_address else "pending"
        rows = await LoginAttempt.insert(LoginAttempt(username=username, at=now, outcome=outcome, ip=ip[:64]))
    if until is not None:
        raise LoginThrottled(until)
    if by_address is not None:
        raise LoginThrottled(by_address, address=True)
    return rows[0]["id"]


async def authenticate(settings: Settings, username: str, password: str, ip: str, now: datetime) -> CurrentUser:
    """Check a login. Raises LoginThrottled (the account is locked, whatever the address) or LoginFailed."""
    username = normalize_username(username)
    attempt = await _claim_attempt(settings, username, ip, now)

    user = None
    try:
        row = await Staff.select(Staff.id, Staff.password_hash, Staff.active).where(Staff.username == username).first()
        ok = await verify_password_off_loop(row["password_hash"] if row else None, password)
        if ok and not settings.demo and password == DEMO_PASSWORD:
            ok = False  # the demo password only works in demo mode
        user = await load_user(row["id"]) if ok and row and row["active"] else None
    finally:  # also when the client went away mid-check: the attempt is then a failure, never left pending
        await LoginAttempt.update({LoginAttempt.outcome: "success" if user else "failure"}).where(
            LoginAttempt.id == attempt)
    if user is None:
        raise LoginFailed("用户名或密码不正确")
    await audit.record("auth.login", actor=user, object_type="staff", object_id=user.id, ip=ip)
    return user
