"""At the window (on /counter): 叫号, 重呼, 过号 and 回来了, 转队, 暂停, 开始办理 (a visit with the caller as its
first receiver) and 办结. Every action names the ticket's version; another window's change first is a 409."""

from __future__ import annotations

from datetime import datetime

from center import db
from center.domain import AccessDenied, NotFound
from center.domain.queue import (
    QueueError,
    TicketState,
    TicketTaken,
    TicketView,
    Waiting,
    WindowAction,
    check_action,
    pick_next,
    priority_streak,
    recall_ready_at,
    window_number,
)
from center.services import audit
from center.services.hall import events
from center.services.hall.tickets import queues_of, windows_of
from center.services.identity import CurrentUser
from center.tables import Center, HallWindow, Staff, Ticket, TicketCall, Visit
from center.timeutil import to_local, utcnow

RECENT_NO_SHOWS = 5
TICKET_COLUMNS = (Ticket.id, Ticket.ticket_no, Ticket.state, Ticket.window, Ticket.priority, Ticket.queue,
                  Ticket.last_called_at, Ticket.returned, Ticket.version, Ticket.visit, Ticket.called_at,
                  Ticket.target_window, Ticket.day)


async def _window(actor: CurrentUser) -> dict:
    """The window the worker sits at (Staff.window) as the manager set it up for the hall."""
    if actor.center_id is None:
        raise AccessDenied("区级账号不在窗口叫号")
    staff = await Staff.select(Staff.window).where(Staff.id == actor.id).first() or {}
    number = window_number(staff.get("window") or "")
    if not number:
        raise QueueError("您还没有分配窗口，请联系中心管理员在“取号叫号设置”中设置", field="window")
    for window in await windows_of(actor.center_id):
        if window["number"] == number:
            return window
    raise QueueError(f"{number} 号窗口还没有设置服务的队列，请联系中心管理员", field="window")


async def _slug(center_id: int) -> str:
    return (await Center.select(Center.slug).where(Center.id == center_id).first())["slug"]


async def _ticket(actor: CurrentUser, ticket_id: int) -> dict:
    row = await Ticket.select(*TICKET_COLUMNS, Ticket.center).where(Ticket.id == ticket_id).first()
    if row is None or row["center"] != actor.center_id:
        raise NotFound("没有这张号票", field="ticket")
    return row


def _fresh(row: dict) -> dict:
    return {"id": row["id"], "ticket_no": row["ticket_no"], "state": row["state"], "window": row["window"],
            "version": row["version"]}


async def strip(actor: CurrentUser, now: datetime | None = None) -> dict:
    """The window strip above the counter's search: my window, my queues, the ticket I serve, what waits."""
    now = now or utcnow()
    today = to_local(now).date()
    try:
        window = await _window(actor)
    except QueueError as exc:
        return {"window": None, "problem": str(exc)}
    queues = await queues_of(actor.center_id)
    names = {q["code"]: q["name"] for q in queues}
    mine = [c for c in window["queues"] if c in names]
    current = await Ticket.select(*TICKET_COLUMNS).where(
        (Ticket.center == actor.center_id) & (Ticket.day == today) & (Ticket.window == window["number"])
        & Ticket.state.is_in([TicketState.called.value, TicketState.serving.value])
    ).order_by(Ticket.called_at, ascending=False).first()
    waiting_rows = await Ticket.select(Ticket.queue.code.as_alias("code"), Ticket.target_window).where(
        (Ticket.center == actor.center_id) & (Ticket.day == today) & (Ticket.state == TicketState.waiting.value))
    waiting = {code: 0 for code in mine}
    for row in waiting_rows:
        if row["code"] in waiting and row["target_window"] in ("", window["number"]):
            waiting[row["code"]] += 1
    no_shows = await Ticket.select(Ticket.id, Ticket.ticket_no, Ticket.version, Ticket.returned).where(
        (Ticket.center == actor.center_id) & (Ticket.day == today) & (Ticket.window == window["number"])
        & (Ticket.state == TicketState.no_show.value) & (Ticket.returned == False)  # noqa: E712
    ).order_by(Ticket.no_show_at, ascending=False).limit(RECENT_NO_SHOWS)
    recall_at = recall_ready_at(current["last_called_at"]) if current else None
    return {
        "slug": await _slug(actor.center_id),  # the hall's event stream refreshes the strip
        "window": {"number": window["number"], "paused": window["paused"], "extended": window["extended"],
                   "mine": window["staff"] == actor.id},
        "queues": [{"code": c, "name": names[c], "waiting": waiting[c]} for c in mine],
        "waiting_total": sum(waiting.values()),
        "current": None if current is None else {
            **current, "queue_code": next((q["code"] for q in queues if q["id"] == current["queue"]), ""),
            "recall_wait_s": max(0, int((recall_at - now).total_seconds())) if recall_at else 0,
        },
        "no_shows": no_shows,
        "transfer_queues": [{"code": q["code"], "name": q["name"]} for q in queues],
        "transfer_windows": [w["number"] for w in await windows_of(actor.center_id) if w["number"] != window["number"]],
    }


