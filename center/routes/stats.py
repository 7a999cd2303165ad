"""Figures for managers (/counter/stats): a month of the one window, its chart, and the Excel export."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery

from center.domain.access import Area
from center.domain.periods import month_or_year_param, month_start, next_month
from center.services import rating_stats, stats
from center.services.hall.figures import hall_stats
from center.timeutil import local_today
from center.web.deps import STAFF, Staff
from center.web.downloads import xlsx_response
from center.web.forms import optional_int
from center.web.guards import requires
from center.web.render import page


def _period(raw: str) -> tuple[date, bool]:
    """?month=2026-11 is a month, ?month=2026 the whole year, none the current month; anything else is told (422)."""
    return month_or_year_param(raw) or (local_today().replace(day=1), False)


class StatsController(Controller):
    path = "/counter/stats"
    guards = [requires(Area.stats)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @get("/", name="stats:index")
    async def show_stats(self, request: Request, staff: Staff, month: FromQuery[str] = "",
                         center: FromQuery[str] = "") -> Response:
        center = optional_int(center)
        chosen, whole_year = _period(month)
        figures = await stats.case_stats(staff, chosen, center, whole_year)
        hall = await hall_stats(staff, chosen, center, whole_year)
        rated = await rating_stats.rating_stats(staff, chosen, center, whole_year)
        if whole_year:
            previous, following = chosen.replace(year=chosen.year - 1), chosen.replace(year=chosen.year + 1)
        else:
            previous, following = month_start(month_start(chosen) - date.resolution), next_month(chosen)
        return page(request, "counter/stats.html", {
            **figures, "hall": hall, "ratings": rated, "centers": await stats.centers_for(staff), "previous": previous, "following": following,
        })

    @get("/export.xlsx", name="stats:export")
    async def export_stats(self, request: Request, staff: Staff, month: FromQuery[str] = "",
                           center: FromQuery[str] = "") -> Response:
        center = optional_int(center)
        chosen, whole_year = _period(month)
        export = await stats.export_xlsx(staff, chosen, center, whole_year)
        return xlsx_response(export.content, export.filename, export.ascii_filename)
