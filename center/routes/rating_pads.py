"""The rating pads' set-up (/ratings/pads): the center's pads, registering one for a window (its token and address
shown once, with a QR to open on the tablet) and revoking one after a confirmation. Staff of the center see the
list; only its manager and the admin register and revoke."""

from __future__ import annotations

from urllib.parse import quote

import segno
from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Redirect

from center.domain import AccessDenied, DomainError, NotFound
from center.domain.access import Area
from center.routes.hall_setup import center_query, provide_hall_center
from center.services import ratings
from center.services.centers import visible_centers
from center.services.identity import CurrentUser
from center.web.confirm import ask_first, confirmed
from center.web.deps import STAFF, Center, Staff
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import url
from center.web.render import flash, page

TEMPLATE = "ratings/pads.html"


def pad_address(request: Request, slug: str, window: str, token: str) -> str:
    """{base_url}/rate/{slug}/{window}?pad={token}, the window percent-encoded so a QR reader gets a valid URL."""
    path = quote(url(request, "rate:show", slug=slug, window=window), safe="/")
    return f"{request.app.state.settings.base_url}{path}?pad={token}"


def _qr(address: str) -> str:
    """The address as an inline SVG QR with a 4-module quiet zone (as the slip and the ticket draw theirs)."""
    return segno.make(address, error="m").svg_inline(border=4, omitsize=True, svgclass="qr-code", lineclass=None,
                                                     dark="#000", light="#fff", title="评价器登记二维码")


class RatingPadsController(Controller):
    path = "/ratings/pads"
    guards = [requires(Area.ratings)]
    dependencies = {"staff": STAFF, "center": Provide(provide_hall_center)}
    include_in_schema = False

    async def _page(self, request: Request, staff: CurrentUser, center: dict, *, status_code: int = 200,
                    typed: dict | None = None, error: DomainError | None = None, registered: dict | None = None
                    ) -> Response:
        view = await ratings.pads_view(staff, center["id"])
        return page(request, TEMPLATE, {
            **view, "center": center, "center_query": center_query(staff, center),
            "centers": await visible_centers(staff) if staff.is_admin else [],
            "typed": typed or {}, "error": str(error) if error else None,
            "error_field": getattr(error, "field", None), "registered": registered,
        }, status_code=status_code, headers={"Cache-Control": "no-store"})

    @get("/", name="rating_pads:list")
    async def list_pads(self, request: Request, staff: Staff, center: Center) -> Response:
        return await self._page(request, staff, center)

    @post("/", name="rating_pads:register")
    async def register_pad(self, request: Request, staff: Staff, center: Center) -> Response:
        """The token is on this answer only (its hash is kept): rendered here, not after a redirect, so it never
        sits in the session's flash."""
        form = await FormData.read(request)
        typed = {"window": form.text("window", limit=40).strip(), "name": form.text("name", limit=80).strip()}
        try:
            token = await ratings.register_pad(staff, center["id"], typed["window"], typed["name"])
        except DomainError as exc:
            if exc.__class__.__name__ in ("NotFound", "AccessDenied"):
                raise
            return await self._page(request, staff, center, status_code=422, typed=typed, error=exc)
        address = pad_address(request, center["slug"], typed["window"], token)
        return await self._page(request, staff, center, status_code=201, registered={
            "window": typed["window"], "name": typed["name"], "token": token, "address": address,
            "qr_svg": _qr(address)})

    @post("/{pad_id:int}/revoke", name="rating_pads:revoke")
    async def revoke_pad(self, request: Request, staff: Staff, center: Center, pad_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        back = url(request, "rating_pads:list", center=center_query(staff, center))
        if not confirmed(form):
            if staff.role not in ("manager", "admin"):
                raise AccessDenied("只有本中心负责人可以吊销评价器")
            pad = next((p for p in (await ratings.pads_view(staff, center["id"]))["pads"] if p["id"] == pad_id), None)
            if pad is None:
                raise NotFound("没有这个评价器")
            if pad["revoked_at"] is not None:
                flash(request, "这个评价器已经吊销", "error")
                return Redirect(path=back, status_code=303)
            label = f"{pad['window']}{('“' + pad['name'] + '”') if pad['name'] else ''}"
            return ask_first(request, form, question=f"吊销评价器 {label}？",
                             lines=["吊销后，这台平板立即不能再提交评价，需要重新登记新的评价器并在平板上打开新地址。",
                                    "吊销不能撤销。"],
                             action=url(request, "rating_pads:revoke", pad_id=pad_id), back=back,
                             confirm_label="确认吊销")
        try:
            pad = await ratings.revoke_pad(staff, center["id"], pad_id)
        except DomainError as exc:
            if exc.__class__.__name__ in ("NotFound", "AccessDenied"):
                raise
            flash(request, str(exc), "error")
            return Redirect(path=back, status_code=303)
        flash(request, f"评价器 {pad['window']} 已吊销")
        return Redirect(path=back, status_code=303)