async def _claim_window(actor: CurrentUser, window: dict, now: datetime) -> None:
    if window["staff"] != actor.id or window["opened_at"] is None \
            or to_local(window["opened_at"]).date() != to_local(now).date() or window["paused"]:
        await HallWindow.update({HallWindow.staff: actor.id, HallWindow.opened_at: now, HallWindow.paused: False,
                                 HallWindow.updated_at: now}).where(HallWindow.id == window["id"])


async def call_next(actor: CurrentUser, now: datetime | None = None) -> dict:
    """叫号: the next ticket of the queues this window serves (priority first, at most `priority_run` in a row).
    Two windows calling at the same instant get two tickets: the claim is a conditional update, retried."""
    now = now or utcnow()
    window = await _window(actor)
    if not window["queues"]:
        raise QueueError("本窗口没有服务的队列", field="window")
    today = to_local(now).date()
    queues = [q for q in await queues_of(actor.center_id) if q["code"] in window["queues"]]
    queue_ids = [q["id"] for q in queues]
    run = min((q["priority_run"] for q in queues), default=1)
    async with db.write_transaction():
        busy = await Ticket.exists().where(
            (Ticket.center == actor.center_id) & (Ticket.day == today) & (Ticket.window == window["number"])
            & (Ticket.state == TicketState.called.value))
        if busy:
            raise QueueError("请先处理当前叫到的号（开始办理、过号或转队），再叫下一位", field="ticket")
        # The window's ticket in service is finished by the next call.
        await Ticket.update({Ticket.state: TicketState.done.value, Ticket.finished_at: now,
                             Ticket.version: Ticket.version + 1}).where(
            (Ticket.center == actor.center_id) & (Ticket.window == window["number"])
            & (Ticket.state == TicketState.serving.value))
        await _claim_window(actor, window, now)
        recent = await Ticket.select(Ticket.priority).where(
            Ticket.queue.is_in(queue_ids) & (Ticket.day == today) & Ticket.called_at.is_not_null()
        ).order_by(Ticket.called_at, ascending=False).limit(max(run, 1) + 1)
        streak = priority_streak([r["priority"] for r in recent])
        for _attempt in range(5):
            rows = await Ticket.select(Ticket.id, Ticket.priority, Ticket.order_at, Ticket.target_window).where(
                Ticket.queue.is_in(queue_ids) & (Ticket.day == today) & (Ticket.state == TicketState.waiting.value)
            ).order_by(Ticket.order_at).limit(200)
            chosen = pick_next([Waiting(r["id"], r["priority"], r["order_at"], r["target_window"]) for r in rows],
                               window=window["number"], priority_run_so_far=streak, priority_run=run)
            if chosen is None:
                raise QueueError("当前没有等候的号", field="ticket")
            claimed = await Ticket.update({
                Ticket.state: TicketState.called.value, Ticket.window: window["number"], Ticket.called_at: now,
                Ticket.last_called_at: now, Ticket.calls: Ticket.calls + 1, Ticket.called_by: actor.id,
                Ticket.version: Ticket.version + 1,
            }).where((Ticket.id == chosen.id) & (Ticket.state == TicketState.waiting.value)).returning(
                Ticket.id, Ticket.ticket_no)
            if claimed:
                break
        else:
            raise QueueError("叫号的人太多，请再按一次叫号", field="ticket")
        ticket = claimed[0]
        await TicketCall.insert(TicketCall(center=actor.center_id, ticket=ticket["id"], ticket_no=ticket["ticket_no"],
                                           window=window["number"], kind="call", at=now))
        await audit.record("queue.call", actor=actor, object_type="ticket", object_id=ticket["id"],
                           detail={"ticket_no": ticket["ticket_no"], "window": window["number"]})
    await events.publish(await _slug(actor.center_id), "call")
    return {"id": ticket["id"], "ticket_no": ticket["ticket_no"], "window": window["number"]}


