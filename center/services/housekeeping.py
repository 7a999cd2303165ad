"""Housekeeping: expired sessions, old login attempts and old rating attempts (the rate limit's counts) are removed
(the audit log keeps the logins)."""

from __future__ import annotations

from datetime import timedelta

from center.tables import LoginAttempt, WebSession
from center.timeutil import utcnow

LOGIN_ATTEMPTS_KEPT = timedelta(days=1)


async def purge_expired() -> str:
    now = utcnow()
    sessions = await WebSession.delete().where(WebSession.expires_at <= now).returning(WebSession.id)
    attempts = (
        await LoginAttempt.delete().where(LoginAttempt.at < now - LOGIN_ATTEMPTS_KEPT).returning(LoginAttempt.id)
    )
    from center.services.ratings import purge_attempts

    rating_attempts = await purge_attempts(now)
    return f"sessions={len(sessions)} login_attempts={len(attempts)} rating_attempts={rating_attempts}"
