"""Rosters (/rosters): the manager's week grid with in-cell editing, leave, publishing, print; hours settings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Awaitable, Callable

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery

from center.domain import DomainError, NotFound
from center.domain.access import Area
from center.domain.calendar import DAY_KIND_LABELS
from center.domain.periods import day_param, monday_of
from center.services import hours as hours_service
from center.services.centers import visible_centers
from center.services.identity import CurrentUser
from center.services.rosters.common import RosterError
from center.services.rosters.edits import assign, cell_view, unassign
from center.services.rosters.grid import CellConflict, Week, changed_cells, week_view
from center.services.rosters.leave import add_leave
from center.services.rosters.publishing import PublishNeedsConfirmation, confirmation, publish
from center.services.rosters.rotation import fill_week
from center.services.rosters.shift_types import save_shift_type, shift_types_view
from center.services.rosters.swaps import decide_swap, swap, swap_requests
from center.timeutil import local_today
from center.web.confirm import ask_first, confirmed
from center.web.deps import STAFF, Center, Staff, provide_center
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import redirect, url
from center.web.render import flash, fragment, page


def parse_day(raw: str | None, default: date | None = None) -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        if default is not None:
            return default
        raise RosterError("请填写有效日期（YYYY-MM-DD）") from None


async def provide_roster_center(request: Request) -> dict:
    """The center the roster page is about (center.web.deps.provide_center): `?center=` on a page, and on a post
    the form's `center` field too (the admin's forms carry it as a hidden field)."""
    slug = request.query_params.get("center", "")
    if not slug and request.method == "POST":
        slug = str((await request.form()).get("center") or "")[:40]
    return await provide_center(request, slug)


def center_query(staff: CurrentUser, center: dict) -> str | None:
    """The `center=` of roster addresses: only an admin names it (a manager has one center)."""
    return center["slug"] if staff.is_admin else None


def _cell_targeted(request: Request, shift_id: int, day: date) -> bool:
    """htmx asked for the cell component itself (its <td> is the target), not a page."""
    return fragment(request) == f"cell_{shift_id}_{day.isoformat()}".replace("-", "_")


CellChange = Callable[[FormData, dict, int, date], Awaitable[str]]


class RostersController(Controller):
    path = "/rosters"
    guards = [requires(Area.rosters)]
    dependencies = {"staff": STAFF, "center": Provide(provide_roster_center)}
    include_in_schema = False

    async def _grid(self, request: Request, staff: CurrentUser, center: dict, day: date, *, status_code: int = 200,
                    error: str | None = None, leave: dict | None = None) -> Response:
        """The week; `leave` is the leave form sent back with its errors (at the fields) and what was typed."""
        week = await week_view(staff, center["id"], day)
        centers = await visible_centers(staff) if staff.is_admin else []
        return page(request, "rosters/index.html", {
            "week": week, "swaps": await swap_requests(center["id"], status="pending"), "centers": centers,
            "error": error, "today": local_today(), "center_query": center_query(staff, center),
            "leave": leave or {"form": {}}, "field_errors": (leave or {}).get("field_errors"),
            "previous": week.monday - timedelta(weeks=1), "following": week.monday + timedelta(weeks=1),
        }, status_code=status_code)

    def _back_to_week(self, request: Request, staff: CurrentUser, center: dict, day: date) -> Response:
        return redirect(request, "rosters:index", week=monday_of(day), center=center_query(staff, center))

    @get("/", name="rosters:index")
    async def show_week(self, request: Request, staff: Staff, center: Center, week: FromQuery[str] = "") -> Response:
        return await self._grid(request, staff, center, day_param(week, "周") or local_today())

    @get("/print", name="rosters:print")
    async def print_week(self, request: Request, staff: Staff, center: Center, week: FromQuery[str] = "") -> Response:
        view = await week_view(staff, center["id"], day_param(week, "周") or local_today())
        return page(request, "rosters/print.html", {"week": view, "center_query": center_query(staff, center)})

    # ---- the cell component: every verb answers with the cell (view or editor)

    async def _cell(self, request: Request, staff: CurrentUser, center: dict, shift_id: int, day: date, *,
                    editing: bool, status_code: int = 200, error: str | None = None, before: Week | None = None,
                    refresh: bool = False, asking: int | None = None) -> Response:
        """The cell (view or editor). After an edit (`refresh`), the same answer carries out-of-band swaps for
        every other cell of the week the edit changed (compared with `before`), the week's counts and the log
        of changes after publishing, so nothing on the page is left stale."""
        cell = await cell_view(staff, center["id"], shift_id, day)
        context = {"cell": cell, "editing": editing, "error": error, "center": center,
                   "center_query": center_query(staff, center), "asking": asking}
        if not _cell_targeted(request, shift_id, day):
            return page(request, "rosters/cell.html", context, status_code=status_code)
        if refresh:
            after = await week_view(staff, center["id"], day)
            context["updates"] = {"week": after, "cells": changed_cells(before, after, (shift_id, day))}
        return page(request, "rosters/_cell.html", context, status_code=status_code)

    @get("/cell", name="rosters:cell")
    async def show_cell(self, request: Request, staff: Staff, center: Center, shift: FromQuery[int],
                        day: FromQuery[str], edit: FromQuery[bool] = False) -> Response:
        return await self._cell(request, staff, center, shift, day_param(day) or local_today(), editing=edit)

    async def _cell_change(self, request: Request, staff: CurrentUser, center: dict, change: CellChange) -> Response:
        """One edit of a cell: htmx gets the cell back (409 and the fresh cell when another manager saved first,
        422 with the message otherwise); a plain form post goes back to the week with the message."""
        form = await FormData.read(request)
        shift_id = form.int("shift") or 0
        day = parse_day(form.text("day", limit=20), local_today())
        in_place = _cell_targeted(request, shift_id, day)
        before = await week_view(staff, center["id"], day) if in_place else None
        try:
            message = await change(form, center, shift_id, day)
        except CellConflict as exc:
            if in_place:
                return await self._cell(request, staff, center, shift_id, day, editing=True, status_code=409,
                                        error=str(exc), refresh=True)
            flash(request, str(exc), "error")
            return self._back_to_week(request, staff, center, day)
        except DomainError as exc:
            if in_place:
                return await self._cell(request, staff, center, shift_id, day, editing=True, status_code=422,
                                        error=str(exc))
            flash(request, str(exc), "error")
            return self._back_to_week(request, staff, center, day)
        if in_place:
            return await self._cell(request, staff, center, shift_id, day, editing=True, before=before, refresh=True)
        flash(request, message)
        return self._back_to_week(request, staff, center, day)

    @post("/cell/assign", name="rosters:assign")
    async def assign_staff(self, request: Request, staff: Staff, center: Center) -> Response:
        async def change(form: FormData, center: dict, shift_id: int, day: date) -> str:
            staff_id = form.int("staff")
            if staff_id is None:
                raise RosterError("请选择要安排的人员")
            await assign(staff, center["id"], shift_id, day, staff_id, form.text("etag", limit=40))
            return "已安排"

        return await self._cell_change(request, staff, center, change)

    @post("/cell/unassign", name="rosters:unassign")
    async def unassign_staff(self, request: Request, staff: Staff, center: Center) -> Response:
        form = await FormData.read(request)
        if not confirmed(form):  # the first press asks, in the cell (or on the cell's page without JavaScript)
            return await self._cell(request, staff, center, form.int("shift") or 0,
                                    parse_day(form.text("day", limit=20), local_today()), editing=True,
                                    asking=form.int("staff"))

        async def change(form: FormData, center: dict, shift_id: int, day: date) -> str:
            await unassign(staff, center["id"], shift_id, day, form.int("staff") or 0, form.text("etag", limit=40))
            return "已撤下"

        return await self._cell_change(request, staff, center, change)

    @post("/cell/swap", name="rosters:swap")
    async def swap_staff(self, request: Request, staff: Staff, center: Center) -> Response:
        async def change(form: FormData, center: dict, shift_id: int, day: date) -> str:
            try:
                other_shift, other_day, other_staff = form.text("other", limit=60).split(":")
                other = (int(other_shift), date.fromisoformat(other_day), int(other_staff))
            except ValueError:
                raise RosterError("请选择要交换的班次") from None
            await swap(staff, center["id"], (shift_id, day, form.int("staff") or 0), other,
                       etag=form.text("etag", limit=40))
            return "已交换"

        return await self._cell_change(request, staff, center, change)

    # ---- week actions (plain forms)

    @post("/publish", name="rosters:publish")
    async def publish_week(self, request: Request, staff: Staff, center: Center) -> Response:
        """Publish the week; with conflicts, missing or surplus people, first a page that lists them and asks
        (a plain form: it works without JavaScript and from the keyboard)."""
        form = await FormData.read(request)
        day = parse_day(form.text("week", limit=20), local_today())
        monday = monday_of(day)
        fingerprint = form.text("confirmed", limit=40) or None

        async def ask(warnings, fingerprint, again: bool) -> Response:
            week = await confirmation(staff, center["id"], monday)
            return page(request, "rosters/publish.html", {
                "week": week, "warnings": warnings, "fingerprint": fingerprint, "again": again,
                "center_query": center_query(staff, center),
                "back": url(request, "rosters:index", week=monday, center=center_query(staff, center)),
            })

        if fingerprint is None:  # the first press always asks, naming the week (a clean week too)
            week = await confirmation(staff, center["id"], monday)
            return await ask(week.warnings, week.fingerprint, False)
        try:
            await publish(staff, center["id"], day, confirmed=fingerprint)
        except PublishNeedsConfirmation as exc:
            return await ask(exc.warnings, exc.fingerprint, True)
        flash(request, "本周排班已发布，公共大屏和个人值班日历即时显示；发布后的修改将被记录并显示")
        return self._back_to_week(request, staff, center, day)

    @post("/rotate", name="rosters:rotate")
    async def rotate_week(self, request: Request, staff: Staff, center: Center) -> Response:
        form = await FormData.read(request)
        day = parse_day(form.text("week", limit=20), local_today())
        added = await fill_week(center["id"], monday_of(day), actor=staff)
        flash(request, f"已自动补位 {added} 个班次" if added else "没有需要补位的空缺（或无可排人员）")
        return self._back_to_week(request, staff, center, day)

    @post("/leave", name="rosters:leave")
    async def mark_leave(self, request: Request, staff: Staff, center: Center) -> Response:
        form = await FormData.read(request)
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
                raise RosterError(errors=errors)
            removed = await add_leave(staff, center["id"], staff_id, days["start"], days["end"],
                                      form.text("reason", limit=200))
        except DomainError as exc:
            return await self._grid(request, staff, center, week, status_code=422, leave={
                "form": form.as_dict(), "error": str(exc), "error_field": exc.field, "field_errors": exc.errors})
        flash(request, f"已登记请假{f'，撤下 {removed} 个班次，请补位' if removed else ''}")
        return self._back_to_week(request, staff, center, week)

    @post("/swaps/{request_id:int}", name="rosters:decide_swap")
    async def decide_swap_request(self, request: Request, staff: Staff, request_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        approve = form.text("decision") == "approve"
        try:
            await decide_swap(staff, request_id, approve, form.text("note", limit=300))
            flash(request, "已同意调换，排班已更新" if approve else "已拒绝调换申请")
        except DomainError as exc:
            flash(request, str(exc), "error")
        return redirect(request, "rosters:index", week=form.text("week", limit=20))

    # ---- shift types

    async def _shifts_page(self, request: Request, staff: CurrentUser, center: dict, *, error: str | None = None,
                           form: dict | None = None, status_code: int = 200) -> Response:
        view = await shift_types_view(staff, center["id"])
        return page(request, "rosters/shifts.html", {**view, "center": center, "error": error, "form": form or {},
                                                     "center_query": center_query(staff, center)},
                    status_code=status_code)

    @get("/shifts", name="rosters:shifts")
    async def show_shifts(self, request: Request, staff: Staff, center: Center) -> Response:
        return await self._shifts_page(request, staff, center)

    @post("/shifts", name="rosters:save_shift")
    async def save_shift(self, request: Request, staff: Staff, center: Center) -> Response:
        form = await FormData.read(request)
        try:
            await save_shift_type(
                staff, center["id"], form.int("id"), name=form.text("name", limit=100),
                start=form.text("start", limit=10), end=form.text("end", limit=10),
                day_kinds=form.texts("day_kinds", 20), needed=form.int("needed"), eligible=form.ints("eligible"),
                active=form.text("active", "1") != "0")
        except DomainError as exc:
            return await self._shifts_page(request, staff, center, error=str(exc), form=form.as_dict(),
                                           status_code=422)
        flash(request, "班次已保存；新的排班从“自动补位”或每周轮换起生效")
        return redirect(request, "rosters:shifts", center=center_query(staff, center))

    # ---- hours and announcements: one post per operation, each back to the settings page

    async def _hours_page(self, request: Request, staff: CurrentUser, center: dict, *, error: str | None = None,
                          form: dict | None = None, status_code: int = 200) -> Response:
        return page(request, "rosters/hours.html", {
            **await hours_service.settings_view(center["id"], local_today()), "center": center, "error": error,
            "form": form or {}, "center_query": center_query(staff, center)}, status_code=status_code)

    async def _hours_change(self, request: Request, staff: CurrentUser, center: dict, form: FormData,
                            change: Callable[[], Awaitable[object]], done: str) -> Response:
        """Save one change of the hours; a refusal re-renders the page (422) with the message and what was typed."""
        try:
            await change()
        except DomainError as exc:
            return await self._hours_page(request, staff, center, error=str(exc), form=form.as_dict(),
                                          status_code=422)
        flash(request, done)
        return redirect(request, "rosters:hours", center=center_query(staff, center))

    @get("/hours", name="rosters:hours")
    async def show_hours(self, request: Request, staff: Staff, center: Center) -> Response:
        return await self._hours_page(request, staff, center)

    @post("/hours/periods", name="rosters:add_period")
    async def add_period(self, request: Request, staff: Staff, center: Center) -> Response:
        form = await FormData.read(request)
        return await self._hours_change(request, staff, center, form, lambda: hours_service.add_period(
            staff, center["id"], day_kind=form.text("day_kind"), start=form.text("start"), end=form.text("end"),
            kind=form.text("kind"), season=form.text("season", limit=60), label=form.text("label", limit=60)),
            "已保存，公共大屏一分钟内更新")

    @post("/hours/periods/{period_id:int}/remove", name="rosters:remove_period")
    async def remove_period(self, request: Request, staff: Staff, center: Center,
                            period_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        if not confirmed(form):
            return await self._ask_remove(request, staff, center, form, "rosters:remove_period", period_id)
        return await self._hours_change(request, staff, center, form, lambda: hours_service.remove_period(
            staff, center["id"], period_id), "已删除，公共大屏一分钟内更新")

    @post("/hours/exceptions", name="rosters:set_exception")
    async def set_exception(self, request: Request, staff: Staff, center: Center) -> Response:
        form = await FormData.read(request)
        return await self._hours_change(request, staff, center, form, lambda: hours_service.set_exception(
            staff, center["id"], parse_day(form.text("day")), form.flag("closed"), form.text("start"),
            form.text("end"), form.text("reason", limit=300)), "已保存，公共大屏一分钟内更新")

    @post("/hours/announcements", name="rosters:announce")
    async def announce(self, request: Request, staff: Staff, center: Center) -> Response:
        form = await FormData.read(request)
        return await self._hours_change(request, staff, center, form, lambda: hours_service.add_announcement(
            staff, center["id"], form.text("text", limit=400), parse_day(form.text("starts_on")),
            parse_day(form.text("ends_on"))), "已保存，公共大屏一分钟内更新")

    @post("/hours/announcements/{announcement_id:int}/remove", name="rosters:remove_announcement")
    async def remove_announcement(self, request: Request, staff: Staff, center: Center,
                                  announcement_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        if not confirmed(form):
            return await self._ask_remove(request, staff, center, form, "rosters:remove_announcement",
                                          announcement_id)
        return await self._hours_change(request, staff, center, form, lambda: hours_service.remove_announcement(
            staff, center["id"], announcement_id), "已删除，公共大屏一分钟内更新")

    async def _ask_remove(self, request: Request, staff: CurrentUser, center: dict, form: FormData, route: str,
                          wanted: int) -> Response:
        """删除 a period or an announcement asks first, naming it (the screen changes at once)."""
        view = await hours_service.settings_view(center["id"], local_today())
        if route == "rosters:remove_period":
            row = next((p for p in view["periods"] if p["id"] == wanted), None)
            if row is None:
                raise NotFound("没有这个时段")
            what = (f"{row['season'] or '全年'} · {DAY_KIND_LABELS.get(row['day_kind'], row['day_kind'])} "
                    f"{row['start'].strftime('%H:%M')}–{row['end'].strftime('%H:%M')}"
                    f"{' · ' + row['label'] if row['label'] else ''}")
            question, lines = f"删除服务时段 {what}？", ["删除后，公共大屏和服务时间接口不再显示这个时段；删除不能撤销。"]
            action = url(request, route, period_id=wanted)
        else:
            row = next((a for a in view["announcements"] if a["id"] == wanted), None)
            if row is None:
                raise NotFound("没有这条公告")
            question = "删除这条大屏公告？"
            lines = [f"{row['starts_on'].isoformat()} ～ {row['ends_on'].isoformat()}：{row['text']}",
                     "删除后公共大屏一分钟内不再显示；删除不能撤销。"]
            action = url(request, route, announcement_id=wanted)
        return ask_first(request, form, question=question, lines=lines, action=action,
                         back=url(request, "rosters:hours", center=center_query(staff, center)),
                         confirm_label="确认删除")
