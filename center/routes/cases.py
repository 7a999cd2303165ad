"""One case (/cases/{id}): its panel and timeline, actions, materials, the printable slip; visits' identity."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import segno
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter

from center.domain import DomainError
from center.domain.access import Area
from center.domain.cases import STATUS_LABELS, Action, CaseStatus, needs_confirmation
from center.domain.ratings import RATABLE_CASE_STATUSES
from center.services import cases, catalog
from center.services.cases import STATE_FILTERS, CaseConflict, CaseFilter
from center.web import drafts
from center.web.deps import STAFF, Staff, StaffOrNobody
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import redirect, url
from center.web.render import flash, fragment, page, target_block

TEMPLATE = "cases/show.html"
LIST_TEMPLATE = "cases/list.html"


def _int(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None


def _filter_from(q: str, state: str, item: str, overdue: str, view: str, page_no: str) -> CaseFilter:
    """The list's filters as asked for in the URL; anything unknown falls back to the default, never a 400."""
    page_no = _int(page_no[:6]) or 1
    return CaseFilter(q=q.strip()[:40], state=state if state in STATE_FILTERS else "open", item_id=_int(item[:12]),
                      overdue=overdue in ("1", "on", "true"), mine=view == "mine", page=max(1, page_no))


def _list_url(request: Request, wanted: CaseFilter, page: int = 1) -> str:
    """/cases with the filters that differ from the defaults, and the page: links that keep what was asked."""
    return url(request, "cases:list", q=wanted.q, state=wanted.state if wanted.state != "open" else None,
               item=wanted.item_id, overdue="1" if wanted.overdue else None, view="mine" if wanted.mine else None,
               page=page if page > 1 else None)


