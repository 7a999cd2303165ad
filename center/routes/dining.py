"""The canteen desk (/dining), seniors, the manager's month view with close and Excel, terminals, policy."""

from __future__ import annotations

import secrets
from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from center.domain import AccessDenied, DomainError
from center.domain.access import Area, Role
from center.domain.money import parse_yuan
from center.services import dining, dining_export
from center.timeutil import local_now, local_today
from center.web.forms import FormData, is_htmx
from center.web.guards import requires
from center.web.render import flash, page

DESK = "dining/desk.html"


def default_kind(hour: int) -> str:
    """The meal kind by time of day: breakfast before 10:00, lunch before 15:00, else dinner."""
    return "breakfast" if hour < 10 else "lunch" if hour < 15 else "dinner"


def _manager_only(request: Request) -> None:
    if request.user.role not in (Role.manager, Role.admin):
        raise PermissionDeniedException("只有中心负责人可以进行此操作")


async def _canteen(request: Request, canteen_id: int | None) -> dict:
    choices = await dining.canteens_for(request.user)
    if not choices:
        raise PermissionDeniedException("没有可用的助餐点")
    if canteen_id is not None:
        found = next((c for c in choices if c["id"] == canteen_id), None)
        if found is None:
            raise PermissionDeniedException("只能使用本中心的助餐点")
        return found
    return choices[0]


