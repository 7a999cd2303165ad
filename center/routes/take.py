"""Taking a number at the hall door (/take/{slug}: a touch page, its printed 80 mm ticket) and the resident's own
ticket page (/q/{token}, from the ticket's QR). Public: no login, no session, nothing personal on any of them."""

from __future__ import annotations

import segno
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from center.domain import NotFound
from center.domain.queue import QueueClosed, TicketState, TooManyTickets
from center.routes.hall_api import client_address
from center.services.hall import setup, tickets
from center.services.hours import center_by_slug
from center.services.hall.tickets import TakeRequest
from center.web.links import url
from center.web.render import page, target_block

TAKE = "take/index.html"
TICKET = "take/ticket.html"
MINE = "take/mine.html"
# Residents' pages: never cached by a shared tablet or a proxy, never indexed.
PUBLIC_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
# The printed ticket goes back to the take page by itself after this many seconds (the next person is waiting).
RETURN_AFTER_S = 8
# What the resident reads for each state of their ticket.
STATE_TEXT = {
    TicketState.waiting.value: "等候中",
    TicketState.called.value: "请到窗口",
    TicketState.serving.value: "办理中",
    TicketState.done.value: "窗口服务已结束",
    TicketState.no_show.value: "已过号",
}
# htmx stops polling when a poll is answered 286: a finished ticket no longer changes.
STOP_POLLING = 286


def _qr(address: str) -> str:
    """The ticket's QR as inline SVG with the 4-module quiet zone a phone's camera needs (as on the slip)."""
    return segno.make(address, error="m").svg_inline(border=4, omitsize=True, svgclass="qr-code", lineclass=None,
                                                     dark="#000", light="#fff")


# The door's tablet carries a registered ticket printer's token in this cookie (set once by ?device=<token>), so a
# busy morning at one address is not taken for a script (the per-address limit).
DEVICE_COOKIE = "center_take_device"
DEVICE_COOKIE_DAYS = 3650


async def _tablet(request: Request, center_id: int) -> dict | None:
    token = request.cookies.get(DEVICE_COOKIE, "")
    printer = await setup.printer_for(token[:200]) if token else None
    return printer if printer is not None and printer["center"] == center_id else None


def _status_url(request: Request, token: str) -> str:
    return request.app.state.settings.base_url + url(request, "ticket:show", token=token)


class TakeController(Controller):
    """The touch page at the hall door and the ticket it prints (public: center.web.public lists /take/)."""

    path = "/take"
    include_in_schema = False

    @get("/{slug:str}", name="take:show")
    async def show_take(self, request: Request, slug: FromPath[str], device: FromQuery[str] = "") -> Response:
        view = await tickets.take_view(slug)
        if device:  # the tablet at the door registered once: ?device=<a ticket printer's token of this center>
            printer = await setup.printer_for(device[:200])
            if printer is None or printer["center"] != view["center"]["id"]:
                return page(request, TAKE, {**view, "slug": slug, "message": "取号机令牌无效或已吊销，本机未登记",
                                            "priority": False, "registered": False},
                            status_code=403, headers=PUBLIC_HEADERS)
            answer = Redirect(path=url(request, "take:show", slug=slug), status_code=303)
            answer.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_DAYS * 86400, path="/take/",
                              httponly=True, samesite="strict", secure=request.app.state.settings.https)
            return answer
        registered = await _tablet(request, view["center"]["id"]) is not None
        return page(request, TAKE, {**view, "slug": slug, "message": "", "priority": False,
                                    "registered": registered}, headers=PUBLIC_HEADERS)

    @post("/{slug:str}", name="take:take")
    async def take_ticket(self, request: Request, slug: FromPath[str]) -> Response:
        form = await request.form()
        queue = str(form.get("queue") or "")[:8]
        priority = str(form.get("priority") or "") in ("1", "on", "true")
        try:
            center = await center_by_slug(slug)
            tablet = await _tablet(request, center["id"])
            result = await tickets.take_ticket(slug, TakeRequest(queue=queue, priority=priority,
                                                                 client=client_address(request),
                                                                 printer_id=tablet["id"] if tablet else None))
        except (QueueClosed, TooManyTickets) as refusal:
            # The page again with the reason; the priority choice stays as it was touched.
            view = await tickets.take_view(slug)
            status = 429 if isinstance(refusal, TooManyTickets) else 409
            return page(request, TAKE, {**view, "slug": slug, "message": str(refusal), "priority": priority},
                        status_code=status, block=target_block(request, TAKE), headers=PUBLIC_HEADERS)
        return Redirect(path=url(request, "take:ticket", slug=slug, token=result["token"]), status_code=303)

    @get("/{slug:str}/ticket/{token:str}", name="take:ticket")
    async def print_ticket(self, request: Request, slug: FromPath[str], token: FromPath[str]) -> Response:
        status = await tickets.ticket_status(token)
        if status["slug"] != slug:
            raise NotFound("没有这张号票")
        view = await tickets.take_view(slug)
        address = _status_url(request, token)
        return page(request, TICKET, {
            **status, "token": token, "status_url": address, "qr_svg": _qr(address),
            "taking_until": view["taking_until"], "return_after": RETURN_AFTER_S,
        }, headers=PUBLIC_HEADERS)


class TicketController(Controller):
    """The resident's ticket page from the QR (public: center.web.public lists /q/)."""

    path = "/q"
    include_in_schema = False

    @get("/{token:str}", name="ticket:show")
    async def show_ticket(self, request: Request, token: FromPath[str]) -> Response:
        status = await tickets.ticket_status(token)
        # A no-show may come back (回来了) and be called again: only a finished ticket or an old one stops polling.
        finished = status["state"] == TicketState.done.value or not status["today"]
        block = target_block(request, MINE)
        return page(request, MINE, {**status, "token": token, "state_text": STATE_TEXT[status["state"]],
                                    "finished": finished},
                    status_code=STOP_POLLING if block and finished else 200, headers=PUBLIC_HEADERS)
