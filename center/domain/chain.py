"""Hash chains that make an append-only table tamper-evident (issue #11, finding 1).

Each row carries `row_hash = sha256(previous row's hash, the row's content)`, in id order; the first row links to
GENESIS. Whoever edits, replaces, inserts or deletes a row without recomputing every later hash breaks the chain at
that row, and `first_break` names it. What a chain cannot show: a rewrite of the whole chain from the edited row to
its head by someone who can write the database and knows this scheme. Against that, keep the head hash somewhere
else (the nightly check's record, a printout): a head that no longer matches what was kept shows the rewrite.

Content is a mapping of column names to plain values (int, str, None, bool, date, datetime, lists and mappings of
these); it is hashed as canonical JSON, datetimes in UTC with microseconds, so that what was hashed at insert and
what either engine gives back hash alike.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterable, Mapping

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    kind = type(value)  # exact types first: a meal's content is hashed on every meal, and ABC checks are slow
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is dict:
        return {str(k): _plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be hashed: store UTC")
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, int, str)):
        return value
    raise TypeError(f"cannot hash a {type(value).__name__}")


def canonical(content: Mapping[str, Any]) -> bytes:
    return json.dumps(_plain(content), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def link(previous: str, content: Mapping[str, Any]) -> str:
    """The hash of a row whose predecessor's hash is `previous`."""
    return hashlib.sha256(previous.encode() + b"\n" + canonical(content)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first row whose stored hash does not follow from its content and its predecessor."""

    row_id: int
    reason: str


def first_break(rows: Iterable[tuple[int, str, Mapping[str, Any]]]) -> tuple[Break | None, str, int | None]:
    """Walk (id, stored hash, content) in id order: (the first break or None, the head hash, the head id).

    A changed row breaks at itself; a deleted row breaks at the row after it (its hash was made from the
    deleted one); a row inserted into the middle breaks at itself."""
    previous, head_id = GENESIS, None
    for row_id, stored, content in rows:
        expected = link(previous, content)
        if stored != expected:
            reason = "哈希为空（未入链）" if not stored else "内容或前一行与哈希不符"
            return Break(row_id, reason), previous, head_id
        previous, head_id = stored, row_id
    return None, previous, head_id
