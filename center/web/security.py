"""Security headers on every response, whatever produced it (handlers, static files, router 404s, errors)."""

from __future__ import annotations

from urllib.parse import urlsplit
from typing import Awaitable, Callable

from litestar.exceptions import HTTPException
from litestar import Request, Response
from litestar.types import Message, Scope

from center.web.public import is_public

# media-src is what default-src would give it anyway; it is written out so the hall screen's voice clips (same origin
# only) do not depend on a fallback someone may tighten.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

BASE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


NO_STORE = (b"cache-control", b"no-store")


def security_headers(https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A before_send hook: Litestar calls it for every response start, including the router's 404s.

    Every answer outside the public paths (staff pages and fragments, login, exports, their error pages) is
    `Cache-Control: no-store` unless its handler chose otherwise: a shared kiosk must not keep a resident's data
    in its cache, and after logout the back button must find nothing to show. Public paths (the screen with its
    ETag/304, static files, the API; center.web.public) keep what their handlers send.
    """
    headers = list(BASE_HEADERS)
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        present = {name.lower() for name, _ in message.get("headers", [])}
        extra = [(n, v) for n, v in headers if n not in present]
        if b"cache-control" not in present and not is_public(scope.get("path", "")):
            extra.append(NO_STORE)
        message["headers"] = list(message.get("headers", [])) + extra

    return before_send


async def check_request(request: Request) -> Response | None:
    """Before any handler: a NUL in the path, then a Host the center is not served at (issue #11, finding 8)."""
    return await refuse_nul_in_path(request) or refuse_other_hosts(request)


# Probes from a load balancer name the machine by its address: the health check answers whatever the Host.
HOST_CHECK_EXEMPT = ("/healthz",)


def refuse_other_hosts(request: Request) -> None:
    if request.scope["path"].startswith(HOST_CHECK_EXEMPT):
        return None
    host = (request.headers.get("host") or "").strip().lower()
    if (urlsplit("//" + host).hostname or "") not in request.app.state.settings.hosts:
        raise HTTPException(status_code=400, detail=f"此服务不在地址 {host[:60] or '（空）'} 上提供，请使用中心公布的网址访问")
    return None


async def refuse_nul_in_path(request: Request) -> Response | None:
    """A NUL byte in the path names no file or page (the file system refuses it with a ValueError): 400."""
    if "\x00" in request.scope["path"]:
        return Response({"status_code": 400, "detail": "请求路径无效"}, status_code=400)
    return None
