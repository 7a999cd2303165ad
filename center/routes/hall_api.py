"""The hall queue's JSON API (no login): the queues of a center, taking a ticket (the take page and ticket
printers), a ticket's state, and the hall's queues and last calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, ServiceUnavailableException, TooManyRequestsException
from litestar.params import JSONBody, PathParameter

from center.routes.api import ConflictError
from center.services.hall import setup, tickets
from center.services.hall.tickets import TakeRequest
from center.web.links import url


@dataclass
class QueueOut:
    code: str
    name: str
    waiting: int


@dataclass
class TicketIn:
    queue: str
    priority: bool = False


@dataclass
class TicketOut:
    ticket_no: str
    token: str
    queue: str
    queue_name: str
    priority: bool
    waiting_before: int
    estimated_wait_min: int | None  # null when no window is staffed now
    taking_until: str  # 今日取号截至 HH:MM
    status_url: str


@dataclass
class TicketStateOut:
    ticket_no: str
    state: Literal["waiting", "called", "serving", "done", "no_show"]
    waiting_before: int
    window: str
    queue: str
    estimated_wait_min: int | None


@dataclass
class CallOut:
    ticket_no: str
    window: str
    called_at: datetime


@dataclass
class HallOut:
    waiting: dict[str, int]
    calls: list[CallOut]


SLUG = Annotated[str, PathParameter(description="center slug, e.g. daxi", max_length=40)]
ERRORS = [NotFoundException, ServiceUnavailableException]


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "")[:64]


async def printer_of(request: Request) -> dict | None:
    """A registered ticket printer behind `Authorization: Bearer <token>` (exempt from the per-address limit)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return await setup.printer_for(token.strip()) if scheme.lower() == "bearer" else None


def status_page(request: Request) -> str:
    """The resident's ticket page (/q/{token}, added on another branch); until it exists, the ticket's JSON state,
    so taking a ticket never fails for want of the page (it answered 500 with a LookupError)."""
    return "ticket:show" if request.app.get_handler_index_by_name("ticket:show") is not None else "api:ticket"


class HallApiController(Controller):
    path = "/api/v1"
    tags = ["hall queue"]

    @get("/centers/{slug:str}/queues", name="api:queues", summary="取号队列", raises=ERRORS)
    async def get_queues(self, slug: SLUG) -> list[QueueOut]:
        state = await tickets.hall_state(slug)
        return [QueueOut(q["code"], q["name"], q["waiting"]) for q in state["queues"]]

    @post("/centers/{slug:str}/tickets", name="api:take_ticket", status_code=201, summary="取号",
          raises=[*ERRORS, ConflictError, TooManyRequestsException],
          description="Takes the next number of a queue. 409 outside the taking hours or when the queue's daily "
                      "maximum is reached (Chinese `detail`), 404 for an unknown queue, 429 when one address takes "
                      "too many (a registered ticket printer with its bearer token is exempt).")
    async def take_ticket(self, request: Request, slug: SLUG, data: JSONBody[TicketIn]) -> TicketOut:
        printer = await printer_of(request)
        result = await tickets.take_ticket(slug, TakeRequest(
            queue=data.queue, priority=bool(data.priority), client=client_address(request),
            printer_id=printer["id"] if printer else None))
        return TicketOut(
            ticket_no=result["ticket_no"], token=result["token"], queue=result["queue"],
            queue_name=result["queue_name"], priority=result["priority"], waiting_before=result["waiting_before"],
            estimated_wait_min=result["estimated_wait_min"], taking_until=result["taking_until"],
            status_url=request.app.state.settings.base_url + url(request, status_page(request), token=result["token"]),
        )

    @get("/tickets/{token:str}", name="api:ticket", summary="号票状态", raises=ERRORS)
    async def get_ticket(self, token: Annotated[str, PathParameter(max_length=60)]) -> TicketStateOut:
        status = await tickets.ticket_status(token)
        return TicketStateOut(ticket_no=status["ticket_no"], state=status["state"],
                              waiting_before=status["waiting_before"], window=status["window"],
                              queue=status["queue"], estimated_wait_min=status["estimated_wait_min"])

    @get("/centers/{slug:str}/queue", name="api:hall", summary="等候人数与最近叫号", raises=ERRORS)
    async def get_hall(self, slug: SLUG) -> HallOut:
        state = await tickets.hall_state(slug)
        return HallOut(waiting=state["waiting"],
                       calls=[CallOut(c["ticket_no"], c["window"], c["called_at"]) for c in state["calls"]])
