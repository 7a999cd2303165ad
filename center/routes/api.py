"""The JSON API under /api/v1 (OpenAPI at /schema/openapi.json): catalog, working-day calendar, hours, and the
canteen terminals' meals and balances."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from datetime import datetime

import msgspec
from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.exceptions import (
    ClientException,
    NotAuthorizedException,
    NotFoundException,
    ServiceUnavailableException,
    ValidationException,
)
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from center.domain.calendar import MAX_WORKDAYS
from center.domain.meals import TERMINAL_VOID_REASON
from center.domain.periods import FIRST_YEAR, LAST_YEAR, check_year
from center.services import catalog
from center.services.dining import allowances, meals, registry, terminals
from center.services.calendar import get_calendar
from center.services.hours import api_hours
from center.timeutil import local_today


# A date within FIRST_YEAR–LAST_YEAR (2000–2100), said in the schema so that a generated date outside it is not
# "valid input the server refused" (issue #11, finding 7); the 422 for it stays as the answer to anyone who asks.
YEAR_RANGE_DATE = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


class ConflictError(ClientException):
    """409: the Idempotency-Key was used with another body (documents the answer in the OpenAPI schema)."""

    status_code = 409


class UnprocessableError(ClientException):
    """422: well-formed but refused by the rules (not eligible, month closed...), with a Chinese detail."""

    status_code = 422


# Every answer an operation may give is in the schema (schemathesis checks that no other status appears).
PUBLIC_ERRORS = [NotFoundException, ServiceUnavailableException]
TERMINAL_ERRORS = [NotAuthorizedException, NotFoundException, ConflictError, UnprocessableError,
                   ServiceUnavailableException]


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
    provisional: bool  # a day counted lies in a year whose State Council arrangement is not known yet


@dataclass
class CalendarDayOut:
    date: date
    kind: Literal["workday", "restday", "holiday"]
    name: str


@dataclass
class CalendarDaysOut:
    year: int
    source: Literal["statutory-data", "notice", "provisional"]
    days: list[CalendarDayOut]


class ApiController(Controller):
    path = "/api/v1"
    tags = ["public"]

    @get("/catalog", name="api:catalog", summary="服务事项目录", raises=[ServiceUnavailableException],
         description="All active items with their category, kind (immediate/promised), promised working days and materials.")
    async def get_catalog(self) -> list[CatalogItemOut]:
        return [
            CatalogItemOut(**{**item, "materials": [MaterialOut(**m) for m in item["materials"]]})
            for item in await catalog.api_catalog()
        ]

    @get("/calendar/workdays", name="api:workdays", summary="第 N 个工作日",
         raises=[ServiceUnavailableException, UnprocessableError],
         description="The N-th working day after `start` (start itself not counted), following the statutory "
                     "calendar with make-up working days (调休). `provisional` is true when a day counted lies in a "
                     "year whose State Council arrangement is not known yet (its holidays then follow their rules; "
                     "only the 调休 make-up days are unknown), so the date may still move. A `start` outside "
                     f"{FIRST_YEAR}-01-01 – {LAST_YEAR}-12-31 answers 422.")
    async def get_workdays(
        self,
        start: Annotated[date, QueryParameter(description=f"YYYY-MM-DD, within {FIRST_YEAR}–{LAST_YEAR}",
                                              schema_extra={"pattern": YEAR_RANGE_DATE})],
        days: Annotated[int, QueryParameter(ge=0, le=MAX_WORKDAYS, description="number of working days")],
    ) -> WorkdaysOut:
        check_year(start.year, "start")
        calendar = await get_calendar()
        due = calendar.add_workdays(start, days)
        return WorkdaysOut(start=start, days=days, due=due, provisional=calendar.is_provisional(start, due))

    @get("/calendar/days", name="api:calendar_days", summary="一年中的非普通工作日", raises=[ServiceUnavailableException],
         description="Every day of `year` that is not an ordinary workday: holidays, weekends and weekend make-up "
                     "workdays (调休上班, kind `workday`). `source`: `statutory-data` (shipped State Council "
                     "notices), `notice` (entered by the district admin) or `provisional` (holidays by their rules, "
                     "make-up days unknown).")
    async def get_calendar_days(
        self, year: Annotated[int, QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR, description="YYYY")],
    ) -> CalendarDaysOut:
        calendar = await get_calendar()
        return CalendarDaysOut(
            year=year, source=calendar.source(year).value,
            days=[CalendarDayOut(date=d.day, kind=d.kind.value, name=d.name) for d in calendar.special_days(year)],
        )

    @get("/centers/{slug:str}/hours", name="api:hours", summary="服务时间与值班人员",
         raises=[*PUBLIC_ERRORS, UnprocessableError],
         description="A center's day kind, service periods (regular / extended / duty) and who is on duty on a date "
                     "(name and shift only). For signage systems.")
    async def get_hours(
        self,
        slug: Annotated[str, PathParameter(description="center slug, e.g. daxi")],
        day: Annotated[date | None, QueryParameter(
            name="date", description=f"YYYY-MM-DD, default today; within {FIRST_YEAR}–{LAST_YEAR} (else 422)",
            schema_extra={"pattern": YEAR_RANGE_DATE})] = None,
    ) -> HoursOut:
        if day is not None:
            check_year(day.year, "date")
        data = await api_hours(slug, day or local_today())
        return HoursOut(
            date=date.fromisoformat(data["date"]), day_kind=data["day_kind"], holiday_name=data["holiday_name"],
            closed=data["closed"], reason=data["reason"], periods=[PeriodOut(**p) for p in data["periods"]],
            on_duty=[OnDutyOut(**d) for d in data["on_duty"]],
        )


@dataclass
class MealIn:
    card_no: str
    kind: Literal["breakfast", "lunch", "dinner"]
    price_fen: int  # a JSON integer of fen: "15", 15.0 and 1e2 are refused (strict_meal)
    eaten_at: datetime | None = None
    # How the diner was verified (issue #16): the card by default; a scanned dynamic QR is sent as card_no
    # ("M1.…") and recorded as qr; photo is the operator's check against the photo on file; proxy needs proxy_name.
    verified_by: Literal["card", "qr", "photo", "proxy"] = "card"
    proxy_name: str = ""


def strict_meal(raw: bytes) -> MealIn:
    """The body again, decoded strictly (issue #11, finding 7): Litestar converts request bodies in msgspec's lax
    mode, which turns "15" and 15.0 into 15. Money from a terminal must be what the terminal meant to send."""
    try:
        return msgspec.json.decode(raw, type=MealIn, strict=True)
    except msgspec.ValidationError as exc:
        found = re.search(r"at `\$\.(\w+)`", str(exc))
        field = found.group(1) if found else ""
        if field == "price_fen":
            raise ValidationException("price_fen 须为 JSON 整数（单位：分），例如 1500；不接受字符串或小数") from None
        raise ValidationException(f"请求体字段 {field or '（整体）'} 的类型不对") from None


@dataclass
class MealOut:
    meal_id: int
    subsidy_fen: int
    paid_fen: int
    balance_fen: int


@dataclass
class VoidOut:
    meal_id: int
    voided: bool
    balance_fen: int


@dataclass
class BalanceOut:
    card_no: str
    year: int
    balance_fen: int
    granted_fen: int
    used_fen: int


BEARER = [{"BearerToken": []}]


async def terminal_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Before the body is read: the canteen terminal behind `Authorization: Bearer <device token>`."""
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    found = None
    if scheme.lower() == "bearer":
        found = await terminals.terminal_for(token.strip(), connection.app.state.settings)
    if found is None:
        raise NotAuthorizedException("终端令牌无效或已吊销", headers={"WWW-Authenticate": "Bearer"})
    connection.state.terminal = found


def signed_in(request: Request) -> terminals.SignedInTerminal:
    """The terminal terminal_guard found for this request."""
    return request.state.terminal


class TerminalController(Controller):
    """Canteen terminals: meals with an Idempotency-Key, same-day voids, balances."""

    path = "/api/v1"
    tags = ["canteen terminals"]
    security = BEARER
    guards = [terminal_guard]

    @post("/meals", name="api:meals", status_code=201, summary="记录一餐", raises=TERMINAL_ERRORS,
          description="Posts a meal: subsidy = min(price, per-meal cap, balance). The same Idempotency-Key with the "
                      "same body answers the same and deducts nothing more; with another body: 409.")
    async def post_meal(
        self, request: Request, data: JSONBody[MealIn],
        idempotency_key: Annotated[str, HeaderParameter(
            name="Idempotency-Key", required=True, min_length=1, max_length=120,
            description="one key per meal the terminal means to record; a replay with it deducts nothing more")],
    ) -> MealOut:
        terminal = signed_in(request)
        data = strict_meal(await request.body())
        result = await meals.record_meal(terminal.canteen_id, card_no=data.card_no, kind=data.kind,
                                         price_fen=data.price_fen, eaten_at=data.eaten_at,
                                         idempotency_key=idempotency_key, terminal_id=terminal.terminal_id,
                                         verified_by=data.verified_by, proxy_name=data.proxy_name,
                                         qr_secret=request.app.state.settings.secret_key)
        return MealOut(result.meal_id, result.subsidy_fen, result.paid_fen, result.balance_fen)

    @post("/meals/{meal_id:int}/void", name="api:void_meal", status_code=200, summary="撤销当日一餐",
          raises=TERMINAL_ERRORS,
          description="Reverses a meal of this canteen eaten today (a reversal entry; nothing is deleted).")
    async def void_meal(self, request: Request,
                        meal_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)]) -> VoidOut:
        terminal = signed_in(request)
        balance = await meals.void_meal(terminal.canteen_id, meal_id, today=local_today(), reason=TERMINAL_VOID_REASON)
        return VoidOut(meal_id=meal_id, voided=True, balance_fen=balance)

    @get("/seniors/{card_no:str}/balance", name="api:balance", summary="余额查询", raises=TERMINAL_ERRORS)
    async def get_balance(self, request: Request, card_no: Annotated[str, PathParameter()]) -> BalanceOut:
        senior = await registry.senior_by_card(card_no)
        figures = await allowances.allowance_figures(senior["id"], local_today().year)
        return BalanceOut(card_no=senior["card_no"], year=figures["year"], balance_fen=figures["balance_fen"],
                          granted_fen=figures["granted_fen"], used_fen=figures["used_fen"])
