"""A worker's own duty (/duty): upcoming shifts, swap requests and their outcome, the personal iCal feed."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from center.domain import DomainError
from center.domain.access import Area
from center.services.identity import CurrentUser
from center.services.rosters.duty import duty_view, ical_feed
from center.services.rosters.swaps import request_swap
from center.timeutil import local_today
from center.web.deps import STAFF, Staff
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import redirect, url
from center.web.render import flash, page


async def _context(request: Request, staff: CurrentUser) -> dict:
    view = await duty_view(staff, local_today())
    feed = url(request, "ical:feed", filename=f"{view.pop('ical_token')}.ics")
    view["ical_url"] = request.app.state.settings.base_url + feed
    return {**view, "form": {}}


class DutyController(Controller):
    path = "/duty"
    guards = [requires(Area.duty)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @get("/", name="duty:index")
    async def show_duty(self, request: Request, staff: Staff) -> Response:
        return page(request, "duty/index.html", await _context(request, staff))

    @post("/swaps", name="duty:request_swap")
    async def ask_for_swap(self, request: Request, staff: Staff) -> Response:
        form = await FormData.read(request)
        try:
            shift_id, raw_day = form.text("mine", limit=40).split(":")
            other, colleague = None, form.int("colleague") or 0
            if form.text("other", limit=60):
                other_shift, other_day, other_staff = form.text("other", limit=60).split(":")
                other, colleague = (int(other_shift), date.fromisoformat(other_day)), int(other_staff)
            await request_swap(staff, int(shift_id), date.fromisoformat(raw_day), colleague, other,
                               form.text("note", limit=300), local_today())
        except ValueError:
            context = await _context(request, staff)
            return page(request, "duty/index.html", {**context, "error": "请选择要调换的班次和同事",
                                                     "form": form.as_dict()}, status_code=422)
        except DomainError as exc:
            context = await _context(request, staff)
            return page(request, "duty/index.html", {**context, "error": str(exc), "form": form.as_dict()},
                        status_code=422)
        flash(request, "调换申请已提交，等待中心负责人审批")
        return redirect(request, "duty:index")


class IcalController(Controller):
    path = "/ical"
    include_in_schema = False

    @get("/{filename:str}", name="ical:feed")
    async def feed(self, filename: FromPath[str]) -> Response:
        token = filename.removesuffix(".ics")
        body = await ical_feed(token, local_today())
        return Response(body, media_type="text/calendar",  # Litestar adds the one "; charset=utf-8"
                        headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"})
