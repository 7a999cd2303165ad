"""A canteen with a terminal token and funded seniors, for tests against a real server."""

from __future__ import annotations

import itertools
from datetime import date

from center.domain.privacy import id_check_digit
from center.services import dining
from center.tables import Canteen, Senior
from center.timeutil import local_today, utcnow
from tests.support.factories import make_center

_seq = itertools.count(1)


def id_number(birth: date, seq: int) -> str:
    body = f"371626{birth:%Y%m%d}{seq % 1000:03d}"
    return body + id_check_digit(body)


async def canteen_with_terminal() -> tuple[int, str, dict]:
    center = await make_center()
    n = next(_seq)
    canteen_id = (await Canteen.insert(Canteen(center=center["id"], code=f"LC{n}x{id(center) % 10000}",
                                               name=f"测试食堂{n}")).returning(Canteen.id))[0]["id"]
    token = await dining.create_device(None, canteen_id, "测试终端")
    return canteen_id, token, center


async def funded_senior(center: dict, birth: date = date(1950, 5, 5)) -> dict:
    n = next(_seq) + 500
    card = f"L{n:05d}{id(center) % 97:02d}"
    senior_id = (await Senior.insert(Senior(
        name=f"测试老人{n}", id_number=id_number(birth, n + id(center) % 500), birth_date=birth, center=center["id"],
        card_no=card, active=True, created_at=utcnow())).returning(Senior.id))[0]["id"]
    await dining.grant_due(local_today())
    return {"id": senior_id, "card_no": card}
