"""好差评 on the web: the resident's rating on /s/{token} and through POST /api/v1/ratings, the window's rating pad
(/rate/{slug}/{window}), and the staff's /ratings: the 差评 follow-ups (整改), callbacks (回访), appeals (申诉)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, TooManyRequestsException, ValidationException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect

from center.domain import DomainError
from center.domain.access import Area
from center.domain.ratings import (
    CALLBACK_METHODS,
    MAX_COMMENT,
    MAX_REASONS,
    SCORE_LABELS,
    AlreadyRated,
    RatingConflict,
    Score,
)
from center.routes.api import ConflictError, UnprocessableError
from center.routes.hall_api import client_address
from center.services import ratings
from center.services.hours import center_by_slug
from center.web.deps import STAFF, Staff
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import redirect, url
from center.web.render import flash, page, target_block

LIST = "ratings/list.html"
SHOW = "ratings/show.html"
PAD = "ratings/pad.html"
STATUS = "public/status.html"
PUBLIC_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
SCORES = [{"score": int(s), "label": SCORE_LABELS[s]} for s in Score]


# ---- the JSON API ----

class RatingIn(msgspec.Struct):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=40, description="the slip's or receipt's token")]
    score: Annotated[int, msgspec.Meta(ge=1, le=5, description="5 非常满意 … 1 非常不满意; 1–2 are 差评")]
    reasons: Annotated[list[Annotated[str, msgspec.Meta(max_length=20)]], msgspec.Meta(max_length=MAX_REASONS)] = []
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] = ""


@dataclass
class RatingOut:
    rating_id: int
    bad: bool


class RatingsApiController(Controller):
    path = "/api/v1"
    tags = ["ratings"]

    @post("/ratings", name="api:ratings", status_code=201, summary="评价一次服务（好差评）",
          raises=[NotFoundException, ConflictError, UnprocessableError, TooManyRequestsException],
          description="No login. The token of a finished case (the slip's QR, a consultation's receipt) is rated "
                      "once: again → 409; unknown → 404; not finished yet → 422; too many tries from one token or "
                      "address → 429. Nothing is recorded on any refusal. 不满意 and 非常不满意 open a follow-up "
                      "(整改) for the center's manager.")
    async def post_rating(self, request: Request, data: JSONBody[RatingIn]) -> RatingOut:
        rated = await ratings.rate_by_token(data.token, data.score, data.reasons, data.comment,
                                            client=client_address(request), settings=request.app.state.settings)
        return RatingOut(rating_id=rated.rating_id, bad=rated.bad)


# ---- the resident's phone: /s/{token} ----

def _picked(form: FormData) -> tuple[object, list[str], str]:
    return form.text("score", limit=4), form.texts("reasons", limit=40)[:MAX_REASONS + 5], form.text(
        "comment", limit=5000)


async def status_context(token: str) -> dict:
    view = await ratings.status_view(token)
    view["rating"]["scores"] = SCORES
    return view


class PublicRatingController(Controller):
    """No login, no session: /s/ is one of center.web.public's paths (the rating form posts back to it)."""

    path = "/s"
    include_in_schema = False

    @post("/{token:str}/rate", name="public:rate")
    async def rate(self, request: Request, token: FromPath[str]) -> Response:
        form = await FormData.read(request)
        score, reasons_given, comment = _picked(form)
        try:
            await ratings.rate_by_token(token, score, reasons_given, comment, client=client_address(request),
                                        settings=request.app.state.settings)
        except AlreadyRated:  # rated meanwhile (another tab, another phone): said so, the first rating stands
            return Redirect(path=url(request, "public:status", token=token, already=1) + "#rating", status_code=303)
        except DomainError as refusal:
            if refusal.__class__.__name__ == "NotFound":
                raise
            view = await status_context(token)
            view["rating"].update({"error": str(refusal), "field": refusal.field, "given_score": score,
                                   "given_reasons": reasons_given, "given_comment": comment})
            status = 429 if refusal.__class__.__name__ == "TooManyRatings" else 422
            return page(request, STATUS, view, status_code=status, block=target_block(request, STATUS),
                        headers=PUBLIC_HEADERS)
        return Redirect(path=url(request, "public:status", token=token, rated=1) + "#rating", status_code=303)


