"""A senior's phone page (/my/{token}) for the senior or a family member (issue #16): created by a manager with the
token shown once (only its hash is kept), the family member's with the senior's consent recorded; the dynamic QR it
shows; revoking it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from center.domain import AccessDenied, DomainError, NotFound
from center.domain.verification import ScannedCode, make_code, read_code
from center.services import audit
from center.services.identity import CurrentUser
from center.tables import Senior, SeniorLink
from center.timeutil import utcnow

HOLDERS = {"self": "本人", "family": "家属"}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _senior_for(actor: CurrentUser, senior_id: int) -> dict:
    senior = await Senior.select(Senior.id, Senior.center, Senior.name, Senior.card_no).where(
        Senior.id == senior_id).first()
    if senior is None:
        raise NotFound("没有这位老人")
    if not actor.may_see_center(senior["center"]):
        raise AccessDenied("只能管理本中心老人的手机页面")
    return senior


async def create_link(actor: CurrentUser, senior_id: int, *, holder: str, holder_name: str = "", relation: str = "",
                      consent_note: str = "") -> str:
    """A new phone page for the senior or a family member; returns the token once. A family member's needs their
    name, relation and how the senior consented (代为订餐须经老人同意)."""
    await _senior_for(actor, senior_id)
    if holder not in HOLDERS:
        raise DomainError("请选择本人或家属", field="holder")
    holder_name = " ".join((holder_name or "").split())
    relation = " ".join((relation or "").split())
    consent_note = " ".join((consent_note or "").split())
    errors = {}
    if holder == "family":
        if not holder_name or len(holder_name) > 40:
            errors["holder_name"] = "请填写家属姓名（不超过 40 个字）"
        if not relation or len(relation) > 20:
            errors["relation"] = "请填写与老人的关系，如 子女、配偶"
        if not consent_note or len(consent_note) > 200:
            errors["consent_note"] = "请记录老人如何同意家属代为订餐（如：本人到场口头同意、签字同意书）"
    if errors:
        raise DomainError(errors=errors)
    token = secrets.token_urlsafe(24)
    link_id = (await SeniorLink.insert(SeniorLink(
        senior=senior_id, token_hash=hash_token(token), holder=holder, holder_name=holder_name[:40],
        relation=relation[:20], consent_note=consent_note[:200], created_by=actor.id, created_at=utcnow(),
    )).returning(SeniorLink.id))[0]["id"]
    await audit.record("dining.link_create", actor=actor, object_type="senior_link", object_id=link_id,
                       detail={"senior": senior_id, "holder": holder, "relation": relation,
                               "consent": consent_note})
    return token


async def links_of(actor: CurrentUser, senior_id: int) -> list[dict]:
    await _senior_for(actor, senior_id)
    rows = await SeniorLink.select(
        SeniorLink.id, SeniorLink.holder, SeniorLink.holder_name, SeniorLink.relation, SeniorLink.consent_note,
        SeniorLink.created_at, SeniorLink.revoked_at, SeniorLink.created_by.display_name.as_alias("created_by_name"),
    ).where(SeniorLink.senior == senior_id).order_by(SeniorLink.id, ascending=False)
    for row in rows:
        row["holder_label"] = HOLDERS.get(row["holder"], row["holder"])
    return rows


async def revoke_link(actor: CurrentUser, senior_id: int, link_id: int) -> None:
    await _senior_for(actor, senior_id)
    row = await SeniorLink.select(SeniorLink.id, SeniorLink.revoked_at).where(
        (SeniorLink.id == link_id) & (SeniorLink.senior == senior_id)).first()
    if row is None:
        raise NotFound("没有这个手机页面链接")
    if row["revoked_at"] is None:
        await SeniorLink.update({SeniorLink.revoked_at: utcnow()}).where(SeniorLink.id == link_id)
        await audit.record("dining.link_revoke", actor=actor, object_type="senior_link", object_id=link_id,
                           detail={"senior": senior_id})


async def link_by_token(token: str) -> dict:
    """The live link of a phone page's address (NotFound for an unknown or revoked one)."""
    row = await SeniorLink.select(
        SeniorLink.all_columns(), SeniorLink.senior.name.as_alias("senior_name"),
        SeniorLink.senior.card_no.as_alias("card_no"), SeniorLink.senior.birth_date.as_alias("birth_date"),
        SeniorLink.senior.center.as_alias("center"),
    ).where(SeniorLink.token_hash == hash_token(token or "")).first()
    if row is None or row["revoked_at"] is not None:
        raise NotFound("这个手机页面链接无效或已停用，请联系社区党群服务中心")
    return row


def code_for(secret: str, link_id: int, now: datetime | None = None) -> tuple[str, datetime]:
    """A fresh dynamic QR for the phone page (a new nonce each time)."""
    return make_code(secret, link_id, now or utcnow(), secrets.token_urlsafe(9))


async def senior_of_code(secret: str, text: str, now: datetime) -> tuple[dict, ScannedCode]:
    """The senior a scanned code stands for (the link must still be live) and the code's nonce."""
    scanned = read_code(secret, text, now)
    row = await SeniorLink.select(SeniorLink.revoked_at, SeniorLink.senior.card_no.as_alias("card_no")).where(
        SeniorLink.id == scanned.link_id).first()
    if row is None or row["revoked_at"] is not None:
        from center.domain.verification import VerificationError

        raise VerificationError("这个手机页面已停用，动态码无效，请改为刷卡")
    return row, scanned
