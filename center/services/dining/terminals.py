"""Canteen terminals: a bearer token per terminal (shown once, stored hashed), revoked by a manager, looked up on
every terminal request."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from center.db import statements
from center.config import Settings
from center.domain import AccessDenied, NotFound
from center.domain.ledger import LedgerError
from center.services import audit
from center.services.dining.registry import canteens_for
from center.services.identity import CurrentUser
from center.tables import Canteen, Terminal
from center.timeutil import utcnow

DEMO_TERMINAL_TOKEN = "demo-terminal-1"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_terminal(actor: CurrentUser | None, canteen_id: int, name: str) -> str:
    """A new terminal token for a canteen, returned once (only its hash is kept)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 60:
        raise LedgerError("请填写终端名称（不超过 60 个字）", field="name")
    canteen = await Canteen.select(Canteen.center, Canteen.name).where(Canteen.id == canteen_id).first()
    if canteen is None:
        raise NotFound("没有这个助餐点", field="canteen")
    if actor is not None and not actor.may_see_center(canteen["center"]):
        raise AccessDenied("只能管理本中心的助餐点", field="canteen")
    # Two live terminals of one canteen with one name could not be told apart when one must be revoked.
    if await Terminal.exists().where((Terminal.canteen == canteen_id) & (Terminal.name == name)
                                     & Terminal.revoked_at.is_null()):
        raise LedgerError(f"{canteen['name']}已有名为“{name}”的终端，请换一个名称（或先吊销原终端）", field="name")
    token = secrets.token_urlsafe(32)
    await Terminal.insert(Terminal(canteen=canteen_id, name=name, token_hash=hash_token(token), created_at=utcnow()))
    await audit.record("dining.device_create", actor=actor, center_id=canteen["center"], object_type="canteen",
                       object_id=canteen_id, detail={"name": name})
    return token


async def managed_terminal(actor: CurrentUser, terminal_id: int) -> dict:
    """One terminal of the actor's centers: its name and canteen (for the question before 吊销)."""
    row = await Terminal.select(Terminal.id, Terminal.name, Terminal.revoked_at,
                                Terminal.canteen.name.as_alias("canteen_name"),
                                Terminal.canteen.center.as_alias("center")).where(Terminal.id == terminal_id).first()
    if row is None:
        raise NotFound("没有这个终端")
    if not actor.may_see_center(row["center"]):
        raise AccessDenied("只能管理本中心的助餐点")
    return row


async def revoke_terminal(actor: CurrentUser, terminal_id: int) -> None:
    row = await Terminal.select(Terminal.id, Terminal.canteen.center.as_alias("center")).where(
        Terminal.id == terminal_id).first()
    if row is None:
        raise NotFound("没有这个终端")
    if not actor.may_see_center(row["center"]):
        raise AccessDenied("只能管理本中心的助餐点")
    await Terminal.update({Terminal.revoked_at: utcnow()}).where(Terminal.id == terminal_id)
    # The audit names keep their first spelling ("dining.device_…", object "device"): the audit chain holds them.
    await audit.record("dining.device_revoke", actor=actor, center_id=row["center"], object_type="device",
                       object_id=terminal_id)


async def terminals_view(actor: CurrentUser) -> dict:
    """The terminals of the canteens the actor manages, and those canteens (for a new terminal)."""
    canteens = await canteens_for(actor)
    terminals = await Terminal.select(
        Terminal.id, Terminal.name, Terminal.created_at, Terminal.revoked_at,
        Terminal.canteen.name.as_alias("canteen_name"),
    ).where(Terminal.canteen.is_in([c["id"] for c in canteens] or [0])).order_by(Terminal.id)
    return {"canteens": canteens, "terminals": terminals}


@dataclass(frozen=True)
class SignedInTerminal:
    """The terminal a bearer token belongs to, and its canteen."""

    terminal_id: int
    canteen_id: int




async def terminal_for(token: str, settings: Settings) -> SignedInTerminal | None:
    """The terminal behind a bearer token; the demo token only works in demo mode."""
    if not token or len(token) > 200 or (token == DEMO_TERMINAL_TOKEN and not settings.demo):
        return None
    row = await statements.TERMINAL_BY_TOKEN_HASH.first(token_hash=hash_token(token))
    if row is None or row["revoked_at"] is not None:
        return None
    return SignedInTerminal(row["id"], row["canteen"])
