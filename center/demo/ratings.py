"""The demo's 好差评: the finished demo cases rated from all three channels, mostly well, and five 差评 left at
the follow-up's stages a manager meets (待核实, 整改中, 不属实 awaiting 反馈, 已反馈, an appeal waiting for the admin).

Everything goes through center.services.ratings, dated in the past with the services' own `now`, so the rows,
events, deadlines and audit entries are the ones the live pages would have written. Seeded, relative to the demo's
clock (CENTER_CLOCK), and skipped for a center that has ratings already (safe to load twice).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from center.config import Settings
from center.domain import DomainError
from center.domain.cases import CaseStatus
from center.services import ratings
from center.services.identity import CurrentUser, load_user
from center.tables import Case, Rating, RatingPad, Staff
from center.timeutil import utcnow

# The rating pad the demo registers, at the demo worker's window (the printout of `center demo` gives its address).
PAD_CENTER = "daxi"
PAD_WORKER = "worker"

GOOD_COMMENTS = ("工作人员很耐心，一次就办好了", "材料讲得很清楚", "不用来回跑，点赞", "中午也能办，方便", "")
CALLBACK_METHOD_WEIGHTS = (("phone", 8), ("visit", 1), ("sms", 1), ("wechat", 2))

# The five 差评 and where their follow-ups stand: (stage, how many days before now the case finished at the
# latest, score, reasons, comment, channel). Each step's note is what a manager would write.
BAD = (
    ("closed", 4, 1, ["efficiency"], "等了很久才打出来，说是机器坏了", "callback"),
    ("appeal", 3, 1, ["rules"], "政策太死板，非要本人来", "phone"),
    ("fixing", 2, 1, ["notice", "trips"], "第一次来没说要带户口簿原件，又跑了一趟", "phone"),
    ("unfounded", 1, 2, ["attitude"], "窗口人员说话不耐烦", "phone"),
    ("pending", 0, 2, ["waiting"], "排队等了四十多分钟", "phone"),
)
NOTES = {
    "closed": ("电话联系居民核实：当日上午证照打印机故障，出件延误约 30 分钟，情况属实。",
               "更换打印机硒鼓并增配一台备用打印机，建立设备故障 10 分钟内报修、启用备用机的流程。",
               "您反映的出件慢问题属实。我们已修复并增配备用打印设备，今后设备故障时即时启用备用机。感谢您的监督！"),
    "appeal": ("调阅窗口记录并电话联系居民：该事项按规定须本人到场核验，工作人员已解释清楚，差评不属实。",
               "",
               "经核实，该事项依规定须申请人本人到场办理，窗口人员已按规定告知。给您带来不便，敬请谅解。"),
    "fixing": ("电话联系居民核实：首次咨询时未告知需携带户口簿原件，一次性告知不到位，情况属实。", "", ""),
    "unfounded": ("调阅窗口录像并与居民沟通：工作人员按规定解释政策，语气平和，差评不属实。", "", ""),
}
APPEAL_REASON = "差评原因是本人到场的政策规定，不是本人服务问题，申请不计入个人考核。"


async def load_ratings(centers: dict[str, int], settings: Settings) -> int:
    """The demo pad, and the ratings of the demo's finished cases at daxi and huanghe; returns the ratings made."""
    await _demo_pad(centers)
    made = 0
    for slug in ("daxi", "huanghe"):
        if await Rating.exists().where(Rating.center == centers[slug]):
            continue  # rated before (safe to run twice)
        made += await _rate_center(centers[slug], slug == PAD_CENTER, settings)
    return made


async def _manager(center_id: int) -> CurrentUser:
    row = await Staff.select(Staff.id).where((Staff.center == center_id) & (Staff.role == "manager")).order_by(
        Staff.id).first()
    return await load_user(row["id"])


async def _pad_window(center_id: int) -> str:
    row = await Staff.select(Staff.window).where((Staff.username == PAD_WORKER) & (Staff.center == center_id)).first()
    return (row or {}).get("window") or "2号窗口"


async def _demo_pad(centers: dict[str, int]) -> None:
    center_id = centers[PAD_CENTER]
    if await RatingPad.exists().where(RatingPad.token_hash == ratings._hash(ratings.DEMO_PAD_TOKEN)):
        return
    window = await _pad_window(center_id)
    await ratings.register_pad(await _manager(center_id), center_id, window, f"{window}评价器",
                               token=ratings.DEMO_PAD_TOKEN)


async def demo_pad_path() -> str | None:
    """The demo pad's path with its token (/rate/daxi/2号窗口?pad=…, percent-encoded), once it is registered."""
    from urllib.parse import quote

    pad = await RatingPad.select(RatingPad.window, RatingPad.center.slug.as_alias("slug")).where(
        (RatingPad.token_hash == ratings._hash(ratings.DEMO_PAD_TOKEN)) & RatingPad.revoked_at.is_null()).first()
    if pad is None:
        return None
    return f"/rate/{pad['slug']}/{quote(pad['window'])}?pad={ratings.DEMO_PAD_TOKEN}"


async def _finished(center_id: int, now: datetime) -> list[dict]:
    return await Case.select(Case.id, Case.public_token, Case.closed_at, Case.window, Case.receiver,
                             Case.receiver.username.as_alias("receiver_username")).where(
        (Case.center == center_id)
        & Case.status.is_in([CaseStatus.completed.value, CaseStatus.refused.value, CaseStatus.consult.value])
        & (Case.closed_at <= now - timedelta(minutes=5))
    ).order_by(Case.closed_at).order_by(Case.id)


