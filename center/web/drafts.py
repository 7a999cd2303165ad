"""A form sent after the session ended is kept, not lost: the worker logs in again and finds it filled in.

A route that opts in (`opt={"keeps_draft": True}`) is reached without a user (center.web.auth lets its POSTs
through, after the CSRF check, and the guard lets them pass). Its handler calls `keep()`, which puts the typed
fields into this browser's (new, anonymous) server-side session and sends the person to the login page with the
GET page of the form as `next` (the item, never the resident's data: nothing personal goes into a URL). The login
carries the draft into the new session (only for the user who typed it), and the form's page takes it once and
renders the form filled in, to be checked and submitted again by the person: nothing is re-posted by itself.

The draft lives as long as the session (30 minutes idle) in the session store, like any session data.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Redirect

from center.timeutil import utcnow
from center.web.forms import FormData
from center.web.links import url

DRAFT_KEY = "_draft"
# The form field naming who typed it (their staff id): a draft is given back to that person only.
OWNER_FIELD = "_draft_by"
MAX_FIELDS = 100
MAX_CHARS = 20_000
SKIPPED = frozenset({"_csrf_token", OWNER_FIELD, "confirm"})


def keep(request: Request, form: FormData, *, kind: str, page: str, key: Any = None) -> Response:
    """Keep what was typed in `form` (a post that arrived without a session) and send the person to log in.

    `kind` names the form (e.g. "counter:receive"), `key` what it was about (the item id), `page` the address of
    the GET page that shows that form again (`url(request, "counter:index", item=12)`)."""
    fields: list[list[str]] = []
    size = 0
    for name, value in form.items():
        if name in SKIPPED or not isinstance(value, str) or len(fields) >= MAX_FIELDS:
            continue
        size += len(name) + len(value)
        if size > MAX_CHARS:
            break
        fields.append([name, value])
    owner = form.int(OWNER_FIELD)
    request.set_session({DRAFT_KEY: {"kind": kind, "key": key, "page": page, "fields": fields, "by": owner,
                                     "at": utcnow().isoformat()}})
    login = url(request, "auth:login_form", next=page, expired=1, kept=1)
    if request.htmx:  # any htmx request (HX-Request): htmx follows HX-Redirect with a full page load
        return Response(b"", status_code=401, headers={"HX-Redirect": login, "Cache-Control": "no-store"})
    return Redirect(path=login)


def carried_over(session: Any, user_id: int) -> dict | None:
    """At login: the draft of the session being replaced, if this user typed it (else it is dropped)."""
    if not isinstance(session, dict):
        return None
    draft = session.get(DRAFT_KEY)
    if not isinstance(draft, dict) or draft.get("by") not in (None, user_id):
        return None
    return draft


def take(request: Request, kind: str, key: Any = None) -> dict | None:
    """The kept draft of this form, once: {"form": {name: first value}, "lists": {name: [values]}}; else None."""
    session = request.scope.get("session")
    if not isinstance(session, dict):
        return None
    draft = session.get(DRAFT_KEY)
    if not isinstance(draft, dict) or draft.get("kind") != kind or draft.get("key") != key:
        return None
    user = request.scope.get("user")
    if user is None or draft.get("by") not in (None, user.id):
        return None
    session.pop(DRAFT_KEY)
    form: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for name, value in draft.get("fields") or []:
        form.setdefault(name, value)
        lists.setdefault(name, []).append(value)
    return {"form": form, "lists": lists}
