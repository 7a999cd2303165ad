"""The demo district (CENTER_DEMO=1 only): centers, staff and the four demo logins; safe to load twice."""

from __future__ import annotations

from dataclasses import dataclass

from center.config import DEMO_PASSWORD, Settings
from center.domain import DomainError
from center.domain.access import Role
from center.services import audit
from center.services.passwords import hash_password
from center.tables import Center, Staff
from center.timeutil import utcnow

DEMO_CENTERS = (
    # slug, name, kind, address, phone
    ("daxi", "黛溪街道纸箱厂社区党群服务中心", "center", "邹平市黛溪街道黛溪三路 188 号", "0543-4321001"),
    ("huanghe", "黛溪街道黄河社区党群服务中心", "center", "邹平市黛溪街道黄河二路 66 号", "0543-4321002"),
    ("fenghuang", "凤凰小区党群服务站", "station", "邹平市黛溪街道凤凰小区 3 号楼底商", "0543-4321003"),
)

# Twelve staff per center; the first is the manager. The daxi names include the demo logins.
DEMO_STAFF = {
    "daxi": ["李秀英", "王磊", "张静", "刘洋", "陈芳", "杨帆", "赵丽", "黄强", "周敏", "吴婷", "徐建国", "孙倩"],
    "huanghe": ["马红梅", "胡军", "朱琳", "郭亮", "何雪", "高峰", "林娜", "罗斌", "郑燕", "梁超", "谢慧", "宋涛"],
    "fenghuang": ["韩冬梅", "唐伟", "冯玉兰", "于浩", "董静", "萧然", "程勇", "曹颖", "袁野", "邓丽君", "许诺", "傅强"],
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    center: str | None
    display_name: str


DEMO_LOGINS = (
    DemoLogin("admin", Role.admin, None, "区级管理员"),
    DemoLogin("manager", Role.manager, "daxi", "李秀英"),
    DemoLogin("worker", Role.worker, "daxi", "王磊"),
    DemoLogin("canteen", Role.canteen, "daxi", "纸箱厂社区老年食堂"),
)


class DemoModeRequired(DomainError):
    pass


async def load_demo(settings: Settings) -> dict[str, int]:
    """Create whatever of the demo district is missing; returns counts of what was created."""
    if not settings.demo:
        raise DemoModeRequired("演示数据只能在演示模式（CENTER_DEMO=1）下加载")
    created = {"centers": 0, "staff": 0}
    centers: dict[str, int] = {}
    for order, (slug, name, kind, address, phone) in enumerate(DEMO_CENTERS):
        row = await Center.select(Center.id).where(Center.slug == slug).first()
        if row is None:
            row = (
                await Center.insert(
                    Center(slug=slug, name=name, kind=kind, address=address, phone=phone, sort_order=order)
                ).returning(Center.id)
            )[0]
            created["centers"] += 1
        centers[slug] = row["id"]

    existing = {r["username"] for r in await Staff.select(Staff.username)}
    demo_hash = None
    new_rows: list[Staff] = []
    logins = {(login.center, login.display_name): login for login in DEMO_LOGINS}
    people: list[tuple[str, Role, str | None, str]] = [("admin", Role.admin, None, "区级管理员")]
    for slug, names in DEMO_STAFF.items():
        for i, name in enumerate(names):
            login = logins.get((slug, name))
            username = login.username if login else f"{slug}-{i + 1:02d}"
            people.append((username, Role.manager if i == 0 else Role.worker, slug, name))
    people.append(("canteen", Role.canteen, "daxi", "纸箱厂社区老年食堂"))
    demo_usernames = {login.username for login in DEMO_LOGINS}
    for username, role, slug, name in people:
        if username in existing:
            continue
        if username in demo_usernames and demo_hash is None:
            demo_hash = hash_password(DEMO_PASSWORD)
        new_rows.append(
            Staff(
                username=username,
                display_name=name,
                role=role.value,
                center=centers[slug] if slug else None,
                password_hash=demo_hash if username in demo_usernames else None,
                active=True,
                created_at=utcnow(),
            )
        )
    if new_rows:
        await Staff.insert(*new_rows)
        created["staff"] = len(new_rows)
    if any(created.values()):
        await audit.record("demo.load", detail=created)
    return created


async def is_empty() -> bool:
    return not await Center.exists()
