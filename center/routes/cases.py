"""One case (/cases/{id}): its panel and timeline, actions, materials, the printable slip; visits' identity."""

from __future__ import annotations

import segno
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from center.domain import DomainError
from center.domain.access import Area
from center.domain.cases import STATUS_LABELS, CaseStatus
from center.services import cases
from center.services.cases import CaseConflict
from center.web.forms import FormData, is_htmx
from center.web.guards import requires
from center.web.render import flash, page

TEMPLATE = "cases/show.html"


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


class CasesController(Controller):
    path = "/cases"
    guards = [requires(Area.counter)]
    include_in_schema = False

    @get("/", name="cases:list")
    async def list_cases(self, request: Request, view: FromQuery[str] = "center") -> Response:
        mine = view == "mine"
        rows = await cases.open_cases(request.user, mine=mine)
        return page(request, "cases/list.html", {"cases": rows, "scope": "mine" if mine else "center"})

    @get("/{case_id:int}", name="cases:show")
    async def show_case(self, request: Request, case_id: FromPath[int]) -> Response:
        return page(request, TEMPLATE, await cases.case_view(request.user, case_id))

    async def _after_change(self, request: Request, case_id: int, message: str) -> Response:
        if is_htmx(request):
            view = await cases.case_view(request.user, case_id)
            return page(request, TEMPLATE, {**view, "notice": message}, block="work_panel",
                        headers={"HX-Trigger": "cases-changed"})
        flash(request, message)
        return Redirect(path=f"/cases/{case_id}")

    async def _refused(self, request: Request, case_id: int, exc: DomainError, form: FormData) -> Response:
        view = await cases.case_view(request.user, case_id)
        status = 409 if isinstance(exc, CaseConflict) else 422
        return page(request, TEMPLATE, {**view, "error": str(exc), "form": form.as_dict()}, status_code=status,
                    block="work_panel" if is_htmx(request) else None)

    @post("/{case_id:int}/actions", name="cases:act")
    async def act_on_case(self, request: Request, case_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        action = form.text("action", limit=40)
        try:
            result = await cases.act(request.user, case_id, action, reason=form.text("reason", limit=2000),
                                     new_owner_id=form.int("new_owner_id"), expected_version=form.int("version"))
        except DomainError as exc:
            return await self._refused(request, case_id, exc, form)
        return await self._after_change(request, case_id, f"已更新：{STATUS_LABELS[CaseStatus(result['status'])]}")

    @post("/{case_id:int}/materials", name="cases:materials")
    async def mark_materials(self, request: Request, case_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        try:
            await cases.set_received(request.user, case_id, form.ints("received"), expected_version=form.int("version"))
        except DomainError as exc:
            return await self._refused(request, case_id, exc, form)
        return await self._after_change(request, case_id, "材料清单已更新")

    @get("/{case_id:int}/slip", name="cases:slip")
    async def print_slip(self, request: Request, case_id: FromPath[int]) -> Response:
        view = await cases.slip_view(request.user, case_id)
        status_url = str(request.base_url).rstrip("/") + f"/s/{view['token']}"
        # A viewBox and no fixed size, so print.css scales it to 32 mm without cropping; the quiet zone is the
        # 4 modules ISO/IEC 18004 asks for, painted white so it stays light on any background.
        qr_svg = segno.make(status_url, error="m").svg_inline(
            border=4, omitsize=True, svgclass="qr-code", lineclass=None, dark="#000", light="#fff",
            title="办理进度二维码")
        return page(request, "cases/slip.html", {**view, "status_url": status_url, "qr_svg": qr_svg})


class VisitsController(Controller):
    path = "/visits"
    guards = [requires(Area.counter)]
    include_in_schema = False

    @post("/{visit_id:int}/reveal", name="visits:reveal")
    async def reveal_identity(self, request: Request, visit_id: FromPath[int]) -> Response:
        visit = await cases.reveal_identity(request.user, visit_id, _client_ip(request))
        return page(request, "cases/_identity.html", {"identity": visit, "revealed": True},
                    headers={"Cache-Control": "no-store"})

    @get("/{visit_id:int}/identity", name="visits:identity")
    async def masked_identity(self, request: Request, visit_id: FromPath[int]) -> Response:
        return page(request, "cases/_identity.html", {"identity": await cases.masked_identity(request.user, visit_id),
                                                      "revealed": False})


class PublicStatusController(Controller):
    path = "/s"
    include_in_schema = False
    opt = {"exclude_from_auth": True}

    @get("/{token:str}", name="public:status")
    async def show_status(self, request: Request, token: FromPath[str]) -> Response:
        return page(request, "public/status.html", await cases.public_status(token),
                    headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
