"""Who may open what: roles per area, center scoping, login throttling and session lifetime rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Iterable, Sequence


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    worker = "worker"
    canteen = "canteen"


ROLE_LABELS: dict[str, str] = {
    Role.admin: "区级管理员",
    Role.manager: "中心负责人",
    Role.worker: "全科社工",
    Role.canteen: "助餐点操作员",
}


class Area(StrEnum):
    counter = "counter"
    catalog = "catalog"
    rosters = "rosters"
    dining = "dining"
    catalog_edit = "catalog_edit"
    calendar = "calendar"
    calendar_edit = "calendar_edit"
    duty = "duty"
    stats = "stats"
    hall = "hall"  # the hall queue's set-up: queues, windows, ticket printers
    centers = "centers"
    ratings = "ratings"  # 好差评: managers follow up the center's 差评, workers see and appeal their own
    demands = "demands"  # 民情诉求: workers take and handle them, managers dispatch, import and read the figures
    admin = "admin"


# Which roles may open each area (the district admin may open everything a manager may).
AREA_ROLES: dict[Area, frozenset[Role]] = {
    Area.counter: frozenset({Role.worker, Role.manager, Role.admin}),
    Area.catalog: frozenset({Role.worker, Role.manager, Role.admin, Role.canteen}),
    Area.catalog_edit: frozenset({Role.manager, Role.admin}),
    Area.calendar: frozenset({Role.manager, Role.admin}),
    # The working-day calendar is district-wide (every center's deadlines and rosters): the district admin edits it.
    Area.calendar_edit: frozenset({Role.admin}),
    Area.duty: frozenset({Role.worker, Role.manager}),
    Area.stats: frozenset({Role.manager, Role.admin}),
    Area.rosters: frozenset({Role.manager, Role.admin}),
    Area.hall: frozenset({Role.manager, Role.admin}),
    Area.dining: frozenset({Role.canteen, Role.manager, Role.admin}),
    Area.centers: frozenset({Role.worker, Role.manager, Role.admin, Role.canteen}),
    Area.ratings: frozenset({Role.worker, Role.manager, Role.admin}),
    Area.demands: frozenset({Role.worker, Role.manager, Role.admin}),
    Area.admin: frozenset({Role.admin}),
}


def may_open(role: str, area: Area) -> bool:
    """Role guard: an area is open to the roles listed for it in AREA_ROLES."""
    return role in AREA_ROLES[area]


def may_see_logins(role: str) -> bool:
    """Login names are credentials' halves: only those who manage accounts (managers, the admin) see colleagues'."""
    return role in (Role.manager, Role.admin)


def may_see_center(role: str, own_center_id: int | None, center_id: int) -> bool:
    """Object scoping: staff see only their own center's data; the district admin sees every center."""
    if role == Role.admin:
        return True
    return own_center_id is not None and own_center_id == center_id


@dataclass(frozen=True)
class Throttle:
    max_failures: int = 10
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


def locked_until(failures: Iterable[datetime], now: datetime, rule: Throttle = Throttle()) -> datetime | None:
    """Login throttling per account: once `max_failures` failures fall within `window`,
    the account refuses attempts for `lockout` after the last of them. Returns when the lock ends,
    or None when the account is not locked now. `failures` are failures since the last success.
    """
    times: Sequence[datetime] = sorted(failures)
    n = rule.max_failures
    until: datetime | None = None
    for i in range(n - 1, len(times)):
        if times[i] - times[i - n + 1] <= rule.window:
            candidate = times[i] + rule.lockout
            if until is None or candidate > until:
                until = candidate
    if until is not None and until > now:
        return until
    return None


def session_expired(login_at: datetime, now: datetime, absolute: timedelta) -> bool:
    """A staff session ends `absolute` after login however active it was (12 h by default)."""
    return now - login_at >= absolute
