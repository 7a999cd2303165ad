"""The dining pages under /dining: the canteen desk (operators and managers) and the management pages (managers and
the admin): seniors, the month view with its close and Excel 台账, terminals, the subsidy policy."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path

import segno

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery

from center.domain import AccessDenied, DomainError, NotFound
from center.domain.access import Area, Role
from center.domain.ledger import LedgerError, age_on
from center.domain.meals import (KIND_LABELS, VOID_REASONS, Menu, RepeatMeal, filled_for, offered_kind, parse_kind,
                                 price_to_post, unusual_price, void_reason)
from center.domain.money import parse_yuan, yuan
from center.domain.periods import (
    day_param,
    monday_of,
    month_number_param,
    month_param,
    month_start,
    year_month,
    year_param,
)
from center.domain.policy import PolicyError
from center.domain.demand_import import MAX_FILE_BYTES
from center.domain.senior_import import SENIOR_HEADER
from center.domain.bookings import counts as booking_counts
from center.domain.bookings import delivery_rounds
from center.domain.policy import Pays
from center.domain.verification import METHOD_LABELS, Method, looks_like_code
from center.services.dining import (
    allowances,
    bookings,
    links,
    meals,
    months,
    policies,
    registry,
    senior_import,
    terminals,
)
from center.services.dining.months import OPERATOR_LOOKUP_ONLY
from center.services.identity import CurrentUser
from center.timeutil import fmt_local, local_now, local_today, utcnow
from center.web.confirm import ask_first, confirmed
from center.web.deps import STAFF, Staff
from center.web.downloads import xlsx_response
from center.web.forms import FormData, optional_int
from center.web.guards import requires
from center.web.links import redirect, url
from center.web.render import flash, fragment, page

DESK = "dining/desk.html"
POLICY = "dining/policy.html"
POLICY_EXAMPLE = (Path(__file__).resolve().parent.parent / "demo" / "policies" / "tianjin.toml").read_text(
    encoding="utf-8")
MONTHS = "dining/months.html"
TERMINALS = "dining/terminals.html"
NEW_TOKEN_KEY = "_new_terminal_token"
NEW_LINK_KEY = "_new_senior_link"


# ---------------------------------------------------------------- what the handlers are handed


class NoCanteen(PermissionDeniedException):
    """The staff member has no canteen to work at (an operator not yet bound to one)."""


async def provide_canteen(request: Request) -> dict:
    """The canteen the desk works at: the one asked for (?canteen= on a page, the form's canteen field on a post)
    among the staff member's canteens, else the first. Another canteen is 403, never that canteen."""
    if request.method == "GET":
        wanted = optional_int(request.query_params.get("canteen"))
    else:
        wanted = (await FormData.read(request)).int("canteen")
    try:
        choices = await registry.canteens_for(request.user)
        if not choices:
            raise PermissionDeniedException("没有可用的助餐点")
    except (AccessDenied, PermissionDeniedException) as exc:
        if wanted is not None:
            raise
        raise NoCanteen(str(exc.detail if isinstance(exc, PermissionDeniedException) else exc)) from None
    if wanted is None:
        return choices[0]
    found = next((c for c in choices if c["id"] == wanted), None)
    if found is None:
        raise PermissionDeniedException("只能使用本中心的助餐点")
    return found


CANTEEN = Provide(provide_canteen)
# The desk's canteen, handed by Provide and marked as such (Litestar 3 stops inferring dependencies).
Canteen = NamedDependency[dict]


def unbound_page(request: Request, exc: NoCanteen) -> Response:
    """An operator not yet bound to a canteen lands on the desk after login: say what to do, not 403."""
    return page(request, "dining/unbound.html", {"message": exc.detail})


def managers_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The management pages are the center's manager's and the district admin's; a handler may say in its opt
    ("refusal") why the others are refused."""
    if connection.user.role not in (Role.manager, Role.admin):
        raise PermissionDeniedException(handler.opt.get("refusal", "只有中心负责人可以进行此操作"))


def admin_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.user.role != Role.admin:
        raise PermissionDeniedException("补贴政策由区级管理员设置")


def _menu(canteen: dict) -> Menu:
    return Menu(canteen["breakfast_fen"], canteen["lunch_fen"], canteen["dinner_fen"])


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


# ---------------------------------------------------------------- the desk: canteen operators and managers


class DeskController(Controller):
    """The canteen desk: look a card up, record a meal, void one of today's, open a looked-up senior's account."""

    path = "/dining"
    guards = [requires(Area.dining)]
    dependencies = {"staff": STAFF, "canteen": CANTEEN}
    include_in_schema = False

    async def _desk(self, request: Request, canteen: dict, card: str = "", *, result: dict | None = None,
                    error: str | None = None, form: dict | None = None, repeat: str | None = None,
                    void: dict | None = None, void_error: str | None = None, notice: str | None = None,
                    error_field: str | None = None, price_question: str | None = None, qr: str = "",
                    status_code: int = 200, headers: dict | None = None) -> Response:
        """The desk: the card box, the senior with the meal form (or the question a press raised), the result
        of the last meal, today's meals. `form` is what the operator typed, kept on every answer."""
        form = form or {}
        today = local_today()
        senior = figures = None
        lookup_error = None
        eaten_today: list[dict] = []
        schemes: list = []
        booked_today: list[dict] = []
        if card and void is None:
            try:
                if looks_like_code(card):  # the senior's phone page scanned: the card it stands for, kept unused
                    linked, _ = await links.senior_of_code(request.app.state.settings.secret_key, card, utcnow())
                    qr, card = card, linked["card_no"]
                senior = await registry.senior_by_card(card)
                _remember_desk_senior(request, senior["id"])
                figures = await allowances.allowance_figures(senior["id"], today.year)
                senior["age"] = age_on(senior["birth_date"], today)
                schemes, senior["ineligible"] = await policies.schemes_of(senior["id"], senior["birth_date"], today)
                senior["eligible"] = bool(schemes)
                senior["has_allowance"] = any(s.pays == Pays.yearly_allowance for s in schemes)
                booked_today = await bookings.todays_booking(senior["id"], canteen["id"], today)
            except DomainError as exc:
                lookup_error = str(exc)
        menu = _menu(canteen)
        kind = offered_kind(form.get("kind") or (booked_today[0]["kind"] if booked_today else None),
                            local_now().time())
        price_kind = filled_for(form.get("price_kind"), kind)
        booked = next((b for b in booked_today if b["kind"] == kind), None)
        today_meals = await meals.meals_of_day(canteen["id"], today)
        if senior is not None:
            eaten_today = [m for m in today_meals if m["card_no"] == senior["card_no"] and not m["voided"]]
        return page(request, DESK, {
            "canteen": canteen, "canteens": await registry.canteens_for(request.user), "card": card, "senior": senior,
            "figures": figures, "lookup_error": lookup_error, "result": result, "error": error, "kind": kind.value,
            # A wrong price stays as typed (even empty) beside its message; otherwise the menu price fills it.
            "price": form.get("price", "") if error_field == "price" else form.get("price") or yuan(
                booked["price_fen"] if booked else menu.price(price_kind)),
            "booked_today": booked_today,
            "price_kind": price_kind.value,
            "kinds": [{"kind": k, "label": label, "price_fen": menu.price(k)} for k, label in KIND_LABELS.items()],
            "key": form.get("key") or secrets.token_urlsafe(16), "today_meals": today_meals,
            "eaten_today": eaten_today, "repeat": repeat, "void": void, "void_error": void_error,
            "void_reasons": VOID_REASONS, "form": form, "notice": notice, "error_field": error_field,
            "price_question": price_question, "qr": qr, "schemes": schemes,
            "methods": [(m.value, METHOD_LABELS[m]) for m in (Method.card, Method.photo, Method.proxy)],
            # The card box has the focus unless the desk asks a question (再记一餐, 撤销, an unusual price) or
            # the price field was wrong.
            "asking": bool(repeat or void or price_question or error_field),
        }, status_code=status_code, headers=headers)

    @get("/", name="dining:desk", exception_handlers={NoCanteen: unbound_page})
    async def show_desk(self, request: Request, canteen: Canteen, card: FromQuery[str] = "",
                        meal: FromQuery[str] = "") -> Response:
        meal_id = optional_int(meal)
        result = None
        if meal_id is not None:  # after a plain form post: the meal just recorded, shown large
            try:
                result = await meals.meal_at_desk(canteen["id"], meal_id)
            except DomainError:
                result = None
        card = card.strip()
        return await self._desk(request, canteen, card[:120] if looks_like_code(card) else card[:20], result=result)

    @post("/meals", name="dining:record")
    async def record_meal(self, request: Request, staff: Staff, canteen: Canteen) -> Response:
        form = await FormData.read(request)
        card = form.text("card", limit=20).strip().upper()
        qr = form.text("qr", limit=120).strip()
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
            recorded = await meals.record_meal(
                canteen["id"], card_no=qr or card, kind=kind.value, price_fen=price_fen, eaten_at=None,
                idempotency_key=form.text("key", limit=120), operator_id=staff.id, repeat_confirmed=form.flag("repeat"),
                verified_by=form.text("verified_by", limit=10) or "card", proxy_name=form.text("proxy_name", limit=60),
                qr_secret=request.app.state.settings.secret_key)
        except RepeatMeal as exc:
            # Nothing recorded: the operator says whether this is really another meal (the same key is kept).
            return await self._desk(request, canteen, qr or card, repeat=str(exc), form=typed, status_code=409)
        except DomainError as exc:
            return await self._desk(request, canteen, qr or card, error=str(exc), form=typed, status_code=422,
                                    error_field=exc.field if exc.field == "proxy_name" else None)
        if not recorded.replay:
            await bookings.serve_booking(recorded.meal_id)
        done = url(request, "dining:desk", canteen=canteen["id"], meal=recorded.meal_id)
        if fragment(request):
            # Ready for the next card: the box empty and focused, the result large; a reload shows the same.
            result = await meals.meal_at_desk(canteen["id"], recorded.meal_id)
            return await self._desk(request, canteen, result=result, headers={"HX-Replace-Url": done})
        return redirect(request, "dining:desk", canteen=canteen["id"], meal=recorded.meal_id)

    @post("/meals/{meal_id:int}/void", name="dining:void")
    async def void_meal(self, request: Request, staff: Staff, canteen: Canteen,
                        meal_id: FromPath[int]) -> Response:
        """Without confirm=1: the question (which meal, why); with it: the reversal, its reason kept."""
        form = await FormData.read(request)
        today = local_today()
        try:
            meal = await meals.voidable_meal(canteen["id"], meal_id, today)
        except DomainError as exc:
            if fragment(request):
                return await self._desk(request, canteen, error=str(exc), status_code=422)
            flash(request, str(exc), "error")
            return redirect(request, "dining:desk", canteen=canteen["id"])
        if not form.flag("confirm"):
            return await self._desk(request, canteen, void=meal)
        try:
            reason = void_reason(form.text("reason", limit=40), form.text("note", limit=200))
            balance = await meals.void_meal(canteen["id"], meal_id, today=today, reason=reason, actor_id=staff.id)
        except DomainError as exc:
            return await self._desk(request, canteen, void=meal, void_error=str(exc), form=form.as_dict(),
                                    status_code=422)
        message = (f"已撤销 {meal['card_no']} {fmt_local(meal['eaten_at'], '%H:%M')} 的{meal['kind_label']}"
                   f"（{reason}），余额恢复为 {yuan(balance)} 元")
        if fragment(request):
            desk = url(request, "dining:desk", canteen=canteen["id"])
            return await self._desk(request, canteen, notice=message, headers={"HX-Replace-Url": desk})
        flash(request, message)
        return redirect(request, "dining:desk", canteen=canteen["id"])

    # ---- the weekly menu, the bookings, the delivery list, the deliverer's phone page (issue #16, point 3)

    @get("/menu", name="dining:menu")
    async def show_menu(self, request: Request, staff: Staff, canteen: Canteen, week: FromQuery[str] = "") -> Response:
        return page(request, "dining/menu.html", await _menu_context(canteen, week))

    @post("/menu", name="dining:add_dish")
    async def add_dish(self, request: Request, staff: Staff, canteen: Canteen) -> Response:
        form = await FormData.read(request)
        day = _day_or_none(form.text("day", limit=20))
        try:
            price = parse_yuan(form.text("price", limit=20), maximum_fen=100_000, label="价格") \
                if form.text("price", limit=20).strip() else None
            await bookings.add_dish(staff, canteen["id"], day=day, kind=form.text("kind", limit=20),
                                    name=form.text("name", limit=80), price_fen=price, marks=form.text("marks", limit=80))
        except DomainError as exc:
            if isinstance(exc, AccessDenied):
                raise
            errors = exc.errors or ({exc.field or "price": str(exc)})
            return page(request, "dining/menu.html", {
                **await _menu_context(canteen, form.text("week", limit=20) or (day.isoformat() if day else "")),
                "field_errors": errors, "dish_form": form.as_dict(), "dish_error": "请改正标出的项目"},
                status_code=422)
        flash(request, "已加入菜单")
        return redirect(request, "dining:menu", canteen=canteen["id"], week=(day or local_today()).isoformat())

    @post("/menu/{dish_id:int}/remove", name="dining:remove_dish")
    async def remove_dish(self, request: Request, staff: Staff, canteen: Canteen, dish_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        if not confirmed(form):
            booked = await bookings.live_bookings_of_dish(dish_id)
            return ask_first(request, form, question="把这道菜从菜单上撤下？",
                             lines=[f"已有 {booked} 份预订仍按原样备餐，如需取消请逐份取消。" if booked else
                                    "还没有人预订这道菜。", "撤下后不能再预订；撤下不能撤销，需要时请重新添加。"],
                             action=url(request, "dining:remove_dish", dish_id=dish_id),
                             back=url(request, "dining:menu", canteen=canteen["id"]), confirm_label="确认撤下")
        dish = await bookings.remove_dish(staff, dish_id)
        flash(request, f"已撤下 {dish['name']}")
        return redirect(request, "dining:menu", canteen=canteen["id"], week=dish["day"].isoformat())

    @get("/bookings", name="dining:bookings")
    async def show_bookings(self, request: Request, staff: Staff, canteen: Canteen, day: FromQuery[str] = "") -> Response:
        return page(request, "dining/bookings.html", await _bookings_context(staff, canteen, day))

    @post("/bookings", name="dining:phone_booking")
    async def phone_booking(self, request: Request, staff: Staff, canteen: Canteen) -> Response:
        """The operator takes a booking on the phone: the card number says who, the dish says the day and meal."""
        form = await FormData.read(request)
        try:
            senior = await registry.senior_by_card(form.text("card", limit=20))
            await bookings.book(senior["id"], canteen["id"], dish_id=form.int("dish"), delivery=form.flag("delivery"),
                                route=form.text("route", limit=40), building=form.text("building", limit=80),
                                room=form.text("room", limit=40), booked_by="phone", operator_id=staff.id)
        except DomainError as exc:
            if isinstance(exc, AccessDenied):
                raise
            return page(request, "dining/bookings.html", {
                **await _bookings_context(staff, canteen, form.text("day", limit=20)),
                "booking_error": str(exc), "booking_form": form.as_dict(),
                "field_errors": {exc.field or "card": str(exc)}}, status_code=422)
        flash(request, f"已为 {senior['card_no']} 订餐")
        return redirect(request, "dining:bookings", canteen=canteen["id"], day=form.text("day", limit=20))

    @post("/bookings/{booking_id:int}/cancel", name="dining:cancel_booking")
    async def cancel_booking(self, request: Request, staff: Staff, canteen: Canteen,
                             booking_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        back = url(request, "dining:bookings", canteen=canteen["id"], day=form.text("day", limit=20))
        if not confirmed(form):
            return ask_first(request, form, question="取消这份预订？", lines=["取消后助餐点不再为其备餐；取消不能撤销。"],
                             action=url(request, "dining:cancel_booking", booking_id=booking_id), back=back,
                             confirm_label="确认取消预订")
        try:
            await bookings.cancel(booking_id, actor=staff)
        except DomainError as exc:
            if isinstance(exc, AccessDenied):
                raise
            flash(request, str(exc), "error")
            return Response(None, status_code=303, headers={"Location": back})
        flash(request, "预订已取消")
        return Response(None, status_code=303, headers={"Location": back})

    @get("/bookings/delivery", name="dining:delivery_list")
    async def delivery_list(self, request: Request, staff: Staff, canteen: Canteen, day: FromQuery[str] = "") -> Response:
        """The day's delivery list by route, to print (送餐上门单)."""
        chosen = day_param(day, "日期") or local_today() + timedelta(days=1)
        rows = await bookings.day_bookings(staff, canteen["id"], chosen)
        return page(request, "dining/delivery.html", {"canteen": canteen, "day": chosen,
                                                      "rounds": delivery_rounds(rows)})

    @get("/deliver", name="dining:deliver")
    async def show_deliver(self, request: Request, staff: Staff, canteen: Canteen, route: FromQuery[str] = "") -> Response:
        """The deliverer's phone page: today's deliveries of a route, each with 已送达."""
        return page(request, "dining/deliver.html", await _deliver_context(staff, canteen, route))

    @post("/bookings/{booking_id:int}/deliver", name="dining:delivered")
    async def delivered(self, request: Request, staff: Staff, canteen: Canteen, booking_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        route = form.text("route", limit=40)
        try:
            result = await bookings.deliver(staff, booking_id)
        except DomainError as exc:
            if isinstance(exc, AccessDenied):
                raise
            return page(request, "dining/deliver.html", {**await _deliver_context(staff, canteen, route),
                                                         "deliver_error": str(exc)}, status_code=422)
        flash(request, f"已送达并记账：补贴 {yuan(result.subsidy_fen)} 元，自付 {yuan(result.paid_fen)} 元")
        return redirect(request, "dining:deliver", canteen=canteen["id"], route=route)

    # ---- a senior's account (an operator: only the seniors looked up at the desk)

    @get("/seniors/{senior_id:int}", name="dining:senior")
    async def show_senior(self, request: Request, staff: Staff, senior_id: FromPath[int],
                          year: FromQuery[str] = "") -> Response:
        chosen = year_param(year) or local_today().year
        view = await months.senior_view(staff, senior_id, chosen, looked_up=_desk_seniors(request))
        if staff.role in ("manager", "admin"):
            view.update(await _links_context(request, staff, senior_id))
        return page(request, "dining/senior.html", view)

    @get("/seniors/{senior_id:int}/statement", name="dining:statement")
    async def print_statement(self, request: Request, staff: Staff, senior_id: FromPath[int],
                              year: FromQuery[str] = "", month: FromQuery[str] = "") -> Response:
        chosen, month_number = year_param(year) or local_today().year, month_number_param(month)
        view = await months.senior_view(staff, senior_id, chosen, looked_up=_desk_seniors(request))
        if month_number:
            view["history"] = [h for h in view["history"] if h["book_date"].month == month_number]
        return page(request, "dining/statement.html", {**view, "month": month_number})


# ---------------------------------------------------------------- management: managers and the admin


class ManagementController(Controller):
    """The seniors' registry, the month view with its close and Excel 台账, terminals, the subsidy policy."""

    path = "/dining"
    guards = [requires(Area.dining), managers_only]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    # ---- seniors

    @get("/seniors", name="dining:seniors", opt={"refusal": OPERATOR_LOOKUP_ONLY})
    async def list_seniors(self, request: Request, staff: Staff, q: FromQuery[str] = "") -> Response:
        # The district's seniors are not an operator's list to browse (the refusal says where to look instead).
        return page(request, "dining/seniors.html", {"seniors": await registry.seniors_list(staff, q), "q": q[:40],
                                                     "centers": await registry.centers(), "form": {},
                                                     "header": SENIOR_HEADER})

    @post("/seniors", name="dining:add_senior")
    async def add_senior(self, request: Request, staff: Staff) -> Response:
        form = await FormData.read(request)
        try:
            try:
                birth = date.fromisoformat(form.text("birth_date", limit=20))
            except ValueError:
                raise LedgerError("请填写有效的出生日期（YYYY-MM-DD）") from None
            senior_id = await registry.add_senior(
                staff, name=form.text("name", limit=80), id_number=form.text("id_number", limit=40),
                birth_date=birth, center_id=form.int("center") or staff.center_id or 0,
                community=form.text("community", limit=100), phone=form.text("phone", limit=40),
                card_no=form.text("card_no", limit=40))
        except DomainError as exc:
            return page(request, "dining/seniors.html", {
                "seniors": await registry.seniors_list(staff), "q": "", "centers": await registry.centers(),
                "error": str(exc), "form": form.as_dict(), "header": SENIOR_HEADER}, status_code=422)
        flash(request, "已登记")
        return redirect(request, "dining:senior", senior_id=senior_id)

    @post("/seniors/import", name="dining:import_seniors")
    async def import_seniors(self, request: Request, staff: Staff) -> Response:
        """The 民政 spreadsheet: every row imported, or none and every bad row listed by its row number."""
        form = await FormData.read(request)
        upload = form.file("file")
        base = {"seniors": await registry.seniors_list(staff), "q": "", "centers": await registry.centers(),
                "form": {}, "header": SENIOR_HEADER}
        try:
            if upload is None:
                raise DomainError("请选择要导入的 .xlsx 文件", field="file")
            result = await senior_import.import_seniors(
                staff, await upload.read(MAX_FILE_BYTES + 1), upload.filename or "")
        except senior_import.ImportRefused as refused:
            return page(request, "dining/seniors.html", {**base, "import_error": str(refused),
                                                        "row_errors": refused.row_errors}, status_code=422)
        except DomainError as refused:
            return page(request, "dining/seniors.html", {**base, "import_error": str(refused)}, status_code=422)
        flash(request, "导入完成：" + result.summary())
        return redirect(request, "dining:seniors")

    # ---- a senior's phone page (the dynamic QR; family members with the senior's consent)

    @post("/seniors/{senior_id:int}/links", name="dining:create_link")
    async def create_link(self, request: Request, staff: Staff, senior_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        try:
            token = await links.create_link(staff, senior_id, holder=form.text("holder", limit=10),
                                            holder_name=form.text("holder_name", limit=60),
                                            relation=form.text("relation", limit=40),
                                            consent_note=form.text("consent_note", limit=300))
        except (AccessDenied, NotFound):
            raise
        except DomainError as exc:
            view = await months.senior_view(staff, senior_id, local_today().year)
            view.update(await _links_context(request, staff, senior_id), link_form=form.as_dict(),
                        field_errors=exc.errors or ({exc.field: str(exc)} if exc.field else {}),
                        link_error=str(exc))
            return page(request, "dining/senior.html", view, status_code=422)
        request.session[NEW_LINK_KEY] = {"senior": senior_id, "token": token}
        flash(request, "手机就餐码页面已生成，请让老人或家属用手机扫描下方二维码保存（只显示这一次）")
        return redirect(request, "dining:senior", senior_id=senior_id)

    @post("/seniors/{senior_id:int}/links/{link_id:int}/revoke", name="dining:revoke_link")
    async def revoke_link(self, request: Request, staff: Staff, senior_id: FromPath[int],
                          link_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        if not confirmed(form):
            return ask_first(request, form, question="停用这个手机就餐码页面？",
                             lines=["停用后，该页面的动态码立即失效，不能再用于就餐；停用不能撤销，需要时请重新生成。"],
                             action=url(request, "dining:revoke_link", senior_id=senior_id, link_id=link_id),
                             back=url(request, "dining:senior", senior_id=senior_id), confirm_label="确认停用")
        await links.revoke_link(staff, senior_id, link_id)
        flash(request, "已停用")
        return redirect(request, "dining:senior", senior_id=senior_id)

    # ---- the month

    @get("/months", name="dining:months")
    async def show_month(self, request: Request, staff: Staff, month: FromQuery[str] = "",
                         canteen: FromQuery[str] = "") -> Response:
        chosen = month_param(month) or month_start(local_today())
        return await self._month(request, staff, chosen, optional_int(canteen))

    async def _month(self, request: Request, staff: CurrentUser, month: date, canteen_id: int | None, *, plan=None,
                     close_error: str | None = None, status_code: int = 200) -> Response:
        view = await months.month_view(staff, canteen_id, month)
        return page(request, MONTHS, {**view, "today": local_today(), "plan": plan, "close_error": close_error,
                                      "kind_labels": KIND_LABELS}, status_code=status_code)

    @post("/months/close", name="dining:close_month")
    async def close_month(self, request: Request, staff: Staff) -> Response:
        """Without confirm=1: which canteens and month would close; with it: the close of exactly those."""
        form = await FormData.read(request)
        chosen = month_param(form.text("month", limit=10)) or month_start(local_today())
        canteen_id = form.int("canteen")
        try:
            if not form.flag("confirm"):
                plan = await months.plan_close(staff, chosen, local_today(), canteen_id)
                return await self._month(request, staff, chosen, canteen_id, plan=plan)
            plan = await months.close_month(staff, chosen, local_today(), canteen_id)
        except DomainError as exc:
            if fragment(request) or not form.flag("confirm"):
                return await self._month(request, staff, chosen, canteen_id, close_error=str(exc), status_code=422)
            flash(request, str(exc), "error")
            return redirect(request, "dining:months", month=year_month(chosen), canteen=canteen_id)
        flash(request, f"已结账 {chosen.year} 年 {chosen.month} 月：{_close_names(plan)}")
        return redirect(request, "dining:months", month=year_month(chosen), canteen=canteen_id)

    @get("/months/export.xlsx", name="dining:export")
    async def export_month(self, staff: Staff, month: FromQuery[str] = "",
                           canteen: FromQuery[str] = "") -> Response:
        chosen = month_param(month) or month_start(local_today())
        export = await months.month_xlsx(staff, optional_int(canteen), chosen)
        return xlsx_response(export.content, export.filename, export.ascii_filename)

    # ---- terminals (their pages keep the address /dining/devices)

    @get("/devices", name="dining:terminals")
    async def show_terminals(self, request: Request, staff: Staff) -> Response:
        # A token just created (post/redirect/get: a reload shows it no more and creates nothing). Shown once:
        # only its hash is stored; it waits in the server-side session for this one page.
        created = request.session.pop(NEW_TOKEN_KEY, None) if isinstance(request.scope.get("session"), dict) else None
        headers = {"Cache-Control": "no-store"} if created else None
        return page(request, TERMINALS, {**await terminals.terminals_view(staff), "created": created, "form": {}},
                    headers=headers)

    @post("/devices", name="dining:create_terminal")
    async def create_terminal(self, request: Request, staff: Staff) -> Response:
        form = await FormData.read(request)
        name = form.text("name", limit=100)
        try:
            token = await terminals.create_terminal(staff, form.int("canteen") or 0, name)
        except DomainError as exc:
            return page(request, TERMINALS, {
                **await terminals.terminals_view(staff), "created": None, "error": str(exc),
                "error_field": exc.field, "form": form.as_dict()}, status_code=422)
        request.session[NEW_TOKEN_KEY] = {"token": token, "name": " ".join(name.split())}
        return redirect(request, "dining:terminals")

    @post("/devices/{terminal_id:int}/revoke", name="dining:revoke_terminal")
    async def revoke_terminal(self, request: Request, staff: Staff, terminal_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        terminal = await terminals.managed_terminal(staff, terminal_id)
        if not confirmed(form):
            return ask_first(request, form, question=f"吊销终端“{terminal['name']}”？",
                             lines=[f"助餐点：{terminal['canteen_name']}。",
                                    "吊销后这台终端的令牌立即失效，不能再刷卡记餐；吊销不能撤销，需要时请重新生成令牌。"],
                             action=url(request, "dining:revoke_terminal", terminal_id=terminal_id),
                             back=url(request, "dining:terminals"), confirm_label="确认吊销")
        await terminals.revoke_terminal(staff, terminal_id)
        flash(request, "终端已吊销，其令牌立即失效")
        return redirect(request, "dining:terminals")

    # ---- the subsidy policy (managers read it; the district admin loads a new version from a file)

    @get("/policy", name="dining:policy")
    async def show_policy(self, request: Request, on: FromQuery[str] = "") -> Response:
        return page(request, POLICY, await self._policy_page(day_param(on, "查看日期") or local_today()))

    async def _policy_page(self, day: date, **extra) -> dict:
        today = local_today()
        history = await policies.versions()
        current = await policies.current_version(day)
        upcoming = [v for v in history if v["effective"] > today]
        return {"current": current, "day": day, "today": today, "history": history, "upcoming": upcoming,
                "kind_labels": KIND_LABELS, "example": POLICY_EXAMPLE, **extra}

    @post("/policy/check", name="dining:check_policy", guards=[admin_only],
          opt={"refusal": "补贴政策由区级管理员载入"})
    async def check_policy(self, request: Request, staff: Staff) -> Response:
        """The first step: the file (or pasted text) is checked and shown; nothing is loaded yet."""
        form = await FormData.read(request)
        text, filename = form.text("policy_text", limit=policies.MAX_FILE_BYTES), ""
        try:
            text, filename = await _policy_text(form)
            if not text.strip():
                raise PolicyError(["请选择补贴政策文件（.toml），或把文件内容粘贴到文本框"])
            checked = policies.check_policy(text, local_today())
        except PolicyError as exc:
            return page(request, POLICY, await self._policy_page(
                local_today(), problems=exc.problems, typed=text, filename=filename), status_code=422)
        return page(request, POLICY, await self._policy_page(
            local_today(), checked=checked, typed=text, filename=filename))

    @post("/policy", name="dining:load_policy", guards=[admin_only], opt={"refusal": "补贴政策由区级管理员载入"})
    async def load_policy(self, request: Request, staff: Staff) -> Response:
        """The second step (确认载入 on the checked policy): a new version from its effective date."""
        form = await FormData.read(request)
        text, filename = form.text("policy_text", limit=policies.MAX_FILE_BYTES), ""
        try:
            text, filename = await _policy_text(form)
            _, loaded = await policies.load_policy(text, actor=staff, origin="page", filename=filename)
        except PolicyError as exc:
            return page(request, POLICY, await self._policy_page(
                local_today(), problems=exc.problems, typed=text, filename=filename), status_code=422)
        flash(request, f"补贴政策已载入，自 {loaded.effective.year} 年 {loaded.effective.month} 月 "
                       f"{loaded.effective.day} 日起生效")
        return redirect(request, "dining:policy")


async def _policy_text(form: FormData) -> tuple[str, str]:
    """The policy as sent: the chosen file, else the text box (the check step carries the text to the load step)."""
    upload = form.file("file")
    if upload is not None:
        return policies.read_policy_file(await upload.read(policies.MAX_FILE_BYTES + 1)), upload.filename or ""
    return form.text("policy_text", limit=policies.MAX_FILE_BYTES), form.text("filename", limit=200)


async def _links_context(request: Request, staff: Staff, senior_id: int) -> dict:
    """The senior's phone-page links, and the one just created (its address and QR, shown this once)."""
    created = None
    if isinstance(request.scope.get("session"), dict):
        pending = request.session.get(NEW_LINK_KEY)
        if pending and pending.get("senior") == senior_id:
            request.session.pop(NEW_LINK_KEY, None)
            address = request.app.state.settings.base_url + url(request, "my:page", token=pending["token"])
            created = {"url": address, "qr_svg": segno.make(address, error="m").svg_inline(
                border=4, omitsize=True, svgclass="qr-code", lineclass=None, title="手机就餐码页面地址")}
    return {"links": await links.links_of(staff, senior_id), "new_link": created, "link_form": {}}


def _day_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


async def _menu_context(canteen: dict, week: str) -> dict:
    monday = monday_of(day_param(week, "周") or local_today())
    days = [monday + timedelta(days=n) for n in range(7)]
    dishes = await bookings.menu(canteen["id"], days[0], days[-1])
    by_cell: dict[tuple, list] = {}
    for dish in dishes:
        by_cell.setdefault((dish["day"], dish["kind"]), []).append(dish)
    return {"canteen": canteen, "days": days, "by_cell": by_cell, "kinds": KIND_LABELS, "monday": monday,
            "previous": monday - timedelta(days=7), "next": monday + timedelta(days=7), "dish_form": {},
            "open_days": canteen.get("open_days") or "1234567"}


async def _bookings_context(staff: Staff, canteen: dict, day: str) -> dict:
    chosen = day_param(day, "日期") or local_today() + timedelta(days=1)
    rows = await bookings.day_bookings(staff, canteen["id"], chosen)
    today = local_today()
    menu = await bookings.menu(canteen["id"], today + timedelta(days=1), today + timedelta(days=14))
    return {"canteen": canteen, "day": chosen, "rows": rows, "counts": booking_counts(rows), "kind_labels": KIND_LABELS,
            "rounds": delivery_rounds(rows), "menu": menu, "booking_form": {},
            "days": [today + timedelta(days=n) for n in range(0, 8)]}


async def _deliver_context(staff: Staff, canteen: dict, route: str) -> dict:
    today = local_today()
    rows = await bookings.day_bookings(staff, canteen["id"], today)
    rounds = delivery_rounds(rows)
    names = [name for name, _ in rounds]
    chosen = route if route in names else (names[0] if names else "")
    return {"canteen": canteen, "day": today, "routes": names, "route": chosen,
            "stops": dict(rounds).get(chosen, [])}