async def act(actor: CurrentUser, ticket_id: int, action: str, *, version: int | None = None,
              to_queue: str = "", to_window: str = "", now: datetime | None = None) -> dict:
    """重呼, 过号, 回来了, 转队, 开始办理 or 办结 on one ticket; returns the ticket's fresh state (and the visit opened)."""
    now = now or utcnow()
    action = WindowAction(action)
    window = await _window(actor)
    result: dict = {}
    async with db.write_transaction():
        row = await _ticket(actor, ticket_id)
        if version is not None and row["version"] != version:
            raise TicketTaken("此号刚有变化（另一窗口或另一台设备已处理），已显示最新状态", field="ticket")
        target = check_action(TicketView(row["state"], row["window"], row["last_called_at"], row["returned"]),
                              action, window=window["number"], now=now)
        changes: dict = {Ticket.state: target.value, Ticket.version: Ticket.version + 1}
        if action == WindowAction.recall:
            changes.update({Ticket.last_called_at: now, Ticket.calls: Ticket.calls + 1})
        elif action == WindowAction.no_show:
            changes.update({Ticket.no_show_at: now})
        elif action == WindowAction.come_back:
            changes.update({Ticket.returned: True, Ticket.window: "", Ticket.target_window: window["number"]})
        elif action == WindowAction.transfer:
            changes.update(await _transfer(actor, row, to_queue, to_window))
        elif action == WindowAction.start:
            visit_id = row["visit"] or (await Visit.insert(Visit(
                center=actor.center_id, staff=actor.id, note=f"取号 {row['ticket_no']}", created_at=now,
            )).returning(Visit.id))[0]["id"]
            changes.update({Ticket.started_at: now, Ticket.visit: visit_id})
            result["visit_id"] = visit_id
        elif action == WindowAction.finish:
            changes.update({Ticket.finished_at: now})
        updated = await Ticket.update(changes).where(
            (Ticket.id == ticket_id) & (Ticket.version == row["version"])).returning(*TICKET_COLUMNS)
        if not updated:
            raise TicketTaken("此号刚有变化（另一窗口或另一台设备已处理），已显示最新状态", field="ticket")
        if action == WindowAction.recall:
            await TicketCall.insert(TicketCall(center=actor.center_id, ticket=ticket_id, ticket_no=row["ticket_no"],
                                               window=window["number"], kind="recall", at=now))
        await audit.record(f"queue.{action.value}", actor=actor, object_type="ticket", object_id=ticket_id,
                           detail={"ticket_no": row["ticket_no"], "window": window["number"],
                                   **({"to_queue": to_queue, "to_window": to_window}
                                      if action == WindowAction.transfer else {})})
    await events.publish(await _slug(actor.center_id), "call" if action == WindowAction.recall else "queue")
    return {**_fresh(updated[0]), **result}


async def _transfer(actor: CurrentUser, row: dict, to_queue: str, to_window: str) -> dict:
    """转队: into another queue, or to one window; the ticket keeps its place in time (order_at) and its number."""
    to_queue, to_window = (to_queue or "").strip().upper(), (to_window or "").strip()
    if not to_queue and not to_window:
        raise QueueError("请选择转到哪个队列或窗口", field="to_queue")
    changes: dict = {Ticket.window: "", Ticket.target_window: to_window}
    queues = await queues_of(actor.center_id)
    code = next((q["code"] for q in queues if q["id"] == row["queue"]), "")
    if to_queue:
        queue = next((q for q in queues if q["code"] == to_queue), None)
        if queue is None:
            raise QueueError(f"没有“{to_queue[:4]}”这个队列", field="to_queue")
        changes[Ticket.queue] = queue["id"]
        code = queue["code"]
    windows = await windows_of(actor.center_id)
    # The ticket must land where a window will call it: a window serving its (new) queue.
    if to_window:
        window = next((w for w in windows if w["number"] == to_window), None)
        if window is None:
            raise QueueError(f"没有 {to_window[:8]} 号窗口", field="to_window")
        if code not in window["queues"]:
            raise QueueError(f"{to_window} 号窗口不办理 {code} 队列的业务，请换一个窗口或同时转队", field="to_window")
    elif not any(code in w["queues"] for w in windows):
        raise QueueError(f"没有窗口办理 {code} 队列的业务，不能转入", field="to_queue")
    return changes


async def set_paused(actor: CurrentUser, paused: bool, now: datetime | None = None) -> dict:
    """暂停 takes the window off the queue (it counts as closed for the waits); 恢复 puts it back."""
    now = now or utcnow()
    window = await _window(actor)
    async with db.point_write():
        await HallWindow.update({HallWindow.paused: paused, HallWindow.staff: actor.id,
                                 HallWindow.opened_at: window["opened_at"] or now, HallWindow.updated_at: now}).where(
            HallWindow.id == window["id"])
        await audit.record("queue.pause" if paused else "queue.resume", actor=actor, object_type="window",
                           object_id=window["id"], detail={"window": window["number"]})
    await events.publish(await _slug(actor.center_id), "queue")
    return {"window": window["number"], "paused": paused}


async def finish_for_visit(visit_id: int, case_id: int | None, now: datetime) -> str:
    """A case (or a demand, `case_id` None) received for a ticket's visit: the ticket leads to the case, and the
    resident's turn at the window ends. Returns the center's slug when a ticket was finished (the caller tells the
    hall after its commit), else ""."""
    if case_id is not None:
        await Ticket.update({Ticket.case: case_id}).where((Ticket.visit == visit_id) & Ticket.case.is_null())
    done = await Ticket.update({Ticket.state: TicketState.done.value, Ticket.finished_at: now,
                                Ticket.version: Ticket.version + 1}).where(
        (Ticket.visit == visit_id) & (Ticket.state == TicketState.serving.value)).returning(Ticket.center)
    return await _slug(done[0]["center"]) if done else ""