# ---- staff: /ratings ----

def _version(form: FormData) -> int | None:
    return form.int("version")


class RatingsController(Controller):
    path = "/ratings"
    guards = [requires(Area.ratings)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    @get("/", name="ratings:list")
    async def list_ratings(self, request: Request, staff: Staff, view: FromQuery[str] = "") -> Response:
        # A worker reads the ratings about them (and appeals from there); a manager starts from what is to be done.
        view = view if view in ("open", "all") else ("all" if staff.role == "worker" else "open")
        data = await ratings.list_ratings(staff, open_only=view == "open")
        return page(request, LIST, {**data, "view": view})

    @get("/followups/{followup_id:int}", name="ratings:show")
    async def show(self, request: Request, staff: Staff, followup_id: FromPath[int]) -> Response:
        return page(request, SHOW, {**await ratings.followup_view(staff, followup_id), "form": {}, "error": ""})

    @post("/followups/{followup_id:int}/step", name="ratings:step")
    async def step(self, request: Request, staff: Staff, followup_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        step = form.text("step", limit=20)
        founded_raw = form.text("founded", limit=4)
        founded = True if founded_raw == "1" else False if founded_raw == "0" else None
        confirm = form.text("confirm", limit=4)
        try:
            if confirm != "1":
                # A step is not taken back (反馈 publishes its text to the resident): asked first, with what it does;
                # 返回修改 (confirm=0) brings the form back with what was typed.
                preview = None if confirm == "0" else await ratings.preview(
                    staff, followup_id, step, note=form.text("note", limit=1000), founded=founded,
                    settings=request.app.state.settings)
                view = await ratings.followup_view(staff, followup_id)
                return page(request, SHOW, {**view, "form": form.as_dict(), "error": "",
                                            "confirm": preview and _step_confirmation(request, followup_id, preview)})
            result = await ratings.act(staff, followup_id, step, note=form.text("note", limit=1000),
                                       founded=founded, expected_version=_version(form),
                                       settings=request.app.state.settings)
        except RatingConflict as conflict:
            view = await ratings.followup_view(staff, followup_id)
            return page(request, SHOW, {**view, "form": form.as_dict(), "error": str(conflict)}, status_code=409,
                        block=target_block(request, SHOW))
        except DomainError as refusal:
            if refusal.__class__.__name__ in ("NotFound", "AccessDenied"):
                raise
            view = await ratings.followup_view(staff, followup_id)
            return page(request, SHOW, {**view, "form": form.as_dict(), "error": str(refusal),
                                        "error_field": refusal.field}, status_code=422,
                        block=target_block(request, SHOW))
        flash(request, f"已记录：{result['state_label']}")
        return redirect(request, "ratings:show", followup_id=followup_id)

    @post("/followups/{followup_id:int}/appeal", name="ratings:appeal")
    async def appeal(self, request: Request, staff: Staff, followup_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        reason = form.text("reason", limit=1000)
        try:
            if form.text("confirm", limit=4) != "1":  # an appeal is made once: asked first
                confirm = None
                if form.text("confirm", limit=4) != "0":
                    reason = await ratings.check_appeal_of(staff, followup_id, reason)
                    confirm = {"url": url(request, "ratings:appeal", followup_id=followup_id),
                               "fields": {"reason": reason, "form": "appeal"}, "title": "确认提交申诉？",
                               "lines": ["每条评价只能申诉一次，提交后由街道（区）管理员裁定，不能撤回。申诉理由："],
                               "quote": reason}
                view = await ratings.followup_view(staff, followup_id)
                return page(request, SHOW, {**view, "form": form.as_dict(), "error": "", "confirm": confirm})
            await ratings.appeal(staff, followup_id, reason)
        except DomainError as refusal:
            if refusal.__class__.__name__ in ("NotFound", "AccessDenied"):
                raise
            view = await ratings.followup_view(staff, followup_id)
            return page(request, SHOW, {**view, "form": form.as_dict(), "error": str(refusal),
                                        "error_field": "appeal_reason"}, status_code=422)
        flash(request, "申诉已提交，等待管理员裁定")
        return redirect(request, "ratings:show", followup_id=followup_id)

    @post("/followups/{followup_id:int}/decide", name="ratings:decide")
    async def decide(self, request: Request, staff: Staff, followup_id: FromPath[int]) -> Response:
        form = await FormData.read(request)
        raw = form.text("upheld", limit=4)
        upheld = True if raw == "1" else False if raw == "0" else None
        reason = form.text("reason", limit=1000)
        try:
            if form.text("confirm", limit=4) != "1":  # a decision is final: asked first
                confirm = None
                if form.text("confirm", limit=4) != "0":
                    outcome = await ratings.check_decision_of(staff, followup_id, upheld, reason)
                    confirm = {"url": url(request, "ratings:decide", followup_id=followup_id),
                               "fields": {"upheld": raw, "reason": reason.strip(), "form": "decide"},
                               "title": "确认裁定？",
                               "lines": ["裁定结果：" + ("申诉成立，该评价不计入个人考核" if outcome == "upheld"
                                                     else "驳回申诉"), "裁定后不能更改。裁定理由："],
                               "quote": reason.strip()}
                view = await ratings.followup_view(staff, followup_id)
                return page(request, SHOW, {**view, "form": form.as_dict(), "error": "", "confirm": confirm})
            outcome = await ratings.decide(staff, followup_id, upheld, reason)
        except DomainError as refusal:
            if refusal.__class__.__name__ in ("NotFound", "AccessDenied"):
                raise
            view = await ratings.followup_view(staff, followup_id)
            return page(request, SHOW, {**view, "form": form.as_dict(), "error": str(refusal),
                                        "error_field": "decide_reason"}, status_code=422)
        flash(request, "申诉成立：该评价不计入个人考核" if outcome == "upheld" else "已驳回申诉")
        return redirect(request, "ratings:show", followup_id=followup_id)

    @post("/callback/{case_id:int}", name="ratings:callback")
    async def callback(self, request: Request, staff: Staff, case_id: FromPath[int]) -> Response:
        """回访: what the resident said on the phone, entered from the case's page."""
        form = await FormData.read(request)
        score, reasons_given, comment = _picked(form)
        if form.text("confirm", limit=4) != "1":  # a rating is not taken back: the box says so and is ticked
            flash(request, "请勾选“已向群众核实，记录后不能修改”后再记录回访评价", "error")
            return redirect(request, "cases:show", case_id=case_id)
        try:
            await ratings.rate_by_callback(staff, case_id, score, reasons_given, comment,
                                           form.text("method", limit=10), settings=request.app.state.settings)
        except DomainError as refusal:
            if refusal.__class__.__name__ in ("NotFound", "AccessDenied"):
                raise
            flash(request, str(refusal), "error")
            return redirect(request, "cases:show", case_id=case_id)
        flash(request, "回访评价已记录")
        return redirect(request, "cases:show", case_id=case_id)


def _step_confirmation(request: Request, followup_id: int, preview: dict) -> dict:
    """The confirmation of a follow-up step: what it changes, and the text it keeps (or, for 反馈, publishes)."""
    due = preview["due"]
    lines = [f"提交后状态变为 {preview['to_state_label']}"
             + (f"，下一步须在 {due.year}年{due.month}月{due.day}日 前完成" if due else "") + "。提交后不能撤回。"]
    fields = {"step": preview["step"], "version": preview["version"], "note": preview["note"]}
    if preview["founded"] is not None:
        fields["founded"] = "1" if preview["founded"] else "0"
        lines.append("核实结果：" + ("属实" if preview["founded"] else "不属实"))
    lines.append("以下内容将显示在群众的办件查询页上：" if preview["step"] == "feedback" else "记录内容：")
    return {"url": url(request, "ratings:step", followup_id=followup_id), "fields": fields,
            "title": f"确认{preview['step_label']}？", "lines": lines, "quote": preview["note"],
            "late": not preview["on_time"]}


# ---- the rating pad at a window: /rate/{slug}/{window} ----

PAD_COOKIE = "center_pad"
PAD_COOKIE_DAYS = 400


class RatePadController(Controller):
    """A tablet at a window, bound to it once by a pad token (?pad=…, kept in a cookie). Public: nothing personal,
    and it asks only about the service just finished at its own window."""

    path = "/rate"
    include_in_schema = False

    async def _pad(self, request: Request, slug: str, window: str) -> tuple[dict, dict | None]:
        center = await center_by_slug(slug)
        token = request.cookies.get(PAD_COOKIE, "")
        return center, await ratings.pad_for(token, center["id"], window, demo=request.app.state.settings.demo)

    @get("/{slug:str}/{window:str}", name="rate:show")
    async def show(self, request: Request, slug: FromPath[str], window: FromPath[str], pad: FromQuery[str] = "",
                   done: FromQuery[str] = "", showing: FromQuery[str] = "") -> Response:
        center = await center_by_slug(slug)
        if showing:  # the pad's poll: is the service shown (0: none) still the one to ask about?
            _, found = await self._pad(request, slug, window)
            current = await ratings.service_at_window(center["id"], window) if found else None
            if str(current["case_id"] if current else 0) == showing[:12]:
                return Response(b"", status_code=204, headers=PUBLIC_HEADERS)
            return Response(b"", status_code=200, headers={**PUBLIC_HEADERS, "HX-Refresh": "true"})
        if pad:
            found = await ratings.pad_for(pad[:64], center["id"], window, demo=request.app.state.settings.demo)
            if found is None:
                return page(request, PAD, {"center": center, "window": window, "registered": False,
                                           "message": "评价器令牌无效、已吊销或不属于这个窗口，本机未登记"},
                            status_code=403, headers=PUBLIC_HEADERS)
            answer = Redirect(path=url(request, "rate:show", slug=slug, window=window), status_code=303)
            answer.set_cookie(PAD_COOKIE, pad[:64], max_age=PAD_COOKIE_DAYS * 86400, path="/rate/", httponly=True,
                              samesite="strict", secure=request.app.state.settings.https)
            return answer
        _, found = await self._pad(request, slug, window)
        service = await ratings.service_at_window(center["id"], window) if found else None
        return page(request, PAD, {"center": center, "window": window, "registered": found is not None,
                                   "service": service, "scores": SCORES, "reasons": await ratings.reasons(),
                                   "max_comment": MAX_COMMENT, "done": done == "1", "message": ""},
                    headers=PUBLIC_HEADERS)

    @post("/{slug:str}/{window:str}", name="rate:rate")
    async def rate(self, request: Request, slug: FromPath[str], window: FromPath[str]) -> Response:
        center, found = await self._pad(request, slug, window)
        if found is None:
            return page(request, PAD, {"center": center, "window": window, "registered": False,
                                       "message": "本机未登记为该窗口的评价器"}, status_code=403,
                        headers=PUBLIC_HEADERS)
        form = await FormData.read(request)
        score, reasons_given, comment = _picked(form)
        try:
            await ratings.rate_at_pad(found, form.int("case") or 0, score, reasons_given, comment,
                                      settings=request.app.state.settings)
        except DomainError as refusal:
            service = await ratings.service_at_window(center["id"], window)
            return page(request, PAD, {"center": center, "window": window, "registered": True, "service": service,
                                       "scores": SCORES, "reasons": await ratings.reasons(),
                                       "max_comment": MAX_COMMENT, "done": False, "message": str(refusal)},
                        status_code=409 if isinstance(refusal, AlreadyRated) else 422, headers=PUBLIC_HEADERS)
        return Redirect(path=url(request, "rate:show", slug=slug, window=window, done=1), status_code=303)


CALLBACK_CHOICES = [{"value": k, "label": v} for k, v in CALLBACK_METHODS.items()]
