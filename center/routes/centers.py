"""Centers of the district: the list (admin) and one center's page (its own staff only)."""

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Redirect

from center.domain.access import Area
from center.services.centers import center_detail, visible_centers
from center.web.guards import requires
from center.web.render import page


class CentersController(Controller):
    path = "/centers"
    guards = [requires(Area.centers)]
    include_in_schema = False

    @get("/", name="centers:list")
    async def list_centers(self, request: Request) -> Response:
        centers = await visible_centers(request.user)
        if len(centers) == 1 and not request.user.is_admin:
            return Redirect(path=f"/centers/{centers[0]['slug']}")
        return page(request, "centers/list.html", {"centers": centers})

    @get("/{slug:str}", name="centers:show")
    async def show_center(self, request: Request, slug: FromPath[str]) -> Response:
        return page(request, "centers/show.html", await center_detail(request.user, slug))
