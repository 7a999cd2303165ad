"""The canteen desk (/dining), seniors, the manager's month view with close and Excel, terminals, policy."""

from __future__ import annotations

import secrets
from datetime import date
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from center.domain import AccessDenied, DomainError
from center.domain.access import Area, Role
from center.domain.ledger import age_on, eligible_on
from center.domain.meals import (VOID_REASONS, Menu, RepeatMeal, default_kind, parse_kind, price_to_post, unusual_price,
                                 void_reason)
from center.domain.money import parse_yuan, yuan
from center.domain.periods import month_number_param, month_param, year_param
from center.services import dining, dining_export
from center.services.dining import MEAL_KINDS
from center.timeutil import fmt_local, local_now, local_today
from center.web.confirm import ask_first, confirmed
from center.web.downloads import xlsx_response
from center.web.forms import FormData, is_htmx, optional_int
from center.web.guards import requires
from center.web.render import flash, page

DESK = "dining/desk.html"
MONTHS = "dining/months.html"
NEW_TOKEN_KEY = "_new_terminal_token"


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


def _menu(canteen: dict) -> Menu:
    return Menu(canteen["breakfast_fen"], canteen["lunch_fen"], canteen["dinner_fen"])


def _desk_url(canteen: dict, **params) -> str:
    query = urlencode({"canteen": canteen["id"], **{k: v for k, v in params.items() if v}})
    return f"/dining?{query}"


def _month_url(month: date, canteen_id: int | None) -> str:
    query = {"month": month.strftime("%Y-%m")}
    if canteen_id is not None:
        query["canteen"] = str(canteen_id)
    return f"/dining/months?{urlencode(query)}"


# The seniors a canteen operator looked up at the desk in this session: the only account pages the operator may
# open (issue #11, finding 4), as the desk links to them; ids typed into the address open nothing else.
DESK_SENIORS_KEY = "desk_seniors"
DESK_SENIORS_KEPT = 50


def _remember_desk_senior(request: Request, senior_id: int) -> None:
    if request.user.role != Role.canteen:
        return
    seen = [i for i in request.session.get(DESK_SENIORS_KEY, []) if i != senior_id]
    request.session[DESK_SENIORS_KEY] = [*seen, senior_id][-DESK_SENIORS_KEPT:]


def _desk_seniors(request: Request) -> list[int]:
    return list(request.session.get(DESK_SENIORS_KEY, [])) if request.user.role == Role.canteen else []


def _close_names(plan) -> str:
    names = "、".join(c["name"] for c in plan.canteens)
    return f"全区 {len(plan.canteens)} 个助餐点（{names}）" if plan.district else names


