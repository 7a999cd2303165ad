"""A month of ratings with known figures (October 2026 at a center of its own, one more in November), for the
figures' service, page and workbook.

    rating  worker  window  item  score  channel   follow-up
    1       张敏    1       MZ01  5      phone
    2       张敏    1       MZ01  4      callback
    3       张敏    1       ZF01  3      pad
    4       李华    2       ZF01  2      phone     属实, fixed on time
    5       李华    2       MZ01  1      phone     属实, fixed late
    6       李华    2       MZ01  1      phone     不属实
    7       李华    2       ZF01  2      pad       not yet checked
    8       李华    2       MZ01  1      phone     appeal upheld: not counted
    9       张敏    —       ZF01  5      callback
    10      李华    2       MZ01  5      phone     (November 3)

Worked figures of October (rating 8 left out): 8 ratings; 好评 1, 2, 3, 9 = 4 → 好评率 50.0 %; 差评 4 (4, 5, 6, 7);
checked 3 (4, 5, 6), founded 2 → 核实属实率 66.7 %; fixed 2 of 2 → 整改率 100.0 %; on time 1 of 2 → 按期整改率 50.0 %;
callbacks 2 (2, 9) of 8 → 回访率 25.0 %.
By worker: 张敏 4 ratings, 100.0 %; 李华 4 counted, 0.0 %, 4 差评. By window: 1号窗口 3, 100.0 %; 2号窗口 4, 0.0 %;
no window 1. Levels: 非常满意 2, 满意 1, 基本满意 1, 不满意 2, 非常不满意 2. Ranking: 1号窗口 first, 2号窗口 second.
The year: 9 ratings, 好评 5 → 55.6 %; November alone 100.0 % (2号窗口 first that month).
"""

from __future__ import annotations

from datetime import date, datetime

from center.tables import Rating, RatingFollowup
from center.timeutil import LOCAL_TZ
from tests.factories import item_id, load_demo_catalog, make_center, make_staff

MONTH = "2026-10"


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LOCAL_TZ)


_serial = 0


async def make_rating(center: dict, *, score: int, worker: dict | None = None, window: str = "", item: int | None = None,
                      channel: str = "phone", at_: datetime, followup: dict | None = None) -> int:
    """One rating (and, when given, its follow-up row as the steps would have left it)."""
    global _serial
    _serial += 1
    rating_id = (await Rating.insert(Rating(
        center=center["id"], subject=f"test:{center['id']}:{_serial}", channel=channel, score=score,
        worker=worker["id"] if worker else None, window=window, item=item, at=at_,
    )).returning(Rating.id))[0]["id"]
    if followup is not None:
        await RatingFollowup.insert(RatingFollowup(
            rating=rating_id, center=center["id"], state=followup.get("state", "pending"),
            verify_due=at_.date(), founded=followup.get("founded"), fixed_on=followup.get("fixed_on"),
            fixed_on_time=followup.get("fixed_on_time"), appeal=followup.get("appeal", ""), updated_at=at_))
    return rating_id


async def known_rating_month(settings) -> dict:
    """The center, its manager (to log in with) and the ten ratings above."""
    await load_demo_catalog()
    center = await make_center()
    manager = await make_staff(settings, "manager", center, display_name="测试主任")
    zhang = await make_staff(settings, "worker", center, display_name="张敏")
    li = await make_staff(settings, "worker", center, display_name="李华")
    mz, zf = await item_id("MZ01"), await item_id("ZF01")
    fixed = {"state": "fixed", "founded": True, "fixed_on": date(2026, 10, 16)}
    rows = [
        dict(score=5, worker=zhang, window="1", item=mz, at_=at(10, 12)),
        dict(score=4, worker=zhang, window="1", item=mz, channel="callback", at_=at(10, 12, 11)),
        dict(score=3, worker=zhang, window="1", item=zf, channel="pad", at_=at(10, 13)),
        dict(score=2, worker=li, window="2", item=zf, at_=at(10, 13, 11), followup={**fixed, "fixed_on_time": True}),
        dict(score=1, worker=li, window="2", item=mz, at_=at(10, 14), followup={**fixed, "fixed_on_time": False}),
        dict(score=1, worker=li, window="2", item=mz, at_=at(10, 14, 11),
             followup={"state": "unfounded", "founded": False}),
        dict(score=2, worker=li, window="2", item=zf, channel="pad", at_=at(10, 15), followup={}),
        dict(score=1, worker=li, window="2", item=mz, at_=at(10, 15, 11), followup={"appeal": "upheld"}),
        dict(score=5, worker=zhang, window="", item=zf, channel="callback", at_=at(10, 16)),
        dict(score=5, worker=li, window="2", item=mz, at_=at(11, 3)),
    ]
    for row in rows:
        await make_rating(center, **row)
    return {"center": center, "manager": manager, "zhang": zhang, "li": li}
