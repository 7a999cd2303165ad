"""The JSON API under /api/v1 (OpenAPI at /schema/openapi.json): catalog and working-day calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.exceptions import ValidationException
from litestar.params import PathParameter, QueryParameter

from center.domain.calendar import MAX_WORKDAYS
from center.services import catalog
from center.services.calendar import get_calendar
from center.services.hours import api_hours
from center.timeutil import local_today


@dataclass
class MaterialOut:
    name: str
    form: str
    form_label: str
    copies: int
    note: str
    required: bool


@dataclass
class CatalogItemOut:
    id: int
    code: str
    name: str
    category: str
    category_code: str
    kind: str
    promised_days: int
    department: str
    fee: str
    forwarded: bool
    legal_basis: str
    materials: list[MaterialOut]


@dataclass
class PeriodOut:
    start: str
    end: str
    kind: str


@dataclass
class OnDutyOut:
    name: str
    shift: str
    start: str
    end: str


@dataclass
class HoursOut:
    date: date
    day_kind: str
    holiday_name: str | None
    closed: bool
    reason: str
    periods: list[PeriodOut]
    on_duty: list[OnDutyOut]


@dataclass
class WorkdaysOut:
    start: date
    days: int
    due: date


class ApiController(Controller):
    path = "/api/v1"
    opt = {"public": True}
    tags = ["public"]

    @get("/catalog", name="api:catalog", summary="服务事项目录",
         description="All active items with their category, kind (immediate/promised), promised working days and materials.")
    async def get_catalog(self) -> list[CatalogItemOut]:
        return [
            CatalogItemOut(**{**item, "materials": [MaterialOut(**m) for m in item["materials"]]})
            for item in await catalog.api_catalog()
        ]

    @get("/calendar/workdays", name="api:workdays", summary="第 N 个工作日",
         description="The N-th working day after `start` (start itself not counted), following the statutory "
                     "calendar with make-up working days (调休).")
    async def get_workdays(
        self,
        start: Annotated[date, QueryParameter(description="YYYY-MM-DD")],
        days: Annotated[int, QueryParameter(ge=0, le=MAX_WORKDAYS, description="number of working days")],
    ) -> WorkdaysOut:
        if not (2000 <= start.year <= 2100):
            raise ValidationException("start 须在 2000–2100 年之间")
        calendar = await get_calendar()
        return WorkdaysOut(start=start, days=days, due=calendar.add_workdays(start, days))

    @get("/centers/{slug:str}/hours", name="api:hours", summary="服务时间与值班人员",
         description="A center's day kind, service periods (regular / extended / duty) and who is on duty on a date "
                     "(name and shift only). For signage systems.")
    async def get_hours(
        self,
        slug: Annotated[str, PathParameter(description="center slug, e.g. daxi")],
        day: Annotated[date | None, QueryParameter(name="date", description="YYYY-MM-DD, default today")] = None,
    ) -> HoursOut:
        data = await api_hours(slug, day or local_today())
        return HoursOut(
            date=date.fromisoformat(data["date"]), day_kind=data["day_kind"], holiday_name=data["holiday_name"],
            closed=data["closed"], reason=data["reason"], periods=[PeriodOut(**p) for p in data["periods"]],
            on_duty=[OnDutyOut(**d) for d in data["on_duty"]],
        )
