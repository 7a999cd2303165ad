"""GET /: send each role to its landing page."""

from litestar import Request, get
from litestar.response import Redirect

from center.domain.access import LANDING, Role


@get("/", name="home", include_in_schema=False)
async def home(request: Request) -> Redirect:
    return Redirect(path=LANDING[Role(request.user.role)])