class DiningController(Controller):
    path = "/dining"
    guards = [requires(Area.dining)]
    include_in_schema = False

    async def _desk(self, request: Request, canteen: dict, card: str = "", *, result=None, error: str | None = None,
                    form: dict | None = None, status_code: int = 200) -> Response:
        senior = figures = None
        lookup_error = None
        if card:
            try:
                senior = await dining.senior_by_card(card)
                figures = await dining.allowance_figures(senior["id"], local_today().year)
                senior["age"] = dining.age_on(senior["birth_date"], local_today())
                senior["eligible"] = senior["age"] >= 65
            except DomainError as exc:
                lookup_error = str(exc)
        now = local_now()
        kind = (form or {}).get("kind") or default_kind(now.hour)
        return page(request, DESK, {
            "canteen": canteen, "canteens": await dining.canteens_for(request.user), "card": card, "senior": senior,
            "figures": figures, "lookup_error": lookup_error, "result": result, "error": error, "kind": kind,
            "price": (form or {}).get("price") or f"{canteen[f'{kind}_fen'] / 100:.2f}",
            "kinds": dining.MEAL_KINDS, "key": secrets.token_urlsafe(16),
            "today_meals": await dining.meals_of_day(canteen["id"], local_today()),
        }, status_code=status_code)

    @get("/", name="dining:desk")
    async def show_desk(self, request: Request, card: FromQuery[str] = "", canteen: FromQuery[int | None] = None) -> Response:
        try:
            chosen = await _canteen(request, canteen)
        except (AccessDenied, PermissionDeniedException) as exc:
            if canteen is not None:
                raise
            # An operator not yet bound to a canteen lands here after login: say what to do, not 403.
            return page(request, "dining/unbound.html", {"message": str(exc.detail if hasattr(exc, "detail") else exc)})
        return await self._desk(request, chosen, card.strip()[:20])

    @post("/meals", name="dining:record")
    async def record_meal(self, request: Request) -> Response:
        form = await FormData.read(request)
        canteen = await _canteen(request, form.int("canteen"))
        card = form.text("card", limit=20).strip().upper()
        try:
            price_fen = parse_yuan(form.text("price", limit=20))
            result = await dining.record_meal(canteen["id"], card_no=card, kind=form.text("kind", limit=20),
                                              price_fen=price_fen, eaten_at=None, key=form.text("key", limit=120),
                                              operator_id=request.user.id)
        except DomainError as exc:
            return await self._desk(request, canteen, card, error=str(exc), form=form.as_dict(), status_code=422)
        if is_htmx(request):
            return await self._desk(request, canteen, card, result=result)
        flash(request, f"已记录：补贴 {result.subsidy_fen / 100:.2f} 元，自付 {result.paid_fen / 100:.2f} 元，"
                       f"余额 {result.balance_fen / 100:.2f} 元")
        return Redirect(path=f"/dining?card={card}&canteen={canteen['id']}")

    @post("/meals/{meal_id:int}/void", name="dining:void")
    async def void_meal(self, request: Request, meal_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        canteen = await _canteen(request, form.int("canteen"))
        try:
            balance = await dining.void_meal(canteen["id"], meal_id, today=local_today(), actor_id=request.user.id)
            flash(request, f"已撤销，余额恢复为 {balance / 100:.2f} 元")
        except DomainError as exc:
            flash(request, str(exc), "error")
        return Redirect(path=f"/dining?canteen={canteen['id']}&card={form.text('card', limit=20)}")

    # ---- seniors

    @get("/seniors", name="dining:seniors")
    async def list_seniors(self, request: Request, q: FromQuery[str] = "") -> Response:
        return page(request, "dining/seniors.html", {"seniors": await dining.seniors_list(request.user, q), "q": q[:40],
                                                     "centers": await dining.centers(), "form": {}})

    @post("/seniors", name="dining:add_senior")
    async def add_senior(self, request: Request) -> Response:
        _manager_only(request)
        form = await FormData.read(request)
        try:
            try:
                birth = date.fromisoformat(form.text("birth_date", limit=20))
            except ValueError:
                raise dining.LedgerError("请填写有效的出生日期（YYYY-MM-DD）") from None
            senior_id = await dining.add_senior(
                request.user, name=form.text("name", limit=80), id_number=form.text("id_number", limit=40),
                birth_date=birth, center_id=form.int("center") or request.user.center_id or 0,
                community=form.text("community", limit=100), phone=form.text("phone", limit=40),
                card_no=form.text("card_no", limit=40))
        except DomainError as exc:
            return page(request, "dining/seniors.html", {
                "seniors": await dining.seniors_list(request.user), "q": "", "centers": await dining.centers(),
                "error": str(exc), "form": form.as_dict()}, status_code=422)
        flash(request, "已登记")
        return Redirect(path=f"/dining/seniors/{senior_id}")

    @get("/seniors/{senior_id:int}", name="dining:senior")
    async def show_senior(self, request: Request, senior_id: FromPath[int], year: FromQuery[int | None] = None) -> Response:
        view = await dining.senior_view(request.user, senior_id, year or local_today().year)
        return page(request, "dining/senior.html", view)

    @get("/seniors/{senior_id:int}/statement", name="dining:statement")
    async def print_statement(self, request: Request, senior_id: FromPath[int], year: FromQuery[int | None] = None,
                              month: FromQuery[int | None] = None) -> Response:
        view = await dining.senior_view(request.user, senior_id, year or local_today().year)
        if month:
            view["history"] = [h for h in view["history"] if h["book_date"].month == month]
        return page(request, "dining/statement.html", {**view, "month": month})

    # ---- the manager's month

    @get("/months", name="dining:months")
    async def show_month(self, request: Request, month: FromQuery[str] = "", canteen: FromQuery[int | None] = None) -> Response:
        _manager_only(request)
        chosen = dining.month_of(month, local_today())
        view = await dining.month_view(request.user, canteen, chosen)
        return page(request, "dining/months.html", {**view, "today": local_today()})

    @post("/months/close", name="dining:close_month")
    async def close_month(self, request: Request) -> Response:
        _manager_only(request)
        form = await FormData.read(request)
        chosen = dining.month_of(form.text("month", limit=10), local_today())
        try:
            await dining.close_month(request.user, chosen, local_today())
            flash(request, f"{chosen.year} 年 {chosen.month} 月已结账")
        except DomainError as exc:
            flash(request, str(exc), "error")
        return Redirect(path=f"/dining/months?month={chosen.strftime('%Y-%m')}")

    @get("/months/export.xlsx", name="dining:export")
    async def export_month(self, request: Request, month: FromQuery[str] = "", canteen: FromQuery[int | None] = None) -> Response:
        _manager_only(request)
        chosen = dining.month_of(month, local_today())
        content = await dining_export.month_xlsx(request.user, canteen, chosen)
        return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="dining-{chosen:%Y-%m}.xlsx"',
                                 "Cache-Control": "no-store"})

    # ---- terminals and policy

    @get("/devices", name="dining:devices")
    async def show_devices(self, request: Request) -> Response:
        _manager_only(request)
        return page(request, "dining/devices.html", {**await dining.devices_view(request.user), "token": None})

    @post("/devices", name="dining:create_device")
    async def create_device(self, request: Request) -> Response:
        _manager_only(request)
        form = await FormData.read(request)
        try:
            token = await dining.create_device(request.user, form.int("canteen") or 0, form.text("name", limit=100))
        except DomainError as exc:
            return page(request, "dining/devices.html", {**await dining.devices_view(request.user), "token": None,
                                                         "error": str(exc)}, status_code=422)
        # Shown once: only its hash is stored.
        return page(request, "dining/devices.html", {**await dining.devices_view(request.user), "token": token},
                    headers={"Cache-Control": "no-store"})

    @post("/devices/{device_id:int}/revoke", name="dining:revoke_device")
    async def revoke_device(self, request: Request, device_id: FromPath[int]) -> Response:
        _manager_only(request)
        await dining.revoke_device(request.user, device_id)
        flash(request, "终端已吊销，其令牌立即失效")
        return Redirect(path="/dining/devices")

    @get("/policy", name="dining:policy")
    async def show_policy(self, request: Request, year: FromQuery[int | None] = None) -> Response:
        _manager_only(request)
        chosen = year or local_today().year
        return page(request, "dining/policy.html", {"policy": await dining.policy_for(chosen), "year": chosen})

    @post("/policy", name="dining:set_policy")
    async def set_policy(self, request: Request) -> Response:
        if request.user.role != Role.admin:
            raise PermissionDeniedException("补贴政策由区级管理员设置")
        form = await FormData.read(request)
        year = form.int("year") or local_today().year
        try:
            annual = parse_yuan(form.text("annual", limit=20), maximum_fen=10_000_000)
            cap_text = form.text("cap", limit=20).strip()
            cap = parse_yuan(cap_text) if cap_text else None
            await dining.set_policy(request.user, year, annual, cap, form.text("year_end", limit=20),
                                    form.text("birthday_rule", limit=20))
        except DomainError as exc:
            return page(request, "dining/policy.html", {"policy": await dining.policy_for(year), "year": year,
                                                        "error": str(exc)}, status_code=422)
        flash(request, f"{year} 年补贴政策已保存")
        return Redirect(path=f"/dining/policy?year={year}")
