"""Route guards: role per area (403 otherwise)."""

from __future__ import annotations

from typing import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from center.domain.access import Area


def requires(area: Area) -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if not connection.user.may_open(area):
            raise PermissionDeniedException("您的角色无权访问此页面")

    guard.__name__ = f"requires_{area.value}"
    return guard
