"""The person behind a request: loaded once per request from the session's user id."""

from __future__ import annotations

from dataclasses import dataclass

from center.domain.access import ROLE_LABELS, Area, Role, may_open, may_see_center
from center.db.statements import USER_BY_ID


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    center_id: int | None
    center_slug: str
    center_name: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    def may_open(self, area: Area | str) -> bool:
        return may_open(self.role, Area(area))

    def may_see_center(self, center_id: int) -> bool:
        return may_see_center(self.role, self.center_id, center_id)


async def load_user(user_id: int) -> CurrentUser | None:
    """The active staff member with this id, with their center, in one query; None if gone or deactivated."""
    row = await USER_BY_ID.first(user_id=user_id)
    if row is None or not row["active"]:
        return None
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        center_id=row["center_id"],
        center_slug=row["center_slug"] or "",
        center_name=row["center_name"] or "",
    )
