"""Route guards: role per area (403 otherwise)."""

from __future__ import annotations

from typing import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from center.domain.access import Area


def requires(area: Area, refused: str = "您的角色无权访问此页面") -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    """A guard for a controller (or one handler): the signed-in user's role may open `area`, else 403 `refused`."""

    def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        if connection.user is None:
            if handler.opt.get("keeps_draft"):
                return  # a post after the session ended: its handler keeps the form and asks to log in again
            raise NotAuthorizedException("请先登录")
        if not connection.user.may_open(area):
            raise PermissionDeniedException(refused)

    guard.__name__ = f"requires_{area.value}"
    return guard
