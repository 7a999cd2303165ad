"""The hall's set-up (/hall, manager and admin): queues, the windows and the queues each serves today, ticket
printers. Plain form posts redirect with a flash; htmx posts get the block they target back (queues, windows,
printers); a refusal comes back with what was typed and the message at each field (422)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from center.domain import DomainError, NotFound
from center.domain.access import Area
from center.services.centers import visible_centers
from center.services.hall import setup
from center.services.identity import CurrentUser
from center.timeutil import local_today, to_local
from center.web.confirm import ask_first, confirmed
from center.web.deps import STAFF, Center, Staff, provide_center
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import url
from center.web.render import flash, fragment, page

TEMPLATE = "hall/setup.html"
# The event an htmx queue save sends (HX-Trigger); the windows block listens for it and reloads itself.
QUEUES_CHANGED = "hall-queues-changed"


async def provide_hall_center(request: Request) -> dict:
    """The center being set up (center.web.deps.provide_center): `?center=` on the page, and on a post the form's
    `center` field too (the admin's forms carry it as a hidden field)."""
    slug = request.query_params.get("center", "")
    if not slug and request.method == "POST":
        slug = str((await request.form()).get("center") or "")[:40]
    return await provide_center(request, slug)


def center_query(staff: CurrentUser, center: dict) -> str | None:
    """The `center=` of the page's addresses: only an admin names it (a manager has one center)."""
    return center["slug"] if staff.is_admin else None


def _see_other(request: Request, staff: CurrentUser, center: dict) -> Redirect:
    """Post/redirect/get with 303: the browser fetches the page again with a GET whatever the form's method."""
    return Redirect(path=url(request, "hall:setup", center=center_query(staff, center)), status_code=303)


class HallSetupController(Controller):
    path = "/hall"
    guards = [requires(Area.hall, "只有中心负责人和区级管理员可以设置取号叫号")]
    dependencies = {"staff": STAFF, "center": Provide(provide_hall_center)}
    include_in_schema = False

    async def _page(self, request: Request, staff: CurrentUser, center: dict, *, status_code: int = 200,
                    editing: str = "", form_of: str = "", form: dict | None = None, error: DomainError | None = None,
                    done: str = "", done_for: str = "", token: str = "") -> Response:
        """The whole page, or the block htmx targeted. `form_of` names the form the typed values and the errors
        belong to ("queue", "window-new", "window-<number>", "printer"); `done` is the message of an htmx post
        that succeeded (a plain post gets it as a flash on the next page)."""
        view = await setup.setup_view(staff, center["id"])
        today = local_today()
        for window in view["windows"]:
            opened = window["opened_at"]
            window["sitting"] = window["staff_name"] if window["staff"] and opened and to_local(
                opened).date() == today else ""
            window["opened_local"] = to_local(opened) if window["sitting"] else None
        queues = {q["code"]: q for q in view["queues"]}
        edited = queues.get((editing or "").upper())
        typed = form or {}
        if form_of == "queue":
            queue_form = {"code": typed.get("code", ""), "name": typed.get("name", ""),
                          "categories": typed.get("categories", []), "daily_max": typed.get("daily_max", ""),
                          "priority_run": typed.get("priority_run", "")}
        elif edited:
            queue_form = {"code": edited["code"], "name": edited["name"], "categories": edited["categories"],
                          "daily_max": edited["daily_max"], "priority_run": edited["priority_run"]}
        else:
            queue_form = {"code": "", "name": "", "categories": [], "daily_max": 300, "priority_run": 1}
        return page(request, TEMPLATE, {
            **view, "center": center, "center_query": center_query(staff, center),
            "centers": await visible_centers(staff) if staff.is_admin else [],
            "queue_form": queue_form, "editing": edited["code"] if edited else "",
            "form_of": form_of, "typed": typed, "error": str(error) if error else None,
            "error_field": getattr(error, "field", None), "field_errors": getattr(error, "errors", None) or {},
            "done": done, "done_for": done_for, "token": token, "base_url": request.app.state.settings.base_url,
            "queues_changed": QUEUES_CHANGED,
        }, status_code=status_code)

    async def _saved(self, request: Request, staff: CurrentUser, center: dict, message: str, block: str) -> Response:
        if fragment(request):  # htmx targeted a block: that block, fresh, with the message in it
            answer = await self._page(request, staff, center, done=message, done_for=block)
            if block == "queues":  # the windows' checkboxes list the queues: they fetch their block again
                answer.headers["HX-Trigger"] = QUEUES_CHANGED
            return answer
        flash(request, message)
        return _see_other(request, staff, center)

    @get("/", name="hall:setup")
    async def show_setup(self, request: Request, staff: Staff, center: Center, edit: FromQuery[str] = "") -> Response:
        return await self._page(request, staff, center, editing=edit[:1])

    @post("/queues", name="hall:save_queue")
    async def save_queue(self, request: Request, staff: Staff, center: Center) -> Response:
        form = await FormData.read(request)
        typed = {"code": form.text("code", limit=10), "name": form.text("name", limit=60),
                 "categories": form.ints("categories"), "daily_max": form.text("daily_max", limit=10),
                 "priority_run": form.text("priority_run", limit=10)}
        try:
            saved = await setup.save_queue(staff, center["id"], setup.QueueForm(
                code=typed["code"], name=typed["name"], categories=typed["categories"],
                daily_max=form.int("daily_max"), priority_run=form.int("priority_run"),
                editing=form.text("editing", limit=2)))
        except DomainError as exc:
            return await self._page(request, staff, center, status_code=422, form_of="queue", form=typed, error=exc,
                                    editing=form.text("editing", limit=2).upper()[:1])
        return await self._saved(request, staff, center, f"队列 {saved['code']} 已保存，取号页和窗口立即使用", "queues")

    @post("/queues/{code:str}/retire", name="hall:retire_queue")
    async def retire_queue(self, request: Request, staff: Staff, center: Center, code: FromPath[str]) -> Response:
        form = await FormData.read(request)
        view = await setup.setup_view(staff, center["id"])
        queue = next((q for q in view["queues"] if q["code"] == code.upper()[:1]), None)
        if queue is None:
            raise NotFound("没有这个队列（或已停用）")
        if not confirmed(form):
            serving = [w["number"] for w in view["windows"] if queue["code"] in w["queues"]]
            lines = ["停用后，取号页和取号机不再提供这个队列；今天已取的号仍会被叫到。",
                     f"服务它的窗口：{'、'.join(w + '号' for w in serving)}。" if serving else "目前没有窗口服务它。",
                     "以后用同一个代码再保存一次即可重新启用。"]
            return ask_first(request, form, question=f"停用队列 {queue['code']} {queue['name']}？", lines=lines,
                             action=url(request, "hall:retire_queue", code=queue["code"]),
                             back=url(request, "hall:setup", center=center_query(staff, center)),
                             confirm_label="确认停用")
        await setup.retire_queue(staff, center["id"], queue["code"])
        flash(request, f"队列 {queue['code']} {queue['name']} 已停用")
        return _see_other(request, staff, center)

    @post("/windows", name="hall:save_window")
    async def save_window(self, request: Request, staff: Staff, center: Center) -> Response:
        form = await FormData.read(request)
        number = form.text("number", limit=40).strip()
        which = "window-new" if form.flag("new") else f"window-{number}"
        typed = {"number": number, "queues": form.texts("queues", 4), "extended": form.flag("extended")}
        try:
            saved = await setup.save_window(staff, center["id"], setup.WindowForm(
                number=number, queues=typed["queues"], extended=typed["extended"]))
        except DomainError as exc:
            return await self._page(request, staff, center, status_code=422, form_of=which, form=typed, error=exc)
        return await self._saved(request, staff, center, f"{saved['number']}号窗口已保存，下一次叫号起生效", "windows")

    @post("/printers", name="hall:add_printer")
    async def add_printer(self, request: Request, staff: Staff, center: Center) -> Response:
        """The token is shown on this answer only (its hash is kept): the page is rendered here rather than after a
        redirect, so the token never sits in the session's flash."""
        form = await FormData.read(request)
        name = form.text("name", limit=80)
        try:
            token = await setup.create_printer(staff, center["id"], name)
        except DomainError as exc:
            return await self._page(request, staff, center, status_code=422, form_of="printer", form={"name": name},
                                    error=exc)
        return await self._page(request, staff, center, done=f"取号机“{' '.join(name.split())}”已登记", done_for="printers", token=token,
                                status_code=201)
