"""The dining registry: seniors and their meal cards, and the centers and canteens a staff member may pick."""

from __future__ import annotations

from datetime import date

from center.db import statements
from center.domain import AccessDenied, NotFound
from center.domain.ledger import LedgerError
from center.domain.privacy import ResidentDataError, id_number_birth_date, normalize_id_number, normalize_phone
from center.services import audit
from center.services.identity import CurrentUser
from center.tables import Canteen, Center, Senior, Staff
from center.timeutil import local_today, utcnow


class UnknownCard(NotFound):
    pass




async def senior_by_card(card_no: str) -> dict:
    card_no = (card_no or "").strip().upper()
    row = await statements.SENIOR_BY_CARD.first(card=card_no) if card_no else None
    if row is None or not row["active"]:
        raise UnknownCard("没有这张就餐卡")
    return row


async def add_senior(actor: CurrentUser, *, name: str, id_number: str, birth_date: date, center_id: int,
                     community: str, phone: str, card_no: str) -> int:
    """Register a senior: the ID number must pass its checksum and agree with the birth date."""
    name = " ".join((name or "").split())
    if not name or len(name) > 40:
        raise LedgerError("请填写姓名（不超过 40 个字）")
    try:
        id_number = normalize_id_number(id_number, today=local_today())
        phone = normalize_phone(phone)
    except ResidentDataError as exc:
        raise LedgerError(str(exc)) from None
    if not id_number:
        raise LedgerError("请填写身份证号")
    if id_number_birth_date(id_number) != birth_date:
        raise LedgerError("身份证号中的出生日期与填写的出生日期不一致")
    card_no = (card_no or "").strip().upper()
    if not card_no or len(card_no) > 20 or not card_no.isalnum():
        raise LedgerError("就餐卡号须为 1–20 位字母或数字")
    if not actor.may_see_center(center_id):
        raise AccessDenied("只能登记本中心的老年人")
    if await Senior.exists().where(Senior.card_no == card_no):
        raise LedgerError(f"就餐卡号 {card_no} 已被使用")
    if await Senior.exists().where(Senior.id_number == id_number):
        raise LedgerError("该身份证号已登记")
    senior_id = (await Senior.insert(Senior(name=name, id_number=id_number, birth_date=birth_date, center=center_id,
                                            community=(community or "").strip()[:80], phone=phone, card_no=card_no,
                                            active=True, created_at=utcnow())).returning(Senior.id))[0]["id"]
    await audit.record("dining.senior_add", actor=actor, center_id=center_id, object_type="senior", object_id=senior_id)
    return senior_id


async def seniors_list(actor: CurrentUser, query: str = "", limit: int = 100) -> list[dict]:
    q = Senior.select(Senior.id, Senior.name, Senior.card_no, Senior.birth_date, Senior.id_number, Senior.community,
                      Senior.active, Senior.center.name.as_alias("center_name"))
    if not actor.is_admin:
        q = q.where(Senior.center == (actor.center_id or 0))
    text = (query or "").strip()
    if text:
        q = q.where((Senior.card_no == text.upper()) | Senior.name.like(f"%{text[:20]}%"))
    return await q.order_by(Senior.card_no).limit(limit)


async def centers() -> list[dict]:
    return await Center.select(Center.id, Center.name).order_by(Center.sort_order)


async def canteens_for(actor: CurrentUser) -> list[dict]:
    query = Canteen.select(Canteen.all_columns(), Canteen.center.name.as_alias("center_name")).order_by(Canteen.code)
    if not actor.is_admin:
        if actor.role == "canteen":
            query = query.where(Canteen.id == (await operator_canteen(actor)))
        else:
            query = query.where(Canteen.center == (actor.center_id or 0))
    return await query


async def operator_canteen(actor: CurrentUser) -> int:
    row = await Staff.select(Staff.canteen).where(Staff.id == actor.id).first()
    if not row or row["canteen"] is None:
        raise AccessDenied("该账号未绑定助餐点")
    return row["canteen"]
