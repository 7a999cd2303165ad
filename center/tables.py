"""Piccolo tables: every row belongs to one center of the district."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from center.domain.access import Role


class CenterKind(StrEnum):
    center = "center"
    station = "station"


class Center(Table):
    """A community party-mass service center (中心) or a neighbourhood station (服务站)."""

    slug = Varchar(length=40, unique=True)
    name = Varchar(length=120)
    kind = Varchar(length=16, default=CenterKind.center.value, choices=CenterKind)
    address = Varchar(length=200, default="")
    phone = Varchar(length=40, default="")
    sort_order = Integer(default=0)


class Staff(Table):
    """A person who works for the district: admin, center manager, front-desk worker or canteen operator."""

    username = Varchar(length=60, unique=True)
    display_name = Varchar(length=60)
    role = Varchar(length=16, choices=Role)
    center = ForeignKey(references=Center, null=True, on_delete=OnDelete.restrict)
    # None: the person is on the staff list (rosters) but cannot log in.
    password_hash = Varchar(length=200, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()


class WebSession(Table):
    """Server-side session store shared by every web process."""

    key = Varchar(length=128, unique=True)
    data = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)


class LoginAttempt(Table):
    """Every login attempt, counted per account for throttling."""

    username = Varchar(length=60, index=True)
    at = Timestamptz(index=True)
    outcome = Varchar(length=16)  # success | failure | blocked
    ip = Varchar(length=64, default="")


class AuditLog(Table):
    """Append-only record of every write and every reveal of personal data (triggers refuse UPDATE/DELETE)."""

    at = Timestamptz(index=True)
    actor = ForeignKey(references=Staff, null=True, on_delete=OnDelete.restrict)
    actor_name = Varchar(length=60, default="")
    center = ForeignKey(references=Center, null=True, on_delete=OnDelete.restrict)
    action = Varchar(length=60, index=True)
    object_type = Varchar(length=40, default="")
    object_id = Varchar(length=60, default="")
    ip = Varchar(length=64, default="")
    detail = Text(default="")


class JobRun(Table):
    """One run of a scheduled job for one period; (job, period) is unique so work is never done twice."""

    job = Varchar(length=60)
    period = Varchar(length=40)
    status = Varchar(length=16, default="running")  # running | done | failed
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    detail = Text(default="")


ALL_TABLES: tuple[type[Table], ...] = (Center, Staff, WebSession, LoginAttempt, AuditLog, JobRun)
