"""Staff accounts: creation with validated role, center and password; every change audit-logged."""

from __future__ import annotations

import re

from center.config import DEMO_PASSWORD, Settings
from center.domain import DomainError
from center.domain.access import Role
from center.services import audit
from center.services.passwords import PasswordPolicyError, check_policy, hash_password_off_loop
from center.tables import Center, Staff
from center.timeutil import utcnow

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,59}$")


class StaffError(DomainError):
    pass


async def add_staff(
    settings: Settings,
    *,
    username: str,
    role: str,
    center_slug: str | None,
    display_name: str | None = None,
    password: str | None = None,
) -> int:
    """Create a staff member; a password makes it a login. The demo password is refused outside demo mode."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise StaffError("用户名须以小写字母开头，只含小写字母、数字、下划线、点或连字符（2–60 个字符）")
    try:
        role = Role(role).value
    except ValueError:
        raise StaffError(f"角色须为 {', '.join(r.value for r in Role)} 之一") from None
    center_id = None
    if center_slug:
        center = await Center.select(Center.id).where(Center.slug == center_slug).first()
        if center is None:
            raise StaffError(f"没有这个中心：{center_slug}")
        center_id = center["id"]
    elif role != Role.admin:
        raise StaffError("除区级管理员外，工作人员必须属于一个中心")
    password_hash = None
    if password is not None:
        if password == DEMO_PASSWORD and not settings.demo:
            raise StaffError("演示密码只能在演示模式下使用")
        if password != DEMO_PASSWORD:
            try:
                check_policy(password)
            except PasswordPolicyError as exc:
                raise StaffError(str(exc)) from None
        password_hash = await hash_password_off_loop(password)
    if await Staff.exists().where(Staff.username == username):
        raise StaffError(f"用户名已存在：{username}")
    rows = await Staff.insert(
        Staff(
            username=username,
            display_name=(display_name or username).strip()[:60],
            role=role,
            center=center_id,
            password_hash=password_hash,
            active=True,
            created_at=utcnow(),
        )
    ).returning(Staff.id)
    staff_id = rows[0]["id"]
    await audit.record("staff.create", center_id=center_id, object_type="staff", object_id=staff_id,
                       detail={"username": username, "role": role})
    return staff_id
