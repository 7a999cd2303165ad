"""Authentication middleware: the session's user id becomes request.user, or the request is refused (401)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from center.domain.access import session_expired
from center.services.identity import load_user
from center.timeutil import utcnow
from center.web.public import ANONYMOUS

SESSION_USER = "uid"
SESSION_LOGIN_AT = "login_at"


class SessionExpired(NotAuthorizedException):
    detail = "登录已超时，请重新登录"


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Routes with opt `anonymous=True` (login, logout; center.web.public) also pass without a user, with
    request.user None; so do the POSTs of routes with opt `keeps_draft=True`, whose handler keeps what was typed
    (center.web.drafts). The paths of center.web.public never reach this middleware."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        opt = connection.route_handler.opt
        public = bool(opt.get(ANONYMOUS)) or (bool(opt.get("keeps_draft")) and connection.scope.get("method") == "POST")
        session = connection.scope.get("session") or {}
        uid = session.get(SESSION_USER) if isinstance(session, dict) else None
        if not uid:
            if public:
                return AuthenticationResult(user=None, auth=None)
            raise NotAuthorizedException("请先登录")
        settings = connection.app.state.settings
        login_at = datetime.fromtimestamp(float(session.get(SESSION_LOGIN_AT, 0)), tz=timezone.utc)
        if session_expired(login_at, utcnow(), timedelta(seconds=settings.session_absolute_seconds)):
            connection.clear_session()
            if public:
                return AuthenticationResult(user=None, auth=None)
            raise SessionExpired()
        user = await load_user(int(uid))
        if user is None:  # deactivated or removed since login
            connection.clear_session()
            if public:
                return AuthenticationResult(user=None, auth=None)
            raise NotAuthorizedException("账号已停用，请联系管理员")
        return AuthenticationResult(user=user, auth=None)