def _pager(request: Request, wanted: CaseFilter, page: int, pages: int) -> dict:
    """Page links around the current one (first and last always), each keeping the filters."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links, last = [], 0
    for number in shown:
        if number - last > 1:
            links.append({"gap": True})
        links.append({"number": number, "url": _list_url(request, wanted, number), "current": number == page})
        last = number
    return {"links": links if pages > 1 else [], "page": page, "pages": pages,
            "prev": _list_url(request, wanted, page - 1) if page > 1 else None,
            "next": _list_url(request, wanted, page + 1) if page < pages else None}


def _panel_block(request: Request) -> str | None:
    """The work panel when htmx posted into it (#work-panel), else the whole page."""
    return "work_panel" if fragment(request) == "work_panel" else None


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


class CasesController(Controller):
    path = "/cases"
    guards = [requires(Area.counter)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @get("/", name="cases:list")
    async def list_cases(self, request: Request, staff: Staff, q: FromQuery[str] = "",
                         state_key: Annotated[str, QueryParameter(name="state")] = "open",  # `state` is Litestar's
                         item: FromQuery[str] = "", overdue: FromQuery[str] = "", view: FromQuery[str] = "center",
                         page_no: Annotated[str, QueryParameter(name="page")] = "1") -> Response:
        wanted = _filter_from(q, state_key, item, overdue, view, page_no)
        found = await cases.list_cases(staff, wanted)
        block = target_block(request, LIST_TEMPLATE)
        context = {
            **found, "filter": wanted, "pager": _pager(request, wanted, found["page"], found["pages"]),
            "states": [(key, label) for key, (label, _) in STATE_FILTERS.items()],
            "oob": block == "case_rows",  # the count and the page links travel with the rows (hx-swap-oob)
            "scope": "mine" if wanted.mine else "center",
            "closed_hint": None,
        }
        if found["total"] == 0 and wanted.q and wanted.state == "open":
            # Nothing open matches: say so when closed cases do, with the link that shows them.
            closed = replace(wanted, state="closed", page=1)
            count = (await cases.list_cases(staff, closed, page_size=1))["total"]
            if count:
                context["closed_hint"] = {"count": count, "url": _list_url(request, closed)}
        if block != "case_rows":
            context["item_groups"] = await catalog.item_choices()
            return page(request, LIST_TEMPLATE, context, block=block)
        # The address bar shows the filters as a link would write them (the page clamped, defaults left out).
        return page(request, LIST_TEMPLATE, context, block=block,
                    headers={"HX-Push-Url": _list_url(request, wanted, found["page"])})

    @get("/{case_id:int}", name="cases:show")
    async def show_case(self, request: Request, staff: Staff, case_id: FromPath[int]) -> Response:
        view = await cases.case_view(staff, case_id)
        draft = drafts.take(request, "cases:act", case_id)
        if draft is not None:  # an action sent when the session had ended: its form filled in again, not applied
            view.update(form=draft["form"], restored=True)
        return page(request, TEMPLATE, view)

    async def _after_change(self, request: Request, staff: Staff, case_id: int, message: str) -> Response:
        if fragment(request) == "work_panel":
            view = await cases.case_view(staff, case_id)
            return page(request, TEMPLATE, {**view, "notice": message}, block="work_panel",
                        headers={"HX-Trigger": "cases-changed"})
        flash(request, message)
        return redirect(request, "cases:show", case_id=case_id)

    async def _refused(self, request: Request, staff: Staff, case_id: int, exc: DomainError,
                       form: FormData) -> Response:
        view = await cases.case_view(staff, case_id)
        status = 409 if isinstance(exc, CaseConflict) else 422
        return page(request, TEMPLATE, {**view, "error": str(exc), "error_field": getattr(exc, "field", None),
                                        "form": form.as_dict()}, status_code=status, block=_panel_block(request))

    async def _panel(self, request: Request, staff: Staff, case_id: int, extra: dict) -> Response:
        """The case page (plain post) or its panel (htmx) with a confirmation step or the typed form in it."""
        view = await cases.case_view(staff, case_id)
        return page(request, TEMPLATE, {**view, **extra}, block=_panel_block(request),
                    headers={"Cache-Control": "no-store"})

    @post("/{case_id:int}/actions", name="cases:act", opt={"keeps_draft": True})
    async def act_on_case(self, request: Request, staff: StaffOrNobody, case_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        if staff is None:  # the session ended: keep the typed reason, log in, then decide again
            return drafts.keep(request, form, kind="cases:act", key=case_id,
                               page=url(request, "cases:show", case_id=case_id))
        action = form.text("action", limit=40)
        step = form.text("confirm", limit=4)
        params = dict(reason=form.text("reason", limit=2000), new_owner_id=form.int("new_owner_id"),
                      expected_version=form.int("version"))
        try:
            if needs_confirmation(action) and step != "1":
                if step == "0":  # 取消 on the confirmation: back to the form, with what was typed
                    return await self._panel(request, staff, case_id, {"form": form.as_dict()})
                # First press of 办结 / 不予受理: check it now, then ask (nothing is written yet).
                confirm = await cases.preview(staff, case_id, action, **params)
                return await self._panel(request, staff, case_id, {"confirm": confirm, "form": form.as_dict()})
            result = await cases.act(staff, case_id, action, **params)
        except DomainError as exc:
            return await self._refused(request, staff, case_id, exc, form)
        if result["action"] == Action.hand_over:
            message = f"已转交给 {result['new_owner_name']}"
        else:
            message = f"已更新：{STATUS_LABELS[CaseStatus(result['status'])]}"
        return await self._after_change(request, staff, case_id, message)

    @post("/{case_id:int}/materials", name="cases:materials")
    async def mark_materials(self, request: Request, staff: Staff, case_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        try:
            await cases.set_received(staff, case_id, form.ints("received"), expected_version=form.int("version"))
        except DomainError as exc:
            return await self._refused(request, staff, case_id, exc, form)
        return await self._after_change(request, staff, case_id, "材料清单已更新")

    @get("/{case_id:int}/slip", name="cases:slip")
    async def print_slip(self, request: Request, staff: Staff, case_id: FromPath[int],
                         variant: FromQuery[str] = "") -> Response:
        """The slip; `?variant=receipt` for a finished service is the short 评价回执 instead: the QR of its status
        page, where the resident rates it (a consultation gets no slip of its own at the counter otherwise)."""
        view = await cases.slip_view(staff, case_id)
        status_url = request.app.state.settings.base_url + url(request, "public:status", token=view["token"])
        receipt = variant == "receipt" and view["case"]["status"] in RATABLE_CASE_STATUSES
        # A viewBox and no fixed size, so print.css scales it to 32 mm without cropping; the quiet zone is the
        # 4 modules ISO/IEC 18004 asks for, painted white so it stays light on any background.
        qr_svg = segno.make(status_url, error="m").svg_inline(
            border=4, omitsize=True, svgclass="qr-code", lineclass=None, dark="#000", light="#fff",
            title="服务评价二维码" if receipt else "办理进度二维码")
        return page(request, "cases/receipt.html" if receipt else "cases/slip.html",
                    {**view, "status_url": status_url, "qr_svg": qr_svg,
                     "callback_days": request.app.state.settings.rating_callback_days})


class VisitsController(Controller):
    path = "/visits"
    guards = [requires(Area.counter)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @post("/{visit_id:int}/reveal", name="visits:reveal")
    async def reveal_identity(self, request: Request, staff: Staff, visit_id: FromPath[int]) -> Response:
        visit = await cases.reveal_identity(staff, visit_id, _client_ip(request))
        return page(request, "cases/_identity.html", {"identity": visit, "revealed": True},
                    headers={"Cache-Control": "no-store"})

    @get("/{visit_id:int}/identity", name="visits:identity")
    async def masked_identity(self, request: Request, staff: Staff, visit_id: FromPath[int]) -> Response:
        return page(request, "cases/_identity.html", {"identity": await cases.masked_identity(staff, visit_id),
                                                      "revealed": False})


class PublicStatusController(Controller):
    """No login, no session: /s/ is one of center.web.public's paths."""

    path = "/s"
    include_in_schema = False

    @get("/{token:str}", name="public:status")
    async def show_status(self, request: Request, token: FromPath[str], rated: FromQuery[str] = "",
                          already: FromQuery[str] = "") -> Response:
        from center.routes.ratings import status_context

        view = await status_context(token)
        view["rating"]["just_rated"] = rated == "1"
        view["rating"]["already"] = already == "1"
        return page(request, "public/status.html", view,
                    headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
