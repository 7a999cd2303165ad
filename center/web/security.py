"""Security headers on every response, whatever produced it (handlers, static files, router 404s, errors)."""

from __future__ import annotations

from typing import Awaitable, Callable

from litestar import Request, Response
from litestar.types import Message, Scope

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

BASE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


def security_headers(https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A before_send hook: Litestar calls it for every response start, including the router's 404s."""
    headers = list(BASE_HEADERS)
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        present = {name.lower() for name, _ in message.get("headers", [])}
        message["headers"] = list(message.get("headers", [])) + [(n, v) for n, v in headers if n not in present]

    return before_send


async def refuse_nul_in_path(request: Request) -> Response | None:
    """A NUL byte in the path names no file or page (the file system refuses it with a ValueError): 400."""
    if "\x00" in request.scope["path"]:
        return Response({"status_code": 400, "detail": "请求路径无效"}, status_code=400)
    return None
