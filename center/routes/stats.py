"""Figures for managers (/counter/stats): a month of the one window, its chart, and the Excel export."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery

from center.domain.access import Area
from center.services import stats
from center.timeutil import local_today
from center.web.guards import requires
from center.web.render import page


def _month(raw: str) -> date:
    try:
        year, month = raw.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        return local_today().replace(day=1)


class StatsController(Controller):
    path = "/counter/stats"
    guards = [requires(Area.stats)]
    include_in_schema = False

    @get("/", name="stats:index")
    async def show_stats(self, request: Request, month: FromQuery[str] = "", center: FromQuery[int | None] = None) -> Response:
        chosen = _month(month)
        figures = await stats.case_stats(request.user, chosen, center)
        previous = (chosen.replace(day=1) - date.resolution).replace(day=1)
        following = (chosen.replace(day=28) + date.resolution * 4).replace(day=1)
        return page(request, "counter/stats.html", {
            **figures, "centers": await stats.centers_for(request.user), "previous": previous, "following": following,
        })

    @get("/export.xlsx", name="stats:export")
    async def export_stats(self, request: Request, month: FromQuery[str] = "", center: FromQuery[int | None] = None) -> Response:
        chosen = _month(month)
        content = await stats.export_xlsx(request.user, chosen, center)
        filename = f"one-window-{chosen.strftime('%Y-%m')}.xlsx"
        return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                 "Cache-Control": "no-store"})
