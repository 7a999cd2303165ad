"""Rosters (/rosters): the manager's week grid with in-cell editing, leave, publishing, print; hours settings."""

from __future__ import annotations

from datetime import date, timedelta

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from center.domain import DomainError, NotFound
from center.domain.access import Area
from center.domain.calendar import DAY_KIND_LABELS
from center.domain.periods import day_param
from center.services import hours as hours_service
from center.services import rosters
from center.services.centers import visible_centers
from center.services.rosters import CellConflict, PublishNeedsConfirmation
from center.timeutil import local_today
from center.web.confirm import ask_first, confirmed
from center.web.forms import FormData, is_htmx
from center.web.guards import requires
from center.web.render import flash, page


def parse_day(raw: str | None, default: date | None = None) -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        if default is not None:
            return default
        raise rosters.RosterError("请填写有效日期（YYYY-MM-DD）") from None


async def center_for(request: Request, slug: str | None) -> dict:
    """The manager's own center; the admin picks one (the first by default)."""
    centers = await visible_centers(request.user)
    if not centers:
        raise NotFound("没有可管理的中心")
    if slug:
        chosen = next((c for c in centers if c["slug"] == slug), None)
        if chosen is None:
            raise NotFound("没有这个中心")
        return chosen
    return centers[0]


def week_url(week: date, slug: str, is_admin: bool) -> str:
    return f"/rosters?week={week.isoformat()}" + (f"&center={slug}" if is_admin else "")


