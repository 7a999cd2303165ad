"""The window strip on /counter (叫号, 重呼, 过号, 回来了, 转队, 开始办理, 办结, 暂停/恢复): thin handlers over
services/hall/window. A plain form post redirects back to /counter with a flash; htmx gets the strip back."""

from __future__ import annotations

from litestar import Controller, Request, Response, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from center.domain.access import Area
from center.domain.queue import QueueError, TicketTaken, WindowAction
from center.services import counter
from center.services.hall import window as hall_window
from center.web.deps import STAFF, Staff
from center.web.forms import FormData
from center.web.guards import requires
from center.web.links import url
from center.web.render import flash, fragment, page

TEMPLATE = "counter/index.html"
BLOCK = "window_strip"
# The actions on one ticket the strip offers (叫号 has its own route: it chooses the ticket).
TICKET_ACTIONS = frozenset(a.value for a in WindowAction) - {WindowAction.call.value}


def _done_message(action: str, result: dict, to_queue: str, to_window: str) -> str:
    no = result.get("ticket_no", "")
    return {
        "recall": f"已重呼 {no}",
        "no_show": f"{no} 已过号；居民回来时在“过号”里按“回来了”",
        "come_back": f"{no} 已排回队列，保持原来的排队位置，由本窗口叫号",
        "transfer": f"{no} 已转到" + (f" {to_queue} 队列" if to_queue else "") + (f" {to_window} 号窗口" if to_window else "")
                    + "，号码和排队位置不变",
        "start": f"开始办理 {no}：请为居民查找并选择事项",
        "finish": f"{no} 已办结",
    }[action]


class WindowController(Controller):
    path = "/counter/window"
    guards = [requires(Area.counter)]
    dependencies = {"staff": STAFF}
    include_in_schema = False

    async def _answer(self, request: Request, staff: Staff, message: str, *, status_code: int = 200,
                      error: bool = False, visit_id: int | None = None) -> Response:
        """htmx: the strip in its fresh state with the message. A plain post: back to /counter (post/redirect/get),
        or, refused, the whole counter page with the message in the strip."""
        if fragment(request) == BLOCK:
            return page(request, TEMPLATE, {"strip": await hall_window.strip(staff), "strip_message": message,
                                            "strip_error": error}, status_code=status_code, block=BLOCK)
        if error:
            context = {"q": "", "form": {}, "visit": None, "results": [], "found_cases": [], "lookup": None,
                       "item": None, "strip": await hall_window.strip(staff), "strip_message": message,
                       "strip_error": True, **await counter.sidebar(staff)}
            return page(request, TEMPLATE, context, status_code=status_code)
        flash(request, message)
        return Redirect(path=url(request, "counter:index", visit=visit_id), status_code=303)

    async def _refused(self, request: Request, staff: Staff, exc: QueueError) -> Response:
        # Another window got there first (or the page was stale): 409 and the strip as it is now.
        status = 409 if isinstance(exc, TicketTaken) else 422
        return await self._answer(request, staff, str(exc), status_code=status, error=True)

    @post("/call", name="window:call")
    async def call_ticket(self, request: Request, staff: Staff) -> Response:
        try:
            called = await hall_window.call_next(staff)
        except QueueError as exc:
            return await self._refused(request, staff, exc)
        return await self._answer(request, staff, f"已叫号：请 {called['ticket_no']} 号到 {called['window']} 号窗口")

    @post("/tickets/{ticket_id:int}/{action:str}", name="window:act")
    async def act_on_ticket(self, request: Request, staff: Staff, ticket_id: FromPath[int],
                            action: FromPath[str]) -> Response:
        if action not in TICKET_ACTIONS:
            raise NotFoundException("没有这个窗口操作")
        form = await FormData.read(request)
        to_queue, to_window = form.text("to_queue", limit=8), form.text("to_window", limit=16)
        try:
            result = await hall_window.act(staff, ticket_id, action, version=form.int("version"),
                                           to_queue=to_queue, to_window=to_window)
        except QueueError as exc:
            return await self._refused(request, staff, exc)
        message = _done_message(action, result, to_queue.strip().upper(), to_window.strip())
        if action == WindowAction.start.value:
            # The resident's case is received into the visit just opened: the whole counter carries it.
            target = url(request, "counter:index", visit=result["visit_id"])
            flash(request, message)
            if request.headers.get("hx-request") == "true":
                return Response(b"", status_code=200, headers={"HX-Redirect": target, "Vary": "HX-Request, HX-Target"})
            return Redirect(path=target, status_code=303)
        return await self._answer(request, staff, message)

    @post("/pause", name="window:pause")
    async def pause_window(self, request: Request, staff: Staff) -> Response:
        try:
            result = await hall_window.set_paused(staff, True)
        except QueueError as exc:
            return await self._refused(request, staff, exc)
        return await self._answer(request, staff, f"{result['window']} 号窗口已暂停叫号；按“恢复叫号”继续")

    @post("/resume", name="window:resume")
    async def resume_window(self, request: Request, staff: Staff) -> Response:
        try:
            result = await hall_window.set_paused(staff, False)
        except QueueError as exc:
            return await self._refused(request, staff, exc)
        return await self._answer(request, staff, f"{result['window']} 号窗口已恢复叫号")
