"""Login and logout forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect

from center.domain.access import Role
from center.routes.home import LANDING
from center.services import audit
from center.services.auth import LoginFailed, LoginThrottled, authenticate
from center.services.identity import load_user
from center.timeutil import utcnow
from center.web import drafts
from center.web.auth import SESSION_LOGIN_AT, SESSION_USER
from center.web.links import redirect
from center.web.public import ANONYMOUS
from center.web.render import page


@dataclass
class LoginForm:
    username: str = ""
    password: str = ""
    next: str = ""


def safe_next(value: str | None) -> str | None:
    """Only same-site paths: '/counter' yes, '//evil.example' and 'https://…' no."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


class AuthController(Controller):
    include_in_schema = False
    opt = {ANONYMOUS: True}  # the forms are shown to nobody signed in too (center.web.public)

    @get("/login", name="auth:login_form")
    async def login_form(self, request: Request, next: FromQuery[str | None] = None,
                         expired: FromQuery[bool] = False, logged_out: FromQuery[bool] = False,
                         kept: FromQuery[bool] = False) -> Response:
        notice = "登录已超时，请重新登录。" if expired else "您已安全退出。" if logged_out else None
        if kept:
            notice = "登录已超时。您刚才填写的内容已保留，重新登录后会自动填回，核对后再提交。"
        return page(request, "auth/login.html", {"next": safe_next(next) or "", "notice": notice, "username": ""})

    @post("/login", name="auth:login")
    async def login(
        self, request: Request, data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
    ) -> Response:
        settings = request.app.state.settings
        form = {"next": safe_next(data.next) or "", "username": data.username}
        try:
            user = await authenticate(settings, data.username, data.password, client_ip(request), utcnow())
        except LoginThrottled as exc:
            return page(request, "auth/login.html", {**form, "error": str(exc)}, status_code=429)
        except LoginFailed as exc:
            return page(request, "auth/login.html", {**form, "error": str(exc)}, status_code=422)
        draft = drafts.carried_over(request.scope.get("session"), user.id)  # a form kept when the session ended
        # A whole new session: a new id (center.web.sessions), and no "csrf" key, so the first page makes a new CSRF
        # secret and the login page's token (or one taken from another browser) is worth nothing from here on.
        request.clear_session()
        request.set_session({SESSION_USER: user.id, SESSION_LOGIN_AT: utcnow().timestamp(),
                             **({drafts.DRAFT_KEY: draft} if draft else {})})
        landing = safe_next(data.next)
        return Redirect(path=landing) if landing else redirect(request, LANDING[Role(user.role)])

    @get("/logout", name="auth:logout_form")
    async def logout_form(self, request: Request) -> Response:
        return page(request, "auth/logout.html", {})

    @post("/logout", name="auth:logout")
    async def logout(self, request: Request) -> Redirect:
        session = request.scope.get("session")
        if isinstance(session, dict) and session.get(SESSION_USER):
            user = await load_user(int(session[SESSION_USER]))
            if user is not None:
                await audit.record("auth.logout", actor=user, object_type="staff", object_id=user.id,
                                   ip=client_ip(request))
        request.clear_session()
        return redirect(request, "auth:login_form", logged_out=1)
