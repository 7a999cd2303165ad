"""GET /: send each role to its landing page."""

from litestar import Request, get
from litestar.response import Redirect

from center.domain.access import Role
from center.web.links import redirect

# The route each role starts at (after login, and at /).
LANDING: dict[Role, str] = {
    Role.worker: "counter:index",
    Role.manager: "counter:index",
    Role.admin: "centers:list",
    Role.canteen: "dining:desk",
}


@get("/", name="home", include_in_schema=False)
async def home(request: Request) -> Redirect:
    return redirect(request, LANDING[Role(request.user.role)])
