"""Addresses are built in one place: `url_for(name, **params)` in templates and `url(request, name, **params)` in
handlers, from the route names (`name="cases:show"`), never written as strings.

Parameters that the route's path declares fill the path; the others become the query string, in the order given,
leaving out None and "" (an address without `?week=` means the page's default). This is Flask's rule, and it keeps
`url_for("rosters:week", week=monday, center=slug)` one call instead of a route_reverse plus hand-made "?…"."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping
from urllib.parse import urlencode

from jinja2 import pass_context
from litestar import Litestar, Request
from litestar.response import Redirect


@lru_cache(maxsize=512)
def _path_parameters(app: Litestar, name: str) -> frozenset[str]:
    index = app.get_handler_index_by_name(name)
    if index is None:
        raise LookupError(f"no route is named {name!r}")
    names: set[str] = set()
    for route in app.asgi_router.route_mapping[index["identifier"]]:
        names.update(route.path_parameters)  # the names of the {name:type} parts
    return frozenset(names)


def _query_value(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def build(app: Litestar, name: str, /, _anchor: str = "", **params: Any) -> str:
    """The address of route `name`: path parameters in the path, the rest as the query, `_anchor` after '#'."""
    in_path = _path_parameters(app, name)
    path = app.route_reverse(name, **{k: v for k, v in params.items() if k in in_path})
    query = [(k, _query_value(v)) for k, v in params.items() if k not in in_path and v is not None and v != ""]
    address = f"{path}?{urlencode(query)}" if query else path
    return f"{address}#{_anchor}" if _anchor else address


def url(request: Request, name: str, /, **params: Any) -> str:
    """A handler's address for route `name` (see `build`)."""
    return build(request.app, name, **params)


def redirect(request: Request, name: str, /, **params: Any) -> Redirect:
    """Post/redirect/get to route `name` (Litestar's 302, which browsers follow with a GET)."""
    return Redirect(path=url(request, name, **params))


@pass_context
def url_for(context: Mapping[str, Any], name: str, /, **params: Any) -> str:
    """The template global: `{{ url_for("cases:show", case_id=case.id) }}` (replaces Litestar's path-only one)."""
    return build(context["request"].app, name, **params)
