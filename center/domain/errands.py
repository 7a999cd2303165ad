"""帮办代办: the register of households that need help, their agents, 代办 orders and the proactive list.

Seed 004 asks of 帮办代办 "场所、人员、电话、制度、记录": a register of who needs help (独居, 空巢, 残疾, 低保, 高龄),
an assigned agent (代办员) for each household, a 代办 order (a demand of kind 代办) that may open catalog cases on
the resident's behalf with the power of attorney (委托书) received, and a log of home visits (上门服务).

Proactive work: each month the seniors who turn 60, 70 or 80 are listed, from the dining registry's birth dates and
the ID numbers of visits, with the catalog items their age opens (老年证 at 60, 高龄津贴 at 80, 助餐登记 for one not
yet registered for the dining subsidy). Nothing is created until a person ticks and confirms.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from center.domain import DomainError
from center.domain.privacy import ResidentDataError, normalize_id_number, normalize_name, normalize_phone


class ErrandError(DomainError):
    pass


TAGS = ("独居", "空巢", "残疾", "低保", "高龄")
MILESTONES = (60, 70, 80)
# What each milestone proposes, as words found in the catalog item's name (the district's catalog names its own
# items; the demo's are 老年人优待证办理（老年证）, 高龄津贴申请 and 老年人助餐服务登记).
ITEM_WORDS = {"senior_card": "老年证", "longevity": "高龄津贴", "dining": "助餐"}


@dataclass(frozen=True)
class HouseholdInput:
    name: str
    id_number: str
    phone: str
    address: str
    tags: tuple[str, ...]
    note: str

    @property
    def tags_json(self) -> str:
        return json.dumps(list(self.tags), ensure_ascii=False)


def check_household(*, name: object, id_number: object, phone: object, address: object, tags: Iterable[object],
                    note: object, today: date) -> HouseholdInput:
    """A household as typed; every wrong field is told at once (ErrandError.errors, in the form's order)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, check in (("name", lambda: normalize_name(str(name or ""), required=True)),
                         ("id_number", lambda: normalize_id_number(str(id_number or ""), today=today)),
                         ("phone", lambda: normalize_phone(str(phone or "")))):
        try:
            values[field] = check()
        except ResidentDataError as exc:
            errors[field] = str(exc).replace("居民姓名", "帮扶对象姓名")
    address = " ".join(str(address or "").split())
    if not address:
        errors["address"] = "请填写住址（小区、楼栋、房号）"
    elif len(address) > 200:
        errors["address"] = "住址不能超过 200 个字"
    picked = []
    for tag in tags:
        if tag not in TAGS:
            errors["tags"] = "帮扶类别只能是：" + "、".join(TAGS)
        elif tag not in picked:
            picked.append(tag)
    if not picked and "tags" not in errors:
        errors["tags"] = "请至少选择一个帮扶类别（" + "、".join(TAGS) + "）"
    note = str(note or "").strip()
    if len(note) > 500:
        errors["note"] = "备注不能超过 500 个字"
    if errors:
        raise ErrandError(errors=errors)
    return HouseholdInput(values["name"], values["id_number"], values["phone"], address, tuple(picked), note)


def check_home_visit(*, day: date | None, who: object, what: object, today: date) -> tuple[date, str, str]:
    if day is None:
        raise ErrandError("请填写上门日期", field="day")
    if day > today:
        raise ErrandError("上门日期不能晚于今天", field="day")
    who = " ".join(str(who or "").split())
    what = str(what or "").strip()
    if not who:
        raise ErrandError("请填写上门人员", field="who")
    if len(who) > 100:
        raise ErrandError("上门人员不能超过 100 个字", field="who")
    if not what:
        raise ErrandError("请填写服务内容：做了什么", field="what")
    if len(what) > 1000:
        raise ErrandError("服务内容不能超过 1000 个字", field="what")
    return day, who, what


# ---- the proactive list ----------------------------------------------------------------------------------------

def turning(birth: date, month_first: date) -> int | None:
    """60, 70 or 80 when the birthday of that age falls in the month starting `month_first`."""
    if birth.month != month_first.month:
        return None
    age = month_first.year - birth.year
    return age if age in MILESTONES else None


def proposals(age: int, dining_registered: bool) -> list[str]:
    """The items a milestone proposes (keys of ITEM_WORDS), in the order an agent would do them."""
    out = []
    if age == 60:
        out.append("senior_card")
    if age == 80:
        out.append("longevity")
    if not dining_registered:
        out.append("dining")
    return out


@dataclass(frozen=True)
class Person:
    """A resident the proactive list may name: from the dining registry or a visit (the ID number is the key)."""

    id_number: str
    name: str
    birth: date
    phone: str
    source: str  # "dining" | "household" | "visit"


def milestone_list(people: Sequence[Person], month_first: date, registered: set[str]) -> list[dict]:
    """Each person once (the registry's record first), with the age they turn this month and what it proposes."""
    seen: dict[str, dict] = {}
    order = {"dining": 0, "household": 1, "visit": 2}  # the registry's record first, then the register's
    for person in sorted(people, key=lambda p: (order.get(p.source, 3), p.name)):
        if person.id_number in seen:
            continue
        age = turning(person.birth, month_first)
        if age is None:
            continue
        items = proposals(age, person.id_number in registered)
        if items:
            seen[person.id_number] = {"person": person, "age": age, "items": items}
    return sorted(seen.values(), key=lambda r: (r["person"].birth.day, r["person"].name))


def proactive_key(id_number: str, age: int, center_id: int) -> str:
    """One proposal per person and milestone: the order created from it carries this key, so confirming twice
    (two tabs, a double click) creates it once. A digest of the ID number, never the number itself: the key is
    kept on the order (its source number) where the ID number must not be read."""
    digest = hashlib.sha256(f"proactive:{center_id}:{id_number}".encode()).hexdigest()[:20]
    return f"P{age}-{digest}"
