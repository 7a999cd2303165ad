"""The addresses that carry no staff session, declared once; the middleware exclusions, the cache headers and the
error pages are derived from here.

Two ways in without a login, and only two:
- a path under one of `PUBLIC` below: no session cookie is read or set, the auth middleware does not run
  (request.user is absent), and the staff pages' `Cache-Control: no-store` is not imposed (the screen's ETag/304,
  static files and the API choose their own);
- a route with `opt={ANONYMOUS: True}` (login, logout): it has the session as usual and is reached with
  request.user None when nobody is signed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Answers(StrEnum):
    """What a public path answers with, which decides how its errors look."""

    page = "page"  # HTML for residents: errors keep the public layout (no staff header, no way to the staff login)
    json = "json"  # machines: errors in JSON
    other = "other"  # files and feeds: the ordinary error page


@dataclass(frozen=True)
class PublicPath:
    prefix: str  # matched at the start of the path, as written ("/healthz" also covers "/healthz/…")
    answers: Answers
    what: str


PUBLIC: tuple[PublicPath, ...] = (
    PublicPath("/static/", Answers.other, "fingerprinted CSS, JS and images"),
    PublicPath("/healthz", Answers.json, "the health check of monitors and the e2e harness"),
    PublicPath("/api/", Answers.json, "the JSON API (canteen terminals authenticate with a bearer token)"),
    PublicPath("/schema", Answers.json, "the OpenAPI schema"),
    PublicPath("/screen/", Answers.page, "the hall screen"),
    PublicPath("/s/", Answers.page, "the resident's case status, from the slip's QR"),
    PublicPath("/take/", Answers.page, "the take-a-number touch page at the hall door and its printed ticket"),
    PublicPath("/q/", Answers.page, "the resident's ticket page, from the ticket's QR"),
    PublicPath("/rate/", Answers.page, "the rating pad at a window (bound to it by a pad token)"),
    PublicPath("/ical/", Answers.other, "a staff member's duty feed at an unguessable address"),
    PublicPath("/my/", Answers.page, "a senior's phone page (the senior's or a family member's link): the dining QR"),
)

# The route opt of handlers that also serve nobody signed in (request.user None): the login and logout forms.
ANONYMOUS = "anonymous"

PREFIXES: tuple[str, ...] = tuple(p.prefix for p in PUBLIC)
# For Litestar's `exclude=` (regular expressions matched at the start of the path).
EXCLUDE: list[str] = ["^" + re.escape(p.prefix) for p in PUBLIC]
JSON_PREFIXES: tuple[str, ...] = tuple(p.prefix for p in PUBLIC if p.answers is Answers.json)
RESIDENT_PREFIXES: tuple[str, ...] = tuple(p.prefix for p in PUBLIC if p.answers is Answers.page)


def is_public(path: str) -> bool:
    return path.startswith(PREFIXES)
