"""The kiosk counter (/counter): search the catalog, choose an item, answer or accept; the worker's sidebar."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery

from center.domain import DomainError
from center.domain.access import Area
from center.domain.cases import case_lookup
from center.services import cases, counter, demands
from center.services.cases import ReceiveForm
from center.services.hall import window as hall_window
from center.web import drafts
from center.web.deps import STAFF, Staff, StaffOrNobody
from center.web.forms import FormData, optional_int
from center.web.guards import requires
from center.web.links import redirect, url
from center.web.render import flash, fragment, page, target_block

TEMPLATE = "counter/index.html"


class CounterController(Controller):
    path = "/counter"
    guards = [requires(Area.counter)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @get("/", name="counter:index")
    async def show_counter(self, request: Request, staff: Staff, q: FromQuery[str] = "",
                           item: FromQuery[str] = "", visit: FromQuery[str] = "",
                           demand: FromQuery[str] = "") -> Response:
        item, visit = optional_int(item), optional_int(visit)
        block = target_block(request, TEMPLATE)
        q = q.strip()[:40]  # spaces alone are no query: the hint, not 没有找到“  ”
        context: dict = {"q": q, "form": {}, "visit": await counter.continuing_visit(staff, visit)}
        if block in (None, "search_results"):
            context["results"] = await counter.search(q)
            context["found_cases"] = await counter.find_cases(staff, q)
            context["found_demands"] = await counter.find_demands(staff, q)
            context["lookup"] = case_lookup(q)
        if block in (None, "work_panel"):
            context["item"] = await counter.item_panel(item) if item else None
            if demand == "1" and not item:  # a visit that is not a catalog item becomes a demand (民情诉求)
                context["demand_form"] = {"kinds": await demands.kinds()}
            draft = drafts.take(request, "counter:receive", item) if item else None
            if draft is not None:  # the form sent when the session had ended, filled in again after the login
                context.update(form=draft["form"], brought={int(v) for v in draft["lists"].get("brought", [])
                                                            if v.isdigit()}, restored=True)
        if block in (None, "sidebar"):
            context.update(await counter.sidebar(staff))
        if block in (None, "window_strip", "strip_queues"):  # the window strip (routes/window.py) polls with this
            # block; its waiting counts refresh alone on the hall's event stream
            context["strip"] = await hall_window.strip(staff) if staff.center_id else None
        return page(request, TEMPLATE, context, block=block)

    @post("/demand", name="counter:demand")
    async def take_demand(self, request: Request, staff: Staff) -> Response:
        """A visit that is not a catalog item, recorded as a demand (民情诉求) in one step."""
        from center.routes.demands import take_demand
        return await take_demand(request, staff)

    @post("/receive", name="counter:receive", opt={"keeps_draft": True})
    async def receive_resident(self, request: Request, staff: StaffOrNobody) -> Response:
        form = await FormData.read(request)
        item_id = form.int("item_id")
        in_panel = fragment(request) == "work_panel"  # the form posted by htmx into #work-panel
        if staff is None:  # the session ended while the resident's data was being typed: keep it
            visit_id = form.int("visit_id")
            return drafts.keep(request, form, kind="counter:receive", key=item_id,
                               page=url(request, "counter:index", item=item_id, visit=visit_id))
        receive = ReceiveForm(
            item_id=item_id or 0, action=form.text("action"), resident_name=form.text("resident_name", limit=100),
            id_number=form.text("id_number", limit=40), phone=form.text("phone", limit=40),
            note=form.text("note", limit=2000), brought=form.ints("brought"), visit_id=form.int("visit_id"),
        )
        try:
            result = await cases.receive(staff, receive)
        except DomainError as exc:
            item = await counter.item_panel(item_id) if item_id else None
            context = {"item": item, "form": form.as_dict(), "brought": set(receive.brought), "error": str(exc),
                       "error_field": getattr(exc, "field", None), "field_errors": getattr(exc, "errors", None),
                       "visit": await counter.continuing_visit(staff, receive.visit_id), "q": ""}
            if in_panel:
                return page(request, TEMPLATE, context, status_code=422, block="work_panel")
            context.update(await counter.sidebar(staff))
            context["strip"] = await hall_window.strip(staff)
            return page(request, TEMPLATE, context, status_code=422)
        message = "咨询已答复并登记" if result["status"] == "consult" else f"已受理，办件编号 {result['code']}"
        if result["missing_names"]:  # 一次性告知: what the resident must bring, and the clock waits for it
            message += f"；缺 {len(result['missing_names'])} 项材料，待补正（暂停计时）：" + "、".join(result["missing_names"])
        if in_panel:  # the new case in the work panel, and the sidebar told to refresh
            view = await cases.case_view(staff, result["case_id"])
            return page(request, "cases/show.html", {**view, "notice": message, "just_received": True},
                        block="work_panel", headers={"HX-Trigger": "cases-changed"})
        flash(request, message)
        return redirect(request, "cases:show", case_id=result["case_id"])
