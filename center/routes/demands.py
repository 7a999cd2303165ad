"""民情诉求 on the web: the list and one order's page with the steps its state allows, taking a demand (at the
counter in one step with the visit), the 12345 and grid imports with their preview, the figures and their export."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from typing import Annotated

from litestar.params import FromPath, FromQuery, QueryParameter

from center.domain import DomainError
from center.domain.access import Area
from center.domain.demand_import import GRID_HEADER, HOTLINE_HEADER, MAX_FILE_BYTES, MAX_ROWS
from center.domain.demands import CHANNEL_LABELS, INTAKE_CHANNELS, DemandConflict, DemandError
from center.services import counter, demand_export, demand_import, demands, errands
from center.services.hall import window as hall_window
from center.services.centers import visible_centers
from center.web.deps import STAFF, Staff
from center.web.forms import FormData, optional_int, parse_day
from center.web.guards import requires
from center.web.links import redirect, url
from center.web.downloads import xlsx_response
from center.web.render import flash, page, target_block

LIST = "demands/list.html"
SHOW = "demands/show.html"
NEW = "demands/new.html"
IMPORT = "demands/import.html"
GRID = "demands/grid.html"
FIGURES = "demands/figures.html"
HOUSEHOLDS = "demands/households.html"
HOUSEHOLD = "demands/household.html"
PROACTIVE = "demands/proactive.html"
KINDS = "demands/kinds.html"
# Importing and the figures are the managers' (and the admin's); a worker reads the grid and works the orders.
MANAGERS = requires(Area.stats, "导入和统计由中心负责人或区级管理员操作")
IRREVERSIBLE = {"resolve", "callback", "send_back", "approve", "reject"}


async def _new_context(staff: Staff, form: dict | None = None, **extra) -> dict:
    return {"kinds": await demands.kinds(), "channels": CHANNEL_LABELS, "form": form or {},
            "intake_channels": [c.value for c in INTAKE_CHANNELS], **extra}


def _is_access(refusal: DomainError) -> bool:
    return type(refusal).__name__ in ("NotFound", "AccessDenied")


class DemandsController(Controller):
    path = "/demands"
    guards = [requires(Area.demands)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @get("/", name="demands:list")
    async def list_demands(self, request: Request, staff: Staff, grid: FromQuery[str] = "",
                           stage: Annotated[str, QueryParameter(name="state")] = "", channel: FromQuery[str] = "",
                           mine: FromQuery[str] = "", q: FromQuery[str] = "") -> Response:
        q = q.strip()[:40]
        data = await demands.list_demands(staff, grid=optional_int(grid), no_grid=grid == "none", state=stage[:20],
                                          channel=channel[:20], mine=mine == "1", q=q)
        filters = {"grid": optional_int(grid) or (grid if grid == "none" else None), "state": stage[:20],
                   "channel": channel[:20], "mine": mine == "1", "q": q}
        return page(request, LIST, {**data, "filters": filters, "reminders": await demands.reminders(staff)},
                    block=target_block(request, LIST))

    @get("/new", name="demands:new")
    async def new(self, request: Request, staff: Staff) -> Response:
        return page(request, NEW, await _new_context(staff, {"channel": "phone"}))

    @post("/", name="demands:create")
    async def create(self, request: Request, staff: Staff) -> Response:
        return await take_demand(request, staff)

    @get("/{demand_id:int}", name="demands:show")
    async def show(self, request: Request, staff: Staff, demand_id: FromPath[int]) -> Response:
        return page(request, SHOW, {**await demands.demand_view(staff, demand_id), "form": {}},
                    block=target_block(request, SHOW))

    @post("/{demand_id:int}/act", name="demands:act")
    async def act(self, request: Request, staff: Staff, demand_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        action = form.text("action", limit=20)
        solved_raw = form.text("solved", limit=2)
        kwargs = dict(note=form.text("note", limit=1000), days=form.int("days"),
                      satisfaction=form.text("satisfaction", limit=20) or None,
                      solved=True if solved_raw == "1" else False if solved_raw == "0" else None,
                      department=form.text("department", limit=100), assignee_id=form.int("assignee"),
                      expected_version=form.int("version"))
        try:
            if action in IRREVERSIBLE and not form.flag("confirm"):
                raise DomainError("请勾选“确认：提交后不能撤回”后再提交", field="confirm")
            result = await demands.act(staff, demand_id, action, **kwargs)
        except DemandConflict as conflict:
            view = await demands.demand_view(staff, demand_id)
            return page(request, SHOW, {**view, "form": form.as_dict(), "error": str(conflict)}, status_code=409)
        except DomainError as refusal:
            if _is_access(refusal):
                raise
            view = await demands.demand_view(staff, demand_id)
            return page(request, SHOW, {**view, "form": form.as_dict(), "error": str(refusal),
                                        "error_field": refusal.field, "field_errors": refusal.errors,
                                        "error_action": action}, status_code=422)
        flash(request, done_message(result))
        return redirect(request, "demands:show", demand_id=demand_id)

    @post("/{demand_id:int}/reveal", name="demands:reveal")
    async def reveal(self, request: Request, staff: Staff, demand_id: FromPath[int]) -> Response:
        contact = await demands.reveal_contact(staff, demand_id, ip=request.client.host if request.client else "")
        view = await demands.demand_view(staff, demand_id)
        return page(request, SHOW, {**view, "form": {}, "revealed": contact}, block=target_block(request, SHOW))

    # ---- imports ----

    async def _import_page(self, request: Request, staff: Staff, kind: str, **extra) -> dict:
        centers = await visible_centers(staff) if staff.role == "admin" else []
        return {"kind": kind, "header": HOTLINE_HEADER if kind == "hotline" else GRID_HEADER, "centers": centers,
                "max_mb": MAX_FILE_BYTES // 1024 // 1024, "max_rows": MAX_ROWS, **extra}

    @get("/import", name="demands:import", guards=[MANAGERS])
    async def import_page(self, request: Request, staff: Staff) -> Response:
        return page(request, IMPORT, await self._import_page(request, staff, "hotline"))

    @get("/grid", name="demands:grid")
    async def grid_page(self, request: Request, staff: Staff, center: FromQuery[str] = "") -> Response:
        view = await demand_import.grid_view(staff, optional_int(center))
        return page(request, GRID, {**await self._import_page(request, staff, "grid"), **view})

    @post("/import", name="demands:upload", guards=[MANAGERS])
    async def upload(self, request: Request, staff: Staff) -> Response:
        form = await FormData.read(request)
        kind = "grid" if form.text("kind", limit=10) == "grid" else "hotline"
        upload_file = form.file("file")
        template = GRID if kind == "grid" else IMPORT
        base = await self._import_page(request, staff, kind)
        if kind == "grid":
            base.update(await demand_import.grid_view(staff, form.int("center")))
        try:
            if upload_file is None:
                raise DomainError("请选择要导入的 .xlsx 文件", field="file")
            content = await upload_file.read(MAX_FILE_BYTES + 1)
            preview = await demand_import.upload(staff, kind, upload_file.filename or "", content,
                                                 center_id=form.int("center"))
        except DomainError as refusal:
            if type(refusal).__name__ == "AccessDenied":
                raise
            return page(request, template, {**base, "error": str(refusal)}, status_code=422)
        return page(request, template, {**base, "preview": preview},
                    status_code=200 if preview["ok"] else 422)

    @post("/import/confirm", name="demands:import_confirm", guards=[MANAGERS])
    async def confirm(self, request: Request, staff: Staff) -> Response:
        form = await FormData.read(request)
        token = form.text("token", limit=64)
        kind = "grid" if form.text("kind", limit=10) == "grid" else "hotline"
        try:
            result = await demand_import.confirm(staff, token)
        except DomainError as refusal:
            if _is_access(refusal) and type(refusal).__name__ != "NotFound":
                raise
            flash(request, str(refusal), "error")
            return redirect(request, "demands:grid" if kind == "grid" else "demands:import")
        if kind == "grid":
            flash(request, "网格已导入：" + _grid_summary(result))
            return redirect(request, "demands:grid")
        note = "（这份文件已经导入过）" if result.get("already") else ""
        flash(request, f"已导入 12345 工单 {result.get('created', 0)} 件，已存在跳过 {result.get('skipped', 0)} 件，"
                       f"其中 {result.get('unrouted', 0)} 件地址未定位到网格、待派单{note}")
        return redirect(request, "demands:list")

    # ---- the kinds' deadlines ----

    @get("/kinds", name="demands:kinds")
    async def kinds(self, request: Request, staff: Staff) -> Response:
        return page(request, KINDS, await demands.kinds_view())

    @post("/kinds/{code:str}", name="demands:kind_update")
    async def update_kind(self, request: Request, staff: Staff, code: FromPath[str]) -> Response:
        form = await FormData.read(request)
        try:
            await demands.update_kind(staff, code[:20], sign_hours=form.int("sign_hours"),
                                      contact_hours=form.int("contact_hours"), resolve_days=form.int("resolve_days"))
        except DomainError as refusal:
            if _is_access(refusal):
                raise
            return page(request, KINDS, {**await demands.kinds_view(), "error": str(refusal), "error_code": code,
                                         "form": form.as_dict()}, status_code=422)
        flash(request, "已保存时限：此后受理的诉求按新时限计算，已有诉求的时限不变")
        return redirect(request, "demands:kinds")

    # ---- figures ----

    @get("/figures", name="demands:figures", guards=[MANAGERS])
    async def figures(self, request: Request, staff: Staff, month: FromQuery[str] = "",
                      center: FromQuery[str] = "") -> Response:
        view = await demands.figures_view(staff, month or None, center_id=optional_int(center))
        centers = await visible_centers(staff) if staff.role == "admin" else []
        return page(request, FIGURES, {**view, "centers": centers})

    @get("/figures.xlsx", name="demands:export", guards=[MANAGERS])
    async def export(self, request: Request, staff: Staff, month: FromQuery[str] = "",
                     center: FromQuery[str] = "") -> Response:
        export = await demand_export.figures_workbook(staff, month or None, center_id=optional_int(center))
        return xlsx_response(export.content, export.filename, export.ascii_filename)


async def take_demand(request: Request, staff: Staff) -> Response:
    """A new demand from /demands/new or the counter's panel (posted to /counter/demand, so a refusal is shown at
    the counter's address, with its strip and sidebar)."""
    form = await FormData.read(request)
    fields = {k: form.text(k, limit=2100) for k in ("channel", "kind", "content", "address", "resident_name",
                                                    "phone")}
    try:
        if fields["channel"] not in {c.value for c in INTAKE_CHANNELS}:  # 12345 comes by import, 代办 by its pages
            raise DemandError("请选择诉求来源渠道", field="channel")
        made = await demands.create(staff, **fields, visit_id=form.int("visit_id"),
                                    with_visit=fields["channel"] == "counter")
    except DomainError as refusal:
        if _is_access(refusal):
            raise
        errors = {"error": str(refusal), "error_field": refusal.field, "field_errors": refusal.errors}
        if fields["channel"] == "counter":  # back at the counter's panel, the queue strip and the sidebar
            return page(request, "counter/index.html", {
                "q": "", "form": fields, "demand_form": {"kinds": await demands.kinds()},
                "visit": await counter.continuing_visit(staff, form.int("visit_id")),
                **await counter.sidebar(staff), "strip": await hall_window.strip(staff) if staff.center_id else None,
                **errors}, status_code=422)
        return page(request, NEW, await _new_context(staff, fields, **errors), status_code=422)
    flash(request, f"已登记诉求 {made['code']}" + ("，已派给网格员" if made["assignee"] else "，待派单"))
    return redirect(request, "demands:show", demand_id=made["id"])


