"""The senior's phone page (/my/{token}), for the senior or a family member: no login, the link is the credential
(one of center.web.public's paths). It shows the masked name, the schemes and balance, and the dynamic QR the
canteen scans (issue #16, point 4), refreshed before it expires."""

from __future__ import annotations

import segno
from datetime import timedelta

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from center.domain.ledger import age_on
from center.domain.verification import QR_LIFETIME
from center.domain import DomainError
from center.domain.bookings import bookable_days
from center.services.dining import allowances, bookings, links, policies
from center.tables import Canteen
from center.timeutil import local_now, local_today, to_local, utcnow
from center.web.forms import FormData
from center.web.links import url
from center.web.render import page, target_block

TEMPLATE = "my/page.html"
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}


class MyPageController(Controller):
    path = "/my"
    include_in_schema = False

    @get("/{token:str}", name="my:page")
    async def show_page(self, request: Request, token: FromPath[str], done: FromQuery[str] = "",
                        canteen: FromQuery[str] = "", more: FromQuery[str] = "") -> Response:
        context = await _context(request, token, canteen, days=7 if more == "1" else 3)
        context["done"] = {"booked": "已预订", "cancelled": "已取消预订"}.get(done, "")
        return page(request, TEMPLATE, context, block=target_block(request, TEMPLATE), headers=NO_STORE)

    @post("/{token:str}/bookings", name="my:book")
    async def book(self, request: Request, token: FromPath[str]) -> Response:
        """The senior, or the family member with the senior's consent (recorded with the link), books a dish."""
        link = await links.link_by_token(token)
        form = await FormData.read(request)
        try:
            await bookings.book(link["senior"], form.int("canteen") or 0, dish_id=form.int("dish"),
                                delivery=form.flag("delivery"), building=form.text("building", limit=80),
                                room=form.text("room", limit=40),
                                booked_by="family" if link["holder"] == "family" else "self", link_id=link["id"])
        except DomainError as exc:
            context = await _context(request, token, str(form.int("canteen") or ""))
            context.update(book_error=str(exc), book_form=form.as_dict())
            return page(request, TEMPLATE, context, status_code=422, headers=NO_STORE)
        return Response(None, status_code=303, headers={**NO_STORE, "Location": url(request, "my:page", token=token)
                                                  + f"?done=booked&canteen={form.int('canteen') or ''}"})

    @post("/{token:str}/bookings/{booking_id:int}/cancel", name="my:cancel")
    async def cancel(self, request: Request, token: FromPath[str], booking_id: FromPath[int]) -> Response:
        link = await links.link_by_token(token)
        try:
            await bookings.cancel(booking_id, senior_id=link["senior"])
        except DomainError as exc:
            context = await _context(request, token, "")
            context.update(book_error=str(exc))
            return page(request, TEMPLATE, context, status_code=422, headers=NO_STORE)
        return Response(None, status_code=303, headers={**NO_STORE, "Location": url(request, "my:page", token=token)
                                                  + "?done=cancelled"})


async def _context(request: Request, token: str, canteen_param: str = "", days: int = 3) -> dict:
    link = await links.link_by_token(token)
    today = local_today()
    code, expires = links.code_for(request.app.state.settings.secret_key, link["id"])
    schemes, reason = await policies.schemes_of(link["senior"], link["birth_date"], today)
    return {
        "link": link, "token": token, "age": age_on(link["birth_date"], today), "schemes": schemes,
        "ineligible": reason, "figures": await allowances.allowance_figures(link["senior"], today.year),
        "code": code, "expires": to_local(expires), "issued": to_local(utcnow()),
        "qr_svg": segno.make(code, error="m").svg_inline(border=4, omitsize=True, svgclass="qr-code",
                                                         lineclass=None, title="就餐动态码"),
        # Refresh a little before the code expires (htmx polls the block; without script, the link reloads).
        "refresh_seconds": max(int(QR_LIFETIME.total_seconds()) - 30, 30),
        **await _booking_context(link, canteen_param, days),
    }


async def _booking_context(link: dict, canteen_param: str, shown: int = 3) -> dict:
    """The senior's center's canteens, the chosen one's menu for the days still open for booking, the bookings."""
    canteens = await Canteen.select().where((Canteen.center == link["center"]) & (Canteen.active == True)  # noqa: E712
                                            ).order_by(Canteen.code)
    chosen = next((c for c in canteens if str(c["id"]) == canteen_param), canteens[0] if canteens else None)
    days, menu_by_day = [], {}
    if chosen is not None:
        days = bookable_days(local_now(), chosen["open_days"], chosen["booking_cutoff"])[:7]
        if days:
            for dish in await bookings.menu(chosen["id"], days[0], days[-1]):
                if dish["day"] in days:
                    menu_by_day.setdefault(dish["day"], []).append(dish)
    with_menu = [d for d in days if d in menu_by_day]
    mine = await bookings.bookings_of_senior(link["senior"], local_today() - timedelta(days=60))
    last = next((b for b in reversed(mine) if b["delivery"]), None)
    return {"canteens": canteens, "canteen": chosen, "book_days": with_menu[:shown],
            "more_days": len(with_menu) > shown, "menu_by_day": menu_by_day,
            "my_bookings": [b for b in mine if b["day"] >= local_today()], "book_form": {}, "book_error": "",
            "last_address": {"building": last["building"], "room": last["room"]} if last else {}}
