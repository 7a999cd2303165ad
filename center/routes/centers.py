"""Centers of the district: the list (admin) and one center's page (its own staff only)."""

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from center.domain.access import Area
from center.services.centers import center_detail, visible_centers
from center.web.deps import STAFF, Staff
from center.web.guards import requires
from center.web.links import redirect
from center.web.render import page


class CentersController(Controller):
    path = "/centers"
    guards = [requires(Area.centers)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @get("/", name="centers:list")
    async def list_centers(self, request: Request, staff: Staff) -> Response:
        centers = await visible_centers(staff)
        if len(centers) == 1 and not staff.is_admin:
            return redirect(request, "centers:show", slug=centers[0]["slug"])
        return page(request, "centers/list.html", {"centers": centers})

    @get("/{slug:str}", name="centers:show")
    async def show_center(self, request: Request, staff: Staff, slug: FromPath[str]) -> Response:
        return page(request, "centers/show.html", await center_detail(staff, slug))
