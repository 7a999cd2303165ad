"""The areas whose screens are built by later issues: each already has its URL, guard and landing page."""

from litestar import Controller, Request, Response, get

from center.domain.access import Area
from center.timeutil import local_now
from center.web.guards import requires
from center.web.render import page


class DiningController(Controller):
    path = "/dining"
    guards = [requires(Area.dining)]
    include_in_schema = False

    @get("/", name="dining:index")
    async def show_dining(self, request: Request) -> Response:
        return page(request, "pages/area.html", {"area": "dining", "title": "老年助餐", "now": local_now()})
