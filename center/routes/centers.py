"""Centers of the district: the list (admin) and one center's page (its own staff only), where its manager chooses
whether the hall screen shows this month's 满意率."""

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from center.domain.access import Area
from center.services.centers import center_detail, set_screen_rating, visible_centers
from center.web.deps import STAFF, Staff
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import redirect
from center.web.render import flash, page


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

    @post("/{slug:str}/screen-rating", name="centers:screen_rating")
    async def switch_screen_rating(self, request: Request, staff: Staff, slug: FromPath[str]) -> Response:
        """A plain form post (CSRF field): show this month's 满意率 on the hall screen, or stop showing it."""
        form = await FormData.read(request)
        center = await set_screen_rating(staff, slug, form.text("screen_rating", limit=1) == "1")
        flash(request, "大厅公开屏将显示本月满意率" if center["screen_rating"] else "大厅公开屏不再显示本月满意率")
        return redirect(request, "centers:show", slug=center["slug"])
