"""The hall set up by a manager: queues (code letter, name, the categories served, daily maximum, priority run),
windows (number, the queues served today, the extended-hours window) and registered ticket printers."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Sequence

from center import db
from center.domain import AccessDenied, NotFound
from center.domain.queue import QueueError, check_code
from center.services import audit
from center.services.hall.tickets import queues_of, windows_of
from center.services.identity import CurrentUser
from center.tables import Category, HallQueue, HallWindow, TicketPrinter
from center.timeutil import utcnow

MAX_DAILY = 9999
DEMO_PRINTER_TOKEN = "demo-printer-1"


def _check_center(actor: CurrentUser, center_id: int) -> None:
    if not actor.may_see_center(center_id):
        raise AccessDenied("只能设置本中心的取号叫号")


@dataclass
class QueueForm:
    code: str
    name: str
    categories: Sequence[int] = field(default_factory=tuple)
    daily_max: int | None = 300
    priority_run: int | None = 1
    editing: str = ""  # the code of the queue being changed ("" : a new queue)


async def save_queue(actor: CurrentUser, center_id: int, form: QueueForm) -> dict:
    """Add a queue, or change the one with this code (a code is the queue's name on every ticket of the day)."""
    _check_center(actor, center_id)
    errors: dict[str, str] = {}
    try:
        code = check_code(form.code)
    except QueueError as exc:
        errors["code"], code = str(exc), ""
    name = " ".join((form.name or "").split())
    if not name or len(name) > 20:
        errors["name"] = "请填写队列名称（不超过 20 个字）"
    if form.daily_max is None or not 1 <= form.daily_max <= MAX_DAILY:
        errors["daily_max"] = f"每日上限须为 1–{MAX_DAILY} 之间的整数"
    if form.priority_run is None or not 1 <= form.priority_run <= 5:
        errors["priority_run"] = "优先号连续叫号数须为 1–5 之间的整数"
    known = {c["id"] for c in await Category.select(Category.id)}
    categories = sorted({c for c in form.categories if c in known})
    if errors:
        raise QueueError(errors=errors)
    now = utcnow()
    async with db.point_write():
        existing = await HallQueue.select(HallQueue.id, HallQueue.name, HallQueue.active).where(
            (HallQueue.center == center_id) & (HallQueue.code == code)).first()
        # A new queue typed with a code already in use must not rename that queue (a typo would change every
        # ticket of the day); a retired one is taken up again.
        if existing and existing["active"] and (form.editing or "").strip().upper() != code:
            raise QueueError(f"队列 {code}（{existing['name']}）已存在；要修改它，请在上面的列表中点“修改”",
                             field="code")
        values = {HallQueue.name: name, HallQueue.categories: json.dumps(categories),
                  HallQueue.daily_max: form.daily_max, HallQueue.priority_run: form.priority_run,
                  HallQueue.active: True}
        if existing:
            await HallQueue.update(values).where(HallQueue.id == existing["id"])
            queue_id = existing["id"]
        else:
            queue_id = (await HallQueue.insert(HallQueue(
                center=center_id, code=code, name=name, categories=json.dumps(categories),
                daily_max=form.daily_max, priority_run=form.priority_run, sort_order=ord(code),
            )).returning(HallQueue.id))[0]["id"]
        await audit.record("queue.setup", actor=actor, center_id=center_id, object_type="queue", object_id=queue_id,
                           detail={"code": code, "name": name, "categories": categories, "at": str(now)})
    return {"id": queue_id, "code": code}


async def retire_queue(actor: CurrentUser, center_id: int, code: str) -> None:
    """A queue no longer offered at the door (its tickets of today are still called)."""
    _check_center(actor, center_id)
    async with db.point_write():
        done = await HallQueue.update({HallQueue.active: False}).where(
            (HallQueue.center == center_id) & (HallQueue.code == (code or "").upper())).returning(HallQueue.id)
        if not done:
            raise NotFound("没有这个队列", field="code")
        await audit.record("queue.retire", actor=actor, center_id=center_id, object_type="queue",
                           object_id=done[0]["id"], detail={"code": code})


@dataclass
class WindowForm:
    number: str
    queues: Sequence[str] = field(default_factory=tuple)
    extended: bool = False


async def save_window(actor: CurrentUser, center_id: int, form: WindowForm) -> dict:
    """A window and the queues it serves today; at most one window is the extended-hours window."""
    _check_center(actor, center_id)
    number = (form.number or "").strip()
    if not number or len(number) > 20:
        raise QueueError("请填写窗口号（不超过 20 个字）", field="number")
    codes = {q["code"] for q in await queues_of(center_id)}
    queues = sorted({c.strip().upper() for c in form.queues} & codes)
    if not queues:
        raise QueueError("请至少选择一个服务的队列", field="queues")
    now = utcnow()
    async with db.point_write():
        if form.extended:
            await HallWindow.update({HallWindow.extended: False}).where(
                (HallWindow.center == center_id) & (HallWindow.number != number))
        existing = await HallWindow.select(HallWindow.id).where(
            (HallWindow.center == center_id) & (HallWindow.number == number)).first()
        if existing:
            await HallWindow.update({HallWindow.queues: json.dumps(queues), HallWindow.extended: form.extended,
                                     HallWindow.updated_at: now}).where(HallWindow.id == existing["id"])
            window_id = existing["id"]
        else:
            window_id = (await HallWindow.insert(HallWindow(
                center=center_id, number=number, queues=json.dumps(queues), extended=form.extended, updated_at=now,
            )).returning(HallWindow.id))[0]["id"]
        await audit.record("queue.window", actor=actor, center_id=center_id, object_type="window",
                           object_id=window_id, detail={"number": number, "queues": queues,
                                                        "extended": form.extended})
    return {"id": window_id, "number": number}


async def setup_view(actor: CurrentUser, center_id: int) -> dict:
    _check_center(actor, center_id)
    categories = await Category.select(Category.id, Category.name).order_by(Category.id)
    names = {c["id"]: c["name"] for c in categories}
    queues = await queues_of(center_id)
    for queue in queues:
        queue["category_names"] = [names[c] for c in queue["categories"] if c in names]
    return {"queues": queues, "windows": await windows_of(center_id), "categories": categories,
            "printers": await TicketPrinter.select(TicketPrinter.id, TicketPrinter.name, TicketPrinter.created_at,
                                                   TicketPrinter.revoked_at).where(TicketPrinter.center == center_id)}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_printer(actor: CurrentUser | None, center_id: int, name: str, token: str | None = None) -> str:
    """A ticket printer's bearer token, shown once (only its hash is kept)."""
    if actor is not None:
        _check_center(actor, center_id)
    name = " ".join((name or "").split())
    if not name or len(name) > 60:
        raise QueueError("请填写取号机名称（不超过 60 个字）", field="name")
    token = token or secrets.token_urlsafe(32)
    async with db.point_write():
        printer_id = (await TicketPrinter.insert(TicketPrinter(
            center=center_id, name=name, token_hash=hash_token(token), created_at=utcnow(),
        )).returning(TicketPrinter.id))[0]["id"]
        await audit.record("queue.printer_create", actor=actor, center_id=center_id, object_type="printer",
                           object_id=printer_id, detail={"name": name})
    return token


async def printer_for(token: str) -> dict | None:
    """The live printer a bearer token names, or None."""
    if not token:
        return None
    return await TicketPrinter.select(TicketPrinter.id, TicketPrinter.center).where(
        (TicketPrinter.token_hash == hash_token(token)) & TicketPrinter.revoked_at.is_null()).first()
