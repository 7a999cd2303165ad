"""Server-side sessions in the app's database, with a new session id at every login.

Litestar's server-side backend writes the session on every response and keeps the id across a login
(session fixation); this backend writes only when the data changed, issues a fresh id whenever the
user in the session changes, and lets the store expire idle sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.base import SessionMiddleware as _SessionMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession, Send
from litestar.utils.dataclass import extract_dataclass_items

from center.db.statements import SESSION_BY_KEY
from center.tables import WebSession
from center.timeutil import utcnow

# The session cookie's name; tests and journeys that plant, read or drop the cookie use this, never a literal.
SESSION_COOKIE = "center_session"


def session_cookie_name(https: bool) -> str:
    """Over https the cookie is `__Host-center_session`: a browser then takes it only from this very host, with
    Secure, Path=/ and no Domain, so neither a sibling subdomain nor a plain-http answer can plant one in it (a
    planted session is how a token from another browser would be made to fit; issue #11, finding 6)."""
    return f"__Host-{SESSION_COOKIE}" if https else SESSION_COOKIE

_LOADED = "_center_session_loaded"
_LOADED_DATA = "_center_session_loaded_data"
# Renew an idle session's expiry at most once a minute instead of writing on every request.
_RENEW_SLACK = 60


def _seconds(value: int | timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


def loaded_session(scope) -> dict[str, Any]:
    """The session as this request found it, whatever a handler or middleware did to it since ({} without one)."""
    data = scope.get(_LOADED_DATA)
    return data if isinstance(data, dict) else {}


class DatabaseStore(Store):
    """A Litestar Store over the web_session table, shared by every process using the database."""

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        expires_at = utcnow() + timedelta(seconds=seconds) if seconds else None
        await WebSession.insert(WebSession(key=key, data=data, expires_at=expires_at)).on_conflict(
            target=WebSession.key, action="DO UPDATE", values=[WebSession.data, WebSession.expires_at]
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = await SESSION_BY_KEY.first(key=key)
        if row is None:
            return None
        now = utcnow()
        expires_at = row["expires_at"]
        if expires_at is not None and expires_at <= now:
            await self.delete(key)
            return None
        seconds = _seconds(renew_for)
        if seconds and expires_at is not None and (expires_at - now).total_seconds() < seconds - _RENEW_SLACK:
            await WebSession.update({WebSession.expires_at: now + timedelta(seconds=seconds)}).where(
                WebSession.key == key
            )
        return bytes(row["data"])

    async def delete(self, key: str) -> None:
        await WebSession.delete().where(WebSession.key == key)

    async def delete_all(self) -> None:
        await WebSession.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await WebSession.select(WebSession.expires_at).where(WebSession.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return max(0, int((row["expires_at"] - utcnow()).total_seconds()))



# A part of a page that refreshes itself (the counter's window strip polls every 15 s) is not the person at work:
# its requests must not keep an unattended kiosk's session alive past the idle timeout. htmx names the element
# whose trigger fired in HX-Trigger (its id).
POLLING_ELEMENTS = frozenset({"window-strip", "strip-queues"})


def _is_poll(connection: ASGIConnection) -> bool:
    return connection.scope.get("method") == "GET" and connection.headers.get("hx-trigger") in POLLING_ELEMENTS


class RotatingSessionBackend(ServerSideSessionBackend):
    config: "SessionConfig"

    async def get(self, session_id: str, store: Store) -> bytes | None:
        return await store.get(session_id, renew_for=self.config.idle_seconds)

    async def set(self, session_id: str, data: bytes, store: Store) -> None:
        await store.set(session_id, data, expires_in=self.config.idle_seconds)

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        raw: bytes | None = None
        if session_id := connection.cookies.get(self.config.key):
            if session_id != "null":
                store = self.config.get_store_from_app(connection.scope["app"])
                raw = (await store.get(session_id) if _is_poll(connection)
                       else await self.get(session_id, store=store))
        connection.scope[_LOADED] = raw  # type: ignore[typeddict-unknown-key]
        data = self.deserialize_data(raw) if raw is not None else {}
        # A copy to compare with at the end of the request (no second decode, no encode when nothing changed).
        connection.scope[_LOADED_DATA] = dict(data)  # type: ignore[typeddict-unknown-key]
        return data

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        scope = connection.scope
        store = self.config.get_store_from_app(scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        cookie_params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        cookie_id = connection.cookies.get(self.config.key)
        if cookie_id == "null":
            cookie_id = None
        loaded_raw: bytes | None = scope.get(_LOADED)  # type: ignore[call-overload]
        loaded: dict = scope.get(_LOADED_DATA) or {}  # type: ignore[call-overload]

        if scope_session is Empty or not scope_session:
            if cookie_id:
                await self.delete(cookie_id, store=store)
                headers.add("Set-Cookie", Cookie(value="null", key=self.config.key, expires=0, **cookie_params).to_header(header=""))
            return

        same_user = all(loaded.get(k) == scope_session.get(k) for k in self.config.rotate_on)
        if loaded_raw is not None and cookie_id and same_user:
            if scope_session != loaded:
                await self.set(cookie_id, self.serialize_data(scope_session, scope), store=store)
            return  # the cookie already names this session
        data = self.serialize_data(scope_session, scope)

        # A new session, an expired one, or a different user (a login): never reuse the old id.
        if cookie_id:
            await self.delete(cookie_id, store=store)
        session_id = self.generate_session_id()
        await self.set(session_id, data, store=store)
        headers.add("Set-Cookie", Cookie(value=session_id, key=self.config.key, **cookie_params).to_header(header=""))


class SessionMiddleware(_SessionMiddleware):
    """Litestar's, except that a session the database cannot take (locked past the busy timeout, or out of reach)
    turns the answer into the 503 page. The session is saved as the answer starts, where a failure used to leave a
    bare 500; and a page whose session was not saved carries a CSRF token that no later post can match."""

    def create_send_wrapper(self, connection: ASGIConnection) -> Send:
        # Imported here: center.web.errors imports the rendering, which (through center.web.csrf) imports this module.
        from center.web.errors import DATABASE_UNAVAILABLE, database_unavailable_handler

        replaced = False

        async def wrapped_send(message: Message) -> None:
            nonlocal replaced
            if replaced:  # the rest of the answer that could not be kept
                return
            if message["type"] != "http.response.start":
                await connection.send(message)
                return
            try:
                await self.backend.store_in_message(connection.scope.get("session"), message, connection)
            except DATABASE_UNAVAILABLE as exc:
                replaced = True
                scope = connection.scope
                request = scope["app"].request_class(scope, receive=connection.receive)
                response = database_unavailable_handler(request, exc)
                await response.to_asgi_response(app=None, request=request)(scope, connection.receive, connection.send)
                return
            await connection.send(message)

        return wrapped_send


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]
    idle_seconds: int = 30 * 60
    # A change of any of these keys (a login, another user) gets a new session id.
    rotate_on: tuple[str, ...] = ("uid", "login_at")

    @property
    def middleware(self) -> DefineMiddleware:
        return DefineMiddleware(SessionMiddleware, backend=self._backend_class(config=self))