def _pick_bad(finished: list[dict], now: datetime, manager_id: int) -> dict[int, tuple]:
    """For each stage, the latest case finished at least its days before now, received by someone other than the
    manager who follows it up (a 差评 about the manager is the admin's); the appeal prefers the demo worker's own
    case, so `worker` sees it; case id -> the BAD line."""
    chosen: dict[int, tuple] = {}
    for line in BAD:
        stage, days = line[0], line[1]
        older = [c for c in finished if c["closed_at"] <= now - timedelta(days=days) and c["id"] not in chosen
                 and c["receiver"] != manager_id]
        if stage == "appeal":
            older = [c for c in older if c["receiver_username"] == PAD_WORKER] or older
        if older:
            chosen[older[-1]["id"]] = line
    return chosen


async def _rate_center(center_id: int, with_stages: bool, settings: Settings) -> int:
    rng = random.Random(20261204 + center_id)
    now = utcnow()
    manager = await _manager(center_id)
    desk = [await load_user(s["id"]) for s in await Staff.select(Staff.id).where(
        (Staff.center == center_id) & Staff.role.is_in(["worker", "manager"])).order_by(Staff.id).limit(6)]
    pad_window = await _pad_window(center_id) if with_stages else None
    pad = {"center": center_id, "window": pad_window}
    finished = await _finished(center_id, now)
    bad = _pick_bad(finished, now, manager.id) if with_stages else {}
    made = 0
    for case in finished:
        line = bad.get(case["id"])
        if line is not None:
            made += await _bad(case, line, manager, desk, now, settings)
            continue
        if rng.random() > 0.7:
            continue  # not every resident rates
        score = rng.choices([5, 4, 3], [72, 21, 7])[0]
        reasons = ["waiting"] if score == 3 and rng.random() < 0.5 else []
        comment = rng.choice(GOOD_COMMENTS) if score == 5 and rng.random() < 0.3 else ""
        closed = case["closed_at"]
        roll = rng.random()
        try:
            if case["window"] == pad_window and roll < 0.75:
                at = closed + timedelta(minutes=rng.randint(1, 4))
                if at < now and await _at_pad(pad, case["id"], score, reasons, comment, at, settings):
                    made += 1
                    continue
            if roll > 0.85:
                at = (closed + timedelta(days=1)).replace(minute=rng.randint(0, 59))
                if at < now:
                    method = rng.choices([m for m, _ in CALLBACK_METHOD_WEIGHTS],
                                         [w for _, w in CALLBACK_METHOD_WEIGHTS])[0]
                    callers = [d for d in desk if d.id != case["receiver"]]  # not the one who served
                    await ratings.rate_by_callback(rng.choice(callers), case["id"], score, reasons, comment, method,
                                                   settings=settings, now=at)
                    made += 1
                    continue
            at = min(closed + timedelta(minutes=rng.randint(2, 360)), now - timedelta(minutes=1))
            await ratings.rate_by_token(case["public_token"], score, reasons, comment, settings=settings, now=at)
            made += 1
        except DomainError:
            continue  # what the live service would refuse is left unrated
    return made


async def _at_pad(pad: dict, case_id: int, score, reasons, comment, at: datetime, settings: Settings) -> bool:
    """The pad asks about the service just finished at its window; another one finished since: not this one."""
    current = await ratings.service_at_window(pad["center"], pad["window"], at)
    if current is None or current["case_id"] != case_id:
        return False
    await ratings.rate_at_pad(pad, case_id, score, reasons, comment, settings=settings, now=at)
    return True


async def _bad(case: dict, line: tuple, manager: CurrentUser, desk: list[CurrentUser], now: datetime,
               settings: Settings) -> int:
    stage, _, score, reasons, comment, channel = line
    at = min(case["closed_at"] + timedelta(minutes=12), now - timedelta(minutes=2))
    if channel == "callback":
        rated = await ratings.rate_by_callback(manager, case["id"], score, reasons, comment, "phone",
                                               settings=settings, now=at)
    else:
        rated = await ratings.rate_by_token(case["public_token"], score, reasons, comment, settings=settings, now=at)
    if stage == "pending":
        return 1
    verify, fix, feedback = NOTES[stage]
    # Each step a working morning or so after the one before it, never after now.
    steps = {"verify": at + timedelta(hours=20), "fix": at + timedelta(hours=44), "feedback": at + timedelta(hours=46),
             "appeal": at + timedelta(hours=48)}
    if any(when >= now for name, when in steps.items() if _needed(stage, name)):
        return 1  # too close to now for its stage: left 待核实 rather than dated in the future
    founded = stage in ("closed", "fixing")
    await ratings.act(manager, rated.followup_id, "verify", note=verify, founded=founded, settings=settings,
                      now=steps["verify"])
    if stage == "closed":
        await ratings.act(manager, rated.followup_id, "fix", note=fix, settings=settings, now=steps["fix"])
    if stage in ("closed", "appeal"):
        await ratings.act(manager, rated.followup_id, "feedback", note=feedback, settings=settings,
                          now=steps["feedback"])
    if stage == "appeal":
        worker = await load_user(case["receiver"])
        await ratings.appeal(worker, rated.followup_id, APPEAL_REASON, now=steps["appeal"])
    return 1


def _needed(stage: str, step: str) -> bool:
    return {"verify": True, "fix": stage == "closed", "feedback": stage in ("closed", "appeal"),
            "appeal": stage == "appeal"}[step]
