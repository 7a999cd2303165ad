"""A worker's own duty (/duty): upcoming shifts, swap requests and their outcome, the personal iCal feed."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from center.domain import DomainError
from center.domain.access import Area
from center.services import rosters
from center.timeutil import local_today
from center.web.forms import FormData
from center.web.guards import requires
from center.web.render import flash, page


async def _context(request: Request) -> dict:
    view = await rosters.duty_view(request.user, local_today())
    view["ical_url"] = request.app.state.settings.base_url + f"/ical/{view.pop('ical_token')}.ics"
    return {**view, "form": {}}


class DutyController(Controller):
    path = "/duty"
    guards = [requires(Area.duty)]
    include_in_schema = False

    @get("/", name="duty:index")
    async def show_duty(self, request: Request) -> Response:
        return page(request, "duty/index.html", await _context(request))

    @post("/swaps", name="duty:request_swap")
    async def request_swap(self, request: Request) -> Response:
        form = await FormData.read(request)
        try:
            shift_id, raw_day = form.text("mine", limit=40).split(":")
            other, colleague = None, form.int("colleague") or 0
            if form.text("other", limit=60):
                other_shift, other_day, other_staff = form.text("other", limit=60).split(":")
                other, colleague = (int(other_shift), date.fromisoformat(other_day)), int(other_staff)
            await rosters.request_swap(request.user, int(shift_id), date.fromisoformat(raw_day), colleague, other,
                                       form.text("note", limit=300), local_today())
        except ValueError:
            context = await _context(request)
            return page(request, "duty/index.html", {**context, "error": "请选择要调换的班次和同事",
                                                     "form": form.as_dict()}, status_code=422)
        except DomainError as exc:
            context = await _context(request)
            return page(request, "duty/index.html", {**context, "error": str(exc), "form": form.as_dict()},
                        status_code=422)
        flash(request, "调换申请已提交，等待中心负责人审批")
        return Redirect(path="/duty")


class IcalController(Controller):
    path = "/ical"
    include_in_schema = False

    @get("/{name:str}", name="ical:feed")
    async def feed(self, name: FromPath[str]) -> Response:
        token = name.removesuffix(".ics")
        body = await rosters.ical_feed(token, local_today())
        return Response(body, media_type="text/calendar",  # Litestar adds the one "; charset=utf-8"
                        headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"})
