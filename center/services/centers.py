"""Centers of the district and their staff, scoped to what the asker may see."""

from __future__ import annotations

from center import db
from center.domain import AccessDenied, NotFound
from center.domain.access import ROLE_LABELS, Role, may_see_logins
from center.services import audit
from center.services.identity import CurrentUser
from center.tables import Center, Staff


async def visible_centers(actor: CurrentUser) -> list[dict]:
    """The admin sees every center of the district; everyone else sees their own."""
    query = Center.select().order_by(Center.sort_order).order_by(Center.id)
    if actor.role != Role.admin:
        query = query.where(Center.id == (actor.center_id or 0))
    return await query


async def center_detail(actor: CurrentUser, slug: str) -> dict:
    """One center with its active staff (login names only for those who manage accounts); another center's page is
    refused (object scoping)."""
    center = await Center.select().where(Center.slug == slug).first()
    if center is None:
        raise NotFound("没有这个中心")
    if not actor.may_see_center(center["id"]):
        raise AccessDenied("只能查看本中心的信息")
    staff = (
        await Staff.select(Staff.id, Staff.username, Staff.display_name, Staff.role, Staff.password_hash)
        .where((Staff.center == center["id"]) & (Staff.active == True))  # noqa: E712
        .order_by(Staff.role)
        .order_by(Staff.id)
    )
    show_logins = may_see_logins(actor.role)
    for person in staff:
        person["role_label"] = ROLE_LABELS.get(person["role"], person["role"])
        person["no_login"] = person.pop("password_hash") is None
        if not show_logins:
            del person["username"]
    return {"center": center, "staff": staff, "show_logins": show_logins,
            "may_set_screen": may_set_screen(actor, center["id"])}


def may_set_screen(actor: CurrentUser, center_id: int) -> bool:
    """What the hall screen shows is the center's manager's choice (and the district admin's)."""
    return actor.role == Role.admin or (actor.role == Role.manager and actor.center_id == center_id)


async def set_screen_rating(actor: CurrentUser, slug: str, on: bool) -> dict:
    """Show (or stop showing) this month's 满意率 on the center's hall screen; audited, so the screen's caches drop
    and the next poll has it."""
    center = await Center.select(Center.id, Center.name, Center.slug, Center.screen_rating).where(
        Center.slug == slug).first()
    if center is None:
        raise NotFound("没有这个中心")
    if not may_set_screen(actor, center["id"]):
        raise AccessDenied("只有本中心负责人可以设置大厅公开屏显示的内容")
    if center["screen_rating"] != on:
        async with db.point_write():
            await Center.update({Center.screen_rating: on}).where(Center.id == center["id"])
            await audit.record("center.screen_rating", actor=actor, center_id=center["id"], object_type="center",
                               object_id=center["id"], detail={"screen_rating": on})
    return {**center, "screen_rating": on}
