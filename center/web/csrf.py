"""CSRF: an unsafe request must carry the token of the server-side session it comes with (issue #11, finding 6).

The secret is random and lives in the session (key "csrf"), created when a page first needs it: the anonymous login
page gets an anonymous session holding one. A login replaces the whole session (and its id), a logout deletes it, so
neither the token of the login page nor one taken from another browser works afterwards. Pages carry the secret
masked with a fresh pad each time, so a compressed page that also reflects input never repeats a constant (BREACH).
Forms send it in the `_csrf_token` field, htmx in the `x-csrftoken` header (set on <body> in base.html).

A request whose session names no user (it ended by the idle timeout, by a logout in another tab, or never began)
acts for nobody: there is nothing to do in anyone's name, and its token may be of a session that is gone. Without
the session's token it goes on (to the login redirect, or a kept draft: center.web.drafts) only when the browser
says it comes from this center's own pages (Sec-Fetch-Site: same-origin, else an Origin naming one of its hosts);
anything else is refused.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from hmac import compare_digest
from urllib.parse import urlsplit

from litestar.connection import Request
from litestar.datastructures import Headers
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from center.web.auth import SESSION_USER
from center.web.sessions import loaded_session

SESSION_KEY = "csrf"
FIELD = "_csrf_token"
HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Bearer-token API (no cookies, so nothing to forge) and the public read-only pages. The take page's POST
# (/take/{slug}) is public too: it carries no session and acts in nobody's name, so a forged one can do no more than
# anyone at the door can (take a number, within the per-address limit of services/hall/tickets.py).
# The resident's rating (/s/{token}/rate, /rate/{slug}/{window}) is the same: no session, nobody's name, and the
# token (or the pad's cookie) is the credential; it is rated once and rate-limited (services/ratings.py).
# A senior's phone page books and cancels by its link (/my/{token}/bookings…): the token is the credential, as the
# rating's is, and the page carries no session to ride on.
EXEMPT = re.compile(r"^/(?:api|screen|ical|static|take|rate)/|^/healthz|^/s/[^/]+/rate$|^/my/[^/]+/bookings")
_SECRET_BYTES = 32
# The detail names CSRF: center.web.errors answers it with its Chinese "page expired" message (htmx: a toast).
REFUSED = "CSRF token verification failed"


def _new_secret() -> str:
    return secrets.token_hex(_SECRET_BYTES)


def _mask(secret: str) -> str:
    raw = bytes.fromhex(secret)
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(pad, raw))).decode().rstrip("=")


def _unmask(token: str) -> bytes | None:
    if not token or len(token) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 2 * _SECRET_BYTES:
        return None
    pad, masked = raw[:_SECRET_BYTES], raw[_SECRET_BYTES:]
    return bytes(a ^ b for a, b in zip(pad, masked))


def token_for(scope: Scope) -> str:
    """The token a page carries: this session's secret under a fresh mask, the secret made now if it has none.
    Outside the session middleware (the public pages) there is no session to hold one: no token, and no cookie."""
    if "session" not in scope:
        return ""
    session = scope["session"]
    if not isinstance(session, dict):  # cleared during this request (a logout, an expired login): a new session
        session = scope["session"] = {}  # type: ignore[typeddict-item]
    secret = session.get(SESSION_KEY)
    if not isinstance(secret, str) or len(secret) != 2 * _SECRET_BYTES:
        secret = session[SESSION_KEY] = _new_secret()
    return _mask(secret)


def _same_origin(scope: Scope, headers: Headers) -> bool:
    site = headers.get("sec-fetch-site")
    if site is not None:  # sent by every current browser, and no page can forge it
        return site == "same-origin"
    origin = headers.get("origin")
    if not origin or origin == "null":
        return False
    return (urlsplit(origin).hostname or "").lower() in scope["app"].state.settings.hosts


async def _presented(scope: Scope, receive: Receive, headers: Headers) -> str | None:
    if token := headers.get(HEADER):
        return token
    request: Request = scope["app"].request_class(scope=scope, receive=receive)
    if request.content_type[0] in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        # Parsed once and kept on the scope: the handler's request.form() reads the same form, not an empty body.
        value = (await request.form()).get(FIELD)
        return value if isinstance(value, str) else None
    return None


async def check(scope: Scope, receive: Receive) -> None:
    """Raise 403 unless this unsafe request may go on (see the module's docstring)."""
    headers = Headers.from_scope(scope)
    # The session as the request found it: a handler or the auth middleware may have cleared it since (an expired
    # login), and the page that sent this was made for the session it had.
    session = loaded_session(scope)
    secret = session.get(SESSION_KEY)
    if await _token_matches(secret, scope, receive, headers):
        return
    # No user in the session: the request acts for nobody, whatever token it carries. A page whose session ended
    # (a logout in another tab leaves an anonymous session with a token of its own behind) still reaches the
    # login redirect with its typed work kept, when it comes from this center's own pages.
    if not session.get(SESSION_USER) and _same_origin(scope, headers):
        return
    raise PermissionDeniedException(REFUSED)


async def _token_matches(secret: object, scope: Scope, receive: Receive, headers: Headers) -> bool:
    if not isinstance(secret, str):
        return False
    presented = _unmask(await _presented(scope, receive, headers) or "")
    try:
        expected = bytes.fromhex(secret)
    except ValueError:
        return False
    return presented is not None and bool(expected) and compare_digest(presented, expected)


class CSRFMiddleware(ASGIMiddleware):
    """Checks every unsafe request outside EXEMPT; placed after the session middleware (it reads the session)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["method"] not in SAFE_METHODS and not EXEMPT.match(scope["path"]):
            await check(scope, receive)
        await next_app(scope, receive, send)
