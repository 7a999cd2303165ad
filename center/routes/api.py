"""The JSON API under /api/v1 (OpenAPI at /schema/openapi.json): catalog and working-day calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.exceptions import ValidationException
from litestar.params import Parameter

from center.domain.calendar import MAX_WORKDAYS
from center.services import catalog
from center.services.calendar import get_calendar


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
        start: Annotated[date, Parameter(description="YYYY-MM-DD")],
        days: Annotated[int, Parameter(ge=0, le=MAX_WORKDAYS, description="number of working days")],
    ) -> WorkdaysOut:
        if not (2000 <= start.year <= 2100):
            raise ValidationException("start 须在 2000–2100 年之间")
        calendar = await get_calendar()
        return WorkdaysOut(start=start, days=days, due=calendar.add_workdays(start, days))