class RostersController(Controller):
    path = "/rosters"
    guards = [requires(Area.rosters)]
    include_in_schema = False

    async def _grid(self, request: Request, center: dict, day: date, *, status_code: int = 200,
                    error: str | None = None, leave: dict | None = None) -> Response:
        """The week; `leave` is the leave form sent back with its errors (at the fields) and what was typed."""
        week = await rosters.week_view(request.user, center["id"], day)
        centers = await visible_centers(request.user) if request.user.is_admin else []
        return page(request, "rosters/index.html", {
            "week": week, "centers": centers, "error": error, "today": local_today(),
            "leave": leave or {"form": {}}, "field_errors": (leave or {}).get("field_errors"),
            "previous": week.monday - timedelta(weeks=1), "following": week.monday + timedelta(weeks=1),
            "week_url": lambda w: week_url(w, center["slug"], request.user.is_admin),
        }, status_code=status_code)

    @get("/", name="rosters:index")
    async def show_week(self, request: Request, week: FromQuery[str] = "", center: FromQuery[str] = "") -> Response:
        chosen = await center_for(request, center)
        return await self._grid(request, chosen, day_param(week, "周") or local_today())

    @get("/print", name="rosters:print")
    async def print_week(self, request: Request, week: FromQuery[str] = "", center: FromQuery[str] = "") -> Response:
        chosen = await center_for(request, center)
        view = await rosters.week_view(request.user, chosen["id"], day_param(week, "周") or local_today())
        return page(request, "rosters/print.html", {"week": view})

    # ---- the cell component: every verb answers with the cell (view or editor)

    async def _cell(self, request: Request, center: dict, shift_id: int, day: date, *, editing: bool,
                    status_code: int = 200, error: str | None = None, before: rosters.Week | None = None,
                    refresh: bool = False, asking: int | None = None) -> Response:
        """The cell (view or editor). After an edit (`refresh`), the same answer carries out-of-band swaps for
        every other cell of the week the edit changed (compared with `before`), the week's counts and the log
        of changes after publishing, so nothing on the page is left stale."""
        cell = await rosters.cell_view(request.user, center["id"], shift_id, day)
        context = {"cell": cell, "editing": editing, "error": error, "center": center,
                   "is_admin": request.user.is_admin, "asking": asking}
        if not is_htmx(request):
            return page(request, "rosters/cell.html", context, status_code=status_code)
        if refresh:
            after = await rosters.week_view(request.user, center["id"], day)
            context["updates"] = {"week": after, "cells": rosters.changed_cells(before, after, (shift_id, day))}
        return page(request, "rosters/_cell.html", context, status_code=status_code)

    @get("/cell", name="rosters:cell")
    async def show_cell(self, request: Request, shift: FromQuery[int], day: FromQuery[str], center: FromQuery[str] = "",
                        edit: FromQuery[bool] = False) -> Response:
        chosen = await center_for(request, center)
        return await self._cell(request, chosen, shift, day_param(day) or local_today(), editing=edit)

    async def _cell_change(self, request: Request, change) -> Response:
        form = await FormData.read(request)
        chosen = await center_for(request, form.text("center", limit=40))
        shift_id = form.int("shift") or 0
        day = parse_day(form.text("day", limit=20), local_today())
        before = await rosters.week_view(request.user, chosen["id"], day) if is_htmx(request) else None
        try:
            message = await change(form, chosen, shift_id, day)
        except CellConflict as exc:
            if is_htmx(request):
                return await self._cell(request, chosen, shift_id, day, editing=True, status_code=409, error=str(exc),
                                        refresh=True)
            flash(request, str(exc), "error")
            return Redirect(path=week_url(rosters.monday_of(day), chosen["slug"], request.user.is_admin))
        except DomainError as exc:
            if is_htmx(request):
                return await self._cell(request, chosen, shift_id, day, editing=True, status_code=422, error=str(exc))
            flash(request, str(exc), "error")
            return Redirect(path=week_url(rosters.monday_of(day), chosen["slug"], request.user.is_admin))
        if is_htmx(request):
            return await self._cell(request, chosen, shift_id, day, editing=True, before=before, refresh=True)
        flash(request, message)
        return Redirect(path=week_url(rosters.monday_of(day), chosen["slug"], request.user.is_admin))

    @post("/cell/assign", name="rosters:assign")
    async def assign_staff(self, request: Request) -> Response:
        async def change(form, center, shift_id, day):
            staff_id = form.int("staff")
            if staff_id is None:
                raise rosters.RosterError("请选择要安排的人员")
            await rosters.assign(request.user, center["id"], shift_id, day, staff_id, form.text("etag", limit=40))
            return "已安排"

        return await self._cell_change(request, change)

    @post("/cell/unassign", name="rosters:unassign")
    async def unassign_staff(self, request: Request) -> Response:
        form = await FormData.read(request)
        if not confirmed(form):  # the first press asks, in the cell (or on the cell's page without JavaScript)
            chosen = await center_for(request, form.text("center", limit=40))
            return await self._cell(request, chosen, form.int("shift") or 0,
                                    parse_day(form.text("day", limit=20), local_today()), editing=True,
                                    asking=form.int("staff"))

        async def change(form, center, shift_id, day):
            await rosters.unassign(request.user, center["id"], shift_id, day, form.int("staff") or 0,
                                   form.text("etag", limit=40))
            return "已撤下"

        return await self._cell_change(request, change)

    @post("/cell/swap", name="rosters:swap")
    async def swap_staff(self, request: Request) -> Response:
        async def change(form, center, shift_id, day):
            try:
                other_shift, other_day, other_staff = form.text("other", limit=60).split(":")
                other = (int(other_shift), date.fromisoformat(other_day), int(other_staff))
            except ValueError:
                raise rosters.RosterError("请选择要交换的班次") from None
            await rosters.swap(request.user, center["id"], (shift_id, day, form.int("staff") or 0), other,
                               etag=form.text("etag", limit=40))
            return "已交换"

        return await self._cell_change(request, change)

    # ---- week actions (plain forms)

    @post("/publish", name="rosters:publish")
    async def publish_week(self, request: Request) -> Response:
        """Publish the week; with conflicts, missing or surplus people, first a page that lists them and asks
        (a plain form: it works without JavaScript and from the keyboard)."""
        form = await FormData.read(request)
        chosen = await center_for(request, form.text("center", limit=40))
        day = parse_day(form.text("week", limit=20), local_today())
        monday = rosters.monday_of(day)
        confirmed = form.text("confirmed", limit=40) or None

        async def ask(warnings, fingerprint, again: bool) -> Response:
            week = await rosters.week_view(request.user, chosen["id"], monday)
            return page(request, "rosters/publish.html", {
                "week": week, "warnings": warnings, "fingerprint": fingerprint, "again": again,
                "is_admin": request.user.is_admin, "back": week_url(monday, chosen["slug"], request.user.is_admin),
            })

        if confirmed is None:  # the first press always asks, naming the week (a clean week too)
            week = await rosters.week_view(request.user, chosen["id"], monday)
            return await ask(week.warnings, week.fingerprint, False)
        try:
            await rosters.publish(request.user, chosen["id"], day, confirmed=confirmed)
        except PublishNeedsConfirmation as exc:
            return await ask(exc.warnings, exc.fingerprint, True)
        flash(request, "本周排班已发布，公共大屏和个人值班日历即时显示；发布后的修改将被记录并显示")
        return Redirect(path=week_url(rosters.monday_of(day), chosen["slug"], request.user.is_admin))

    @post("/rotate", name="rosters:rotate")
    async def rotate_week(self, request: Request) -> Response:
        form = await FormData.read(request)
        chosen = await center_for(request, form.text("center", limit=40))
        day = parse_day(form.text("week", limit=20), local_today())
        added = await rosters.fill_week(chosen["id"], rosters.monday_of(day), actor=request.user)
        flash(request, f"已自动补位 {added} 个班次" if added else "没有需要补位的空缺（或无可排人员）")
        return Redirect(path=week_url(rosters.monday_of(day), chosen["slug"], request.user.is_admin))

    @post("/leave", name="rosters:leave")
    async def mark_leave(self, request: Request) -> Response:
        form = await FormData.read(request)
        chosen = await center_for(request, form.text("center", limit=40))
        week = parse_day(form.text("week", limit=20), local_today())
        try:
            # Every wrong field told at once, at the field; what was typed stays in the form.
            errors = {}
            staff_id = form.int("staff")
            if staff_id is None:
                errors["staff"] = "请选择请假的人员"
            days = {}
            for name, label in (("start", "开始"), ("end", "结束")):
                try:
                    days[name] = parse_day(form.text(name, limit=20))
                except DomainError:
                    errors[name] = f"请填写有效的{label}日期（YYYY-MM-DD）"
            if errors:
                raise rosters.RosterError(errors=errors)
            removed = await rosters.add_leave(request.user, chosen["id"], staff_id, days["start"], days["end"],
                                              form.text("reason", limit=200))
        except DomainError as exc:
            return await self._grid(request, chosen, week, status_code=422, leave={
                "form": form.as_dict(), "error": str(exc), "error_field": exc.field, "field_errors": exc.errors})
        flash(request, f"已登记请假{f'，撤下 {removed} 个班次，请补位' if removed else ''}")
        return Redirect(path=week_url(rosters.monday_of(week), chosen["slug"], request.user.is_admin))

    @post("/swaps/{request_id:int}", name="rosters:decide_swap")
    async def decide_swap(self, request: Request, request_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        approve = form.text("decision") == "approve"
        try:
            await rosters.decide_swap(request.user, request_id, approve, form.text("note", limit=300))
            flash(request, "已同意调换，排班已更新" if approve else "已拒绝调换申请")
        except DomainError as exc:
            flash(request, str(exc), "error")
        return Redirect(path=f"/rosters?week={form.text('week', limit=20)}")

    # ---- shift types

    async def _shifts_page(self, request: Request, center: dict, *, error: str | None = None, form: dict | None = None,
                           status_code: int = 200) -> Response:
        view = await rosters.shift_types_view(request.user, center["id"])
        return page(request, "rosters/shifts.html", {**view, "center": center, "error": error, "form": form or {},
                                                     "is_admin": request.user.is_admin}, status_code=status_code)

    @get("/shifts", name="rosters:shifts")
    async def show_shifts(self, request: Request, center: FromQuery[str] = "") -> Response:
        return await self._shifts_page(request, await center_for(request, center))

    @post("/shifts", name="rosters:save_shift")
    async def save_shift(self, request: Request) -> Response:
        form = await FormData.read(request)
        chosen = await center_for(request, form.text("center", limit=40))
        try:
            await rosters.save_shift_type(
                request.user, chosen["id"], form.int("id"), name=form.text("name", limit=100),
                start=form.text("start", limit=10), end=form.text("end", limit=10),
                day_kinds=form.texts("day_kinds", 20), needed=form.int("needed"), eligible=form.ints("eligible"),
                active=form.text("active", "1") != "0")
        except DomainError as exc:
            return await self._shifts_page(request, chosen, error=str(exc), form=form.as_dict(), status_code=422)
        flash(request, "班次已保存；新的排班从“自动补位”或每周轮换起生效")
        return Redirect(path="/rosters/shifts" + (f"?center={chosen['slug']}" if request.user.is_admin else ""))

    # ---- hours and announcements

    @get("/hours", name="rosters:hours")
    async def show_hours(self, request: Request, center: FromQuery[str] = "") -> Response:
        chosen = await center_for(request, center)
        return page(request, "rosters/hours.html", {
            **await hours_service.settings_view(chosen["id"], local_today()), "center": chosen, "form": {},
            "is_admin": request.user.is_admin})

    @post("/hours", name="rosters:hours_change")
    async def change_hours(self, request: Request) -> Response:
        form = await FormData.read(request)
        chosen = await center_for(request, form.text("center", limit=40))
        op = form.text("op", limit=30)
        user = request.user
        back = "/rosters/hours" + (f"?center={chosen['slug']}" if user.is_admin else "")
        if op in ("remove_period", "remove_announcement") and not confirmed(form):
            return await self._ask_remove(request, form, chosen, op, back)
        try:
            if op == "add_period":
                await hours_service.add_period(user, chosen["id"], day_kind=form.text("day_kind"), start=form.text("start"),
                                               end=form.text("end"), kind=form.text("kind"),
                                               season=form.text("season", limit=60), label=form.text("label", limit=60))
            elif op == "remove_period":
                await hours_service.remove_period(user, chosen["id"], form.int("id") or 0)
            elif op == "exception":
                await hours_service.set_exception(user, chosen["id"], parse_day(form.text("day")), form.flag("closed"),
                                                  form.text("start"), form.text("end"), form.text("reason", limit=300))
            elif op == "announce":
                await hours_service.add_announcement(user, chosen["id"], form.text("text", limit=400),
                                                     parse_day(form.text("starts_on")), parse_day(form.text("ends_on")))
            elif op == "remove_announcement":
                await hours_service.remove_announcement(user, chosen["id"], form.int("id") or 0)
            else:
                raise hours_service.HoursError("不支持的操作")
        except DomainError as exc:
            return page(request, "rosters/hours.html", {
                **await hours_service.settings_view(chosen["id"], local_today()), "center": chosen, "error": str(exc),
                "form": form.as_dict(), "is_admin": user.is_admin}, status_code=422)
        flash(request, "已删除，公共大屏一分钟内更新" if op.startswith("remove_") else "已保存，公共大屏一分钟内更新")
        return Redirect(path=back)

    async def _ask_remove(self, request: Request, form: FormData, center: dict, op: str, back: str) -> Response:
        """删除 a period or an announcement asks first, naming it (the screen changes at once)."""
        view = await hours_service.settings_view(center["id"], local_today())
        wanted = form.int("id")
        if op == "remove_period":
            row = next((p for p in view["periods"] if p["id"] == wanted), None)
            if row is None:
                raise NotFound("没有这个时段")
            what = (f"{row['season'] or '全年'} · {DAY_KIND_LABELS.get(row['day_kind'], row['day_kind'])} "
                    f"{row['start'].strftime('%H:%M')}–{row['end'].strftime('%H:%M')}"
                    f"{' · ' + row['label'] if row['label'] else ''}")
            question, lines = f"删除服务时段 {what}？", ["删除后，公共大屏和服务时间接口不再显示这个时段；删除不能撤销。"]
        else:
            row = next((a for a in view["announcements"] if a["id"] == wanted), None)
            if row is None:
                raise NotFound("没有这条公告")
            question = "删除这条大屏公告？"
            lines = [f"{row['starts_on'].isoformat()} ～ {row['ends_on'].isoformat()}：{row['text']}",
                     "删除后公共大屏一分钟内不再显示；删除不能撤销。"]
        return ask_first(request, form, question=question, lines=lines, action="/rosters/hours", back=back,
                         confirm_label="确认删除")
