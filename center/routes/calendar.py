"""The working-day calendar (/calendar): a year's holidays and make-up days; managers add overrides."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from center.domain import DomainError
from center.domain.access import Area
from center.domain.calendar import DAY_KIND_LABELS, DayKind
from center.services import calendar as calendar_service
from center.timeutil import local_today
from center.web.forms import FormData
from center.web.guards import requires
from center.web.render import flash, page


async def _year_context(year: int) -> dict:
    calendar = await calendar_service.get_calendar()
    start, end = date(year, 1, 1), date(year, 12, 31)
    return {
        "year": year,
        "known": calendar.year_known(year),
        "holidays": calendar.holidays_in(start, end),
        "makeup_days": calendar.makeup_days_in(start, end),
        "overrides": await calendar_service.list_overrides(year),
        "kind_labels": DAY_KIND_LABELS,
    }


class CalendarController(Controller):
    path = "/calendar"
    guards = [requires(Area.calendar)]
    include_in_schema = False

    @get("/", name="calendar:index")
    async def show_calendar(self, request: Request, year: FromQuery[int | None] = None) -> Response:
        year = year if year and 2000 <= year <= 2100 else local_today().year
        return page(request, "calendar/index.html", {**await _year_context(year), "form": {}})

    @post("/overrides", name="calendar:add_override")
    async def add_override(self, request: Request) -> Response:
        form = await FormData.read(request)
        raw_day = form.text("day", limit=20)
        try:
            try:
                day = date.fromisoformat(raw_day)
            except ValueError:
                raise calendar_service.CalendarOverrideError("请填写有效日期（YYYY-MM-DD）") from None
            await calendar_service.set_override(request.user, day, form.text("kind", limit=20),
                                                form.text("name", limit=100))
        except DomainError as exc:
            year = form.int("year") or local_today().year
            return page(request, "calendar/index.html",
                        {**await _year_context(year), "error": str(exc), "form": form.as_dict()}, status_code=422)
        flash(request, f"{day.isoformat()} 已设为{DAY_KIND_LABELS[DayKind(form.text('kind'))]}")
        return Redirect(path=f"/calendar?year={day.year}")

    @post("/overrides/{override_id:int}/delete", name="calendar:remove_override")
    async def remove_override(self, request: Request, override_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        await calendar_service.remove_override(request.user, override_id)
        flash(request, "已删除该日历调整")
        return Redirect(path=f"/calendar?year={form.int('year') or local_today().year}")