def done_message(result: dict) -> str:
    """"已签收", "已记录联系群众（已联系）", with "，已超过时限" when the step was late."""
    label, state = result["action_label"], result["state_label"]
    text = state if state == f"已{label}" else f"已记录{label}" + (
        f"，现在：{state}" if result["action"] not in ("urge", "whistle", "report", "extend", "approve", "reject")
        else "")
    return text + ("（本步已超过时限）" if result["on_time"] is False else "")


def _grid_summary(result: dict) -> str:
    return (f"新网格 {result.get('grids_new', 0)} 个、更新 {result.get('grids_changed', 0)} 个，新小区 "
            f"{result.get('compounds_new', 0)} 个，新楼栋 {result.get('buildings_new', 0)} 栋、更新 "
            f"{result.get('buildings_changed', 0)} 栋，未变 {result.get('unchanged', 0)} 栋")


class ErrandsController(Controller):
    """帮办代办: the household register, home visits, 代办 cases from an order, the proactive list."""

    path = "/demands"
    guards = [requires(Area.demands)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @post("/{demand_id:int}/cases", name="demands:case")
    async def open_case(self, request: Request, staff: Staff, demand_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        try:
            raw = form.text("attorney", limit=2)
            made = await errands.open_case(staff, demand_id, form.int("item"),
                                           True if raw == "1" else False if raw == "0" else None)
        except DomainError as refusal:
            if _is_access(refusal):
                raise
            view = await demands.demand_view(staff, demand_id)
            return page(request, SHOW, {**view, "form": form.as_dict(), "error": str(refusal),
                                        "error_field": refusal.field, "field_errors": refusal.errors,
                                        "error_action": "case"}, status_code=422)
        flash(request, f"已代为受理，办件编号 {made['code']}"
              + (f"；缺 {len(made['missing_names'])} 项材料，已列在一次性告知单上" if made["missing_names"] else ""))
        return redirect(request, "demands:show", demand_id=demand_id)

    @get("/households", name="demands:households")
    async def households(self, request: Request, staff: Staff, tag: FromQuery[str] = "") -> Response:
        return page(request, HOUSEHOLDS, {**await errands.list_households(staff, tag[:10]), "form": {},
                                          "agents": await errands.agents_of(staff)})

    @post("/households", name="demands:household_create")
    async def create_household(self, request: Request, staff: Staff) -> Response:
        form = await FormData.read(request)
        try:
            household_id = await errands.create_household(
                staff, name=form.text("name", limit=100), id_number=form.text("id_number", limit=40),
                phone=form.text("phone", limit=40), address=form.text("address", limit=300),
                tags=form.texts("tags", limit=10), note=form.text("note", limit=1000), agent_id=form.int("agent"))
        except DomainError as refusal:
            if _is_access(refusal):
                raise
            view = await errands.list_households(staff)
            return page(request, HOUSEHOLDS, {**view, "form": form.as_dict(), "picked": form.texts("tags", limit=10),
                                              "error": str(refusal), "error_field": refusal.field,
                                              "field_errors": refusal.errors,
                                              "agents": await errands.agents_of(staff)}, status_code=422)
        flash(request, "已登记帮扶对象")
        return redirect(request, "demands:household", household_id=household_id)

    @get("/households/{household_id:int}", name="demands:household")
    async def household(self, request: Request, staff: Staff, household_id: FromPath[int]) -> Response:
        return page(request, HOUSEHOLD, {**await errands.household_view(staff, household_id), "form": {}},
                    block=target_block(request, HOUSEHOLD))

    @post("/households/{household_id:int}/reveal", name="demands:household_reveal")
    async def reveal(self, request: Request, staff: Staff, household_id: FromPath[int]) -> Response:
        shown = await errands.reveal_household(staff, household_id, ip=request.client.host if request.client else "")
        return page(request, HOUSEHOLD, {**await errands.household_view(staff, household_id), "form": {},
                                         "revealed": shown}, block=target_block(request, HOUSEHOLD))

    @post("/households/{household_id:int}/{what:str}", name="demands:household_act")
    async def act(self, request: Request, staff: Staff, household_id: FromPath[int], what: FromPath[str]) -> Response:
        form = await FormData.read(request)
        try:
            if what == "visits":
                day = parse_day(form.text("day", limit=20))
                await errands.add_home_visit(staff, household_id, day=day, who=form.text("who", limit=200),
                                             what=form.text("done", limit=2000))
                message = "已记录上门服务"
            elif what == "agent":
                await errands.set_agent(staff, household_id, form.int("agent"))
                message = "已指定代办员"
            elif what == "errand":
                made = await errands.errand_for_household(staff, household_id, form.text("content", limit=2100))
                flash(request, f"已登记代办单 {made['code']}")
                return redirect(request, "demands:show", demand_id=made["id"])
            else:
                raise NotFoundException("没有这个操作")
        except DomainError as refusal:
            if _is_access(refusal):
                raise
            view = await errands.household_view(staff, household_id)
            return page(request, HOUSEHOLD, {**view, "form": {**form.as_dict(), "what": what},
                                             "error": str(refusal), "error_field": refusal.field}, status_code=422)
        flash(request, message)
        return redirect(request, "demands:household", household_id=household_id)

    @get("/proactive", name="demands:proactive", guards=[MANAGERS])
    async def proactive(self, request: Request, staff: Staff, month: FromQuery[str] = "") -> Response:
        return page(request, PROACTIVE, {**await errands.proactive_view(staff, month or None), "form": {}})

    @post("/proactive", name="demands:proactive_confirm", guards=[MANAGERS])
    async def proactive_confirm(self, request: Request, staff: Staff) -> Response:
        form = await FormData.read(request)
        month = form.text("month", limit=7)
        try:
            made = await errands.confirm_proactive(staff, form.texts("keys", limit=40), month,
                                                   assignee_id=form.int("assignee"))
        except DomainError as refusal:
            if _is_access(refusal):
                raise
            view = await errands.proactive_view(staff, month)
            return page(request, PROACTIVE, {**view, "form": form.as_dict(), "picked": form.texts("keys", limit=40),
                                              "error": str(refusal), "error_field": refusal.field}, status_code=422)
        flash(request, f"已生成代办单 {len(made)} 张" if made else "勾选的老人都已有代办单，没有新建")
        return redirect(request, "demands:proactive", month=month)
