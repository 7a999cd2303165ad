"""The append-only audit log: every write and every reveal of personal data."""

from __future__ import annotations

import json
from typing import Any

from center import db
from center.services import cache, chain
from center.services.identity import CurrentUser
from center.tables import AuditLog
from center.timeutil import utcnow


async def record(
    action: str,
    *,
    actor: CurrentUser | None = None,
    center_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    ip: str = "",
    detail: dict[str, Any] | str = "",
) -> None:
    """Append one audit row, linked into the audit log's hash chain (center.services.chain). Callers inside a write
    transaction get it committed atomically with their write (and the public caches dropped once it commits:
    center.db.write_transaction); outside one, it is a write transaction of its own."""
    row = dict(
        at=utcnow(),
        actor=actor.id if actor else None,
        actor_name=actor.username if actor else "",
        center=center_id if center_id is not None else (actor.center_id if actor else None),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip=ip[:64],
        detail=detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False),
    )
    if not db.in_transaction():
        async with db.write_transaction():
            await _append(row)
    else:
        await _append(row)
    cache.changed()  # after the row (at commit, inside a transaction): what the public caches hold may have changed


async def _append(row: dict) -> None:
    row_hash = await chain.next_audit_hash(chain.audit_content(row))
    await AuditLog.insert(AuditLog(**row, row_hash=row_hash))
