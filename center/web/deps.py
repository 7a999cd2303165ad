"""What handlers are handed instead of looking it up (Litestar `Provide`): the signed-in `staff` member and the
`center` they work on. A controller declares `dependencies = {"center": CENTER}` and its handlers take
`center: dict` / `staff: CurrentUser` as parameters; an area's own things (the dining desk's `canteen`) are
provided the same way beside its controller."""

from __future__ import annotations

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from center.domain import NotFound
from center.services.centers import visible_centers
from center.services.identity import CurrentUser


def provide_staff(request: Request) -> CurrentUser:
    """The signed-in staff member (the auth middleware put them on the request; guards refused everyone else)."""
    return request.user


async def provide_center(request: Request, slug: str = QueryParameter(name="center", default="")) -> dict:
    """The center the page is about: the manager's own; the admin picks one with ?center=<slug> (the first by
    default). Another center's slug is 404, never that center."""
    centers = await visible_centers(request.user)
    if not centers:
        raise NotFound("没有可管理的中心")
    if slug:
        chosen = next((c for c in centers if c["slug"] == slug), None)
        if chosen is None:
            raise NotFound("没有这个中心")
        return chosen
    return centers[0]


STAFF = Provide(provide_staff, sync_to_thread=False)
CENTER = Provide(provide_center)

# How a handler's parameter asks for them (Litestar 3 wants a dependency marked as one): `staff: Staff`,
# `center: Center`.
Staff = NamedDependency[CurrentUser]
Center = NamedDependency[dict]
# On routes with opt keeps_draft, whose POST arrives without a user once the session has ended.
StaffOrNobody = NamedDependency[CurrentUser | None]