class DiningController(Controller):
    path = "/dining"
    guards = [requires(Area.dining)]
    include_in_schema = False

    async def _desk(self, request: Request, canteen: dict, card: str = "", *, result: dict | None = None,
                    error: str | None = None, form: dict | None = None, repeat: str | None = None,
                    void: dict | None = None, void_error: str | None = None, notice: str | None = None,
                    error_field: str | None = None, price_question: str | None = None,
                    status_code: int = 200, headers: dict | None = None) -> Response:
        """The desk: the card box, the senior with the meal form (or the question a press raised), the result
        of the last meal, today's meals. `form` is what the operator typed, kept on every answer."""
        form = form or {}
        today = local_today()
        senior = figures = None
        lookup_error = None
        eaten_today: list[dict] = []
        if card and void is None:
            try:
                senior = await dining.senior_by_card(card)
                _remember_desk_senior(request, senior["id"])
                figures = await dining.allowance_figures(senior["id"], today.year)
                senior["age"] = age_on(senior["birth_date"], today)
                senior["eligible"] = eligible_on(senior["birth_date"], today)
            except DomainError as exc:
                lookup_error = str(exc)
        menu = _menu(canteen)
        kind = form.get("kind") if form.get("kind") in MEAL_KINDS else default_kind(local_now().time()).value
        price_kind = form.get("price_kind") if form.get("price_kind") in MEAL_KINDS else kind
        today_meals = await dining.meals_of_day(canteen["id"], today)
        if senior is not None:
            eaten_today = [m for m in today_meals if m["card_no"] == senior["card_no"] and not m["voided"]]
        return page(request, DESK, {
            "canteen": canteen, "canteens": await dining.canteens_for(request.user), "card": card, "senior": senior,
            "figures": figures, "lookup_error": lookup_error, "result": result, "error": error, "kind": kind,
            # A wrong price stays as typed (even empty) beside its message; otherwise the menu price fills it.
            "price": form.get("price", "") if error_field == "price" else form.get("price") or yuan(menu.price(price_kind)),
            "price_kind": price_kind,
            "kinds": [{"kind": k.value, "label": label, "price_fen": menu.price(k)} for k, label in MEAL_KINDS.items()],
            "key": form.get("key") or secrets.token_urlsafe(16), "today_meals": today_meals,
            "eaten_today": eaten_today, "repeat": repeat, "void": void, "void_error": void_error,
            "void_reasons": VOID_REASONS, "form": form, "notice": notice, "error_field": error_field,
            "price_question": price_question,
            # The card box has the focus unless the desk asks a question (再记一餐, 撤销, an unusual price) or
            # the price field was wrong.
            "asking": bool(repeat or void or price_question or error_field),
        }, status_code=status_code, headers=headers)

    @get("/", name="dining:desk")
    async def show_desk(self, request: Request, card: FromQuery[str] = "", canteen: FromQuery[str] = "",
                        meal: FromQuery[str] = "") -> Response:
        canteen, meal = optional_int(canteen), optional_int(meal)
        try:
            chosen = await _canteen(request, canteen)
        except (AccessDenied, PermissionDeniedException) as exc:
            if canteen is not None:
                raise
            # An operator not yet bound to a canteen lands here after login: say what to do, not 403.
            return page(request, "dining/unbound.html", {"message": str(exc.detail if hasattr(exc, "detail") else exc)})
        result = None
        if meal is not None:  # after a plain form post: the meal just recorded, shown large
            try:
                result = await dining.meal_at_desk(chosen["id"], meal)
            except DomainError:
                result = None
        return await self._desk(request, chosen, card.strip()[:20], result=result)

    @post("/meals", name="dining:record")
    async def record_meal(self, request: Request) -> Response:
        form = await FormData.read(request)
        canteen = await _canteen(request, form.int("canteen"))
        card = form.text("card", limit=20).strip().upper()
        typed = form.as_dict()
        try:
            kind = parse_kind(form.text("kind", limit=20))
            try:
                typed_fen = parse_yuan(form.text("price", limit=20), maximum_fen=100_000, label="餐费")
            except DomainError as exc:
                return await self._desk(request, canteen, card, error=str(exc), error_field="price", form=typed,
                                        status_code=422)
            price_fen = price_to_post(kind, typed_fen, form.text("price_kind", limit=20), _menu(canteen))
            price_answer = form.text("confirm", limit=2)
            if price_answer == "0":  # 修改价格: the form again, the typed price in it with the focus
                return await self._desk(request, canteen, card, form=typed, error_field="price")
            question = unusual_price(price_fen)
            if question and price_answer != "1":  # nothing recorded yet: the operator says the price is meant
                return await self._desk(request, canteen, card, price_question=question, form=typed)
            recorded = await dining.record_meal(canteen["id"], card_no=card, kind=kind.value, price_fen=price_fen,
                                                eaten_at=None, key=form.text("key", limit=120),
                                                operator_id=request.user.id, repeat_confirmed=form.flag("repeat"))
        except RepeatMeal as exc:
            # Nothing recorded: the operator says whether this is really another meal (the same key is kept).
            return await self._desk(request, canteen, card, repeat=str(exc), form=typed, status_code=409)
        except DomainError as exc:
            return await self._desk(request, canteen, card, error=str(exc), form=typed, status_code=422)
        done = _desk_url(canteen, meal=recorded.meal_id)
        if is_htmx(request):
            # Ready for the next card: the box empty and focused, the result large; a reload shows the same.
            result = await dining.meal_at_desk(canteen["id"], recorded.meal_id)
            return await self._desk(request, canteen, result=result, headers={"HX-Replace-Url": done})
        return Redirect(path=done)

    @post("/meals/{meal_id:int}/void", name="dining:void")
    async def void_meal(self, request: Request, meal_id: FromPath[int]) -> Response:
        """Without confirm=1: the question (which meal, why); with it: the reversal, its reason kept."""
        form = await FormData.read(request)
        canteen = await _canteen(request, form.int("canteen"))
        today = local_today()
        try:
            meal = await dining.voidable_meal(canteen["id"], meal_id, today)
        except DomainError as exc:
            if is_htmx(request):
                return await self._desk(request, canteen, error=str(exc), status_code=422)
            flash(request, str(exc), "error")
            return Redirect(path=_desk_url(canteen))
        if not form.flag("confirm"):
            return await self._desk(request, canteen, void=meal)
        try:
            reason = void_reason(form.text("reason", limit=40), form.text("note", limit=200))
            balance = await dining.void_meal(canteen["id"], meal_id, today=today, reason=reason,
                                             actor_id=request.user.id)
        except DomainError as exc:
            return await self._desk(request, canteen, void=meal, void_error=str(exc), form=form.as_dict(),
                                    status_code=422)
        message = (f"已撤销 {meal['card_no']} {fmt_local(meal['eaten_at'], '%H:%M')} 的{meal['kind_label']}"
                   f"（{reason}），余额恢复为 {yuan(balance)} 元")
        if is_htmx(request):
            return await self._desk(request, canteen, notice=message, headers={"HX-Replace-Url": _desk_url(canteen)})
        flash(request, message)
        return Redirect(path=_desk_url(canteen))

    # ---- seniors

    @get("/seniors", name="dining:seniors")
    async def list_seniors(self, request: Request, q: FromQuery[str] = "") -> Response:
        if request.user.role == Role.canteen:  # the district's seniors are not an operator's list to browse
            raise AccessDenied(dining.OPERATOR_LOOKUP_ONLY)
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
    async def show_senior(self, request: Request, senior_id: FromPath[int], year: FromQuery[str] = "") -> Response:
        chosen = year_param(year) or local_today().year
        view = await dining.senior_view(request.user, senior_id, chosen, looked_up=_desk_seniors(request))
        return page(request, "dining/senior.html", view)

    @get("/seniors/{senior_id:int}/statement", name="dining:statement")
    async def print_statement(self, request: Request, senior_id: FromPath[int], year: FromQuery[str] = "",
                              month: FromQuery[str] = "") -> Response:
        chosen, month = year_param(year) or local_today().year, month_number_param(month)
        view = await dining.senior_view(request.user, senior_id, chosen, looked_up=_desk_seniors(request))
        if month:
            view["history"] = [h for h in view["history"] if h["book_date"].month == month]
        return page(request, "dining/statement.html", {**view, "month": month})

    # ---- the manager's month

    @get("/months", name="dining:months")
    async def show_month(self, request: Request, month: FromQuery[str] = "", canteen: FromQuery[str] = "") -> Response:
        canteen = optional_int(canteen)
        _manager_only(request)
        chosen = month_param(month) or local_today().replace(day=1)
        return await self._month(request, chosen, canteen)

    async def _month(self, request: Request, month: date, canteen_id: int | None, *, plan=None,
                     close_error: str | None = None, status_code: int = 200) -> Response:
        view = await dining.month_view(request.user, canteen_id, month)
        return page(request, MONTHS, {**view, "today": local_today(), "plan": plan, "close_error": close_error,
                                      "view_url": _month_url(month, canteen_id)}, status_code=status_code)

    @post("/months/close", name="dining:close_month")
    async def close_month(self, request: Request) -> Response:
        """Without confirm=1: which canteens and month would close; with it: the close of exactly those."""
        _manager_only(request)
        form = await FormData.read(request)
        chosen = month_param(form.text("month", limit=10)) or local_today().replace(day=1)
        canteen_id = form.int("canteen")
        back = _month_url(chosen, canteen_id)
        try:
            if not form.flag("confirm"):
                plan = await dining.plan_close(request.user, chosen, local_today(), canteen_id)
                return await self._month(request, chosen, canteen_id, plan=plan)
            plan = await dining.close_month(request.user, chosen, local_today(), canteen_id)
        except DomainError as exc:
            if is_htmx(request) or not form.flag("confirm"):
                return await self._month(request, chosen, canteen_id, close_error=str(exc), status_code=422)
            flash(request, str(exc), "error")
            return Redirect(path=back)
        flash(request, f"已结账 {chosen.year} 年 {chosen.month} 月：{_close_names(plan)}")
        return Redirect(path=back)

    @get("/months/export.xlsx", name="dining:export")
    async def export_month(self, request: Request, month: FromQuery[str] = "", canteen: FromQuery[str] = "") -> Response:
        canteen = optional_int(canteen)
        _manager_only(request)
        chosen = month_param(month) or local_today().replace(day=1)
        export = await dining_export.month_xlsx(request.user, canteen, chosen)
        return xlsx_response(export.content, export.filename, export.ascii_filename)

    # ---- terminals and policy

    @get("/devices", name="dining:devices")
    async def show_devices(self, request: Request) -> Response:
        _manager_only(request)
        # A token just created (post/redirect/get: a reload shows it no more and creates nothing). Shown once:
        # only its hash is stored; it waits in the server-side session for this one page.
        created = request.session.pop(NEW_TOKEN_KEY, None) if isinstance(request.scope.get("session"), dict) else None
        headers = {"Cache-Control": "no-store"} if created else None
        return page(request, "dining/devices.html", {**await dining.devices_view(request.user), "created": created,
                                                     "form": {}}, headers=headers)

    @post("/devices", name="dining:create_device")
    async def create_device(self, request: Request) -> Response:
        _manager_only(request)
        form = await FormData.read(request)
        name = form.text("name", limit=100)
        try:
            token = await dining.create_device(request.user, form.int("canteen") or 0, name)
        except DomainError as exc:
            return page(request, "dining/devices.html", {
                **await dining.devices_view(request.user), "created": None, "error": str(exc),
                "error_field": exc.field, "form": form.as_dict()}, status_code=422)
        request.session[NEW_TOKEN_KEY] = {"token": token, "name": " ".join(name.split())}
        return Redirect(path="/dining/devices")

    @post("/devices/{device_id:int}/revoke", name="dining:revoke_device")
    async def revoke_device(self, request: Request, device_id: FromPath[int]) -> Response:
        _manager_only(request)
        form = await FormData.read(request)
        device = await dining.device_for(request.user, device_id)
        if not confirmed(form):
            return ask_first(request, form, question=f"吊销终端“{device['name']}”？",
                             lines=[f"助餐点：{device['canteen_name']}。",
                                    "吊销后这台终端的令牌立即失效，不能再刷卡记餐；吊销不能撤销，需要时请重新生成令牌。"],
                             action=f"/dining/devices/{device_id}/revoke", back="/dining/devices",
                             confirm_label="确认吊销")
        await dining.revoke_device(request.user, device_id)
        flash(request, "终端已吊销，其令牌立即失效")
        return Redirect(path="/dining/devices")

    @get("/policy", name="dining:policy")
    async def show_policy(self, request: Request, year: FromQuery[str] = "") -> Response:
        _manager_only(request)
        chosen = year_param(year) or local_today().year
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
