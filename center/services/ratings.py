"""好差评: recording a rating from any channel, the 整改 follow-up of a 差评, appeals, reminders and figures.

Rules live in center.domain.ratings; this module loads, checks, writes (one transaction per step, with its event
and audit row) and answers. A rating is about a case (consultations included): its `subject` "case:<id>" is unique,
so a service is rated once whichever channel comes first.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from center import db
from center.config import Settings
from center.domain import AccessDenied, NotFound
from center.domain.cases import STATUS_LABELS, CaseStatus
from center.domain.ratings import (
    ALREADY_RATED,
    APPEAL_LABELS,
    CALLBACK_METHODS,
    CHANNEL_LABELS,
    MAX_COMMENT,
    MARK_LABELS,
    OPEN_STATES,
    SCORE_LABELS,
    STATE_LABELS,
    STEP_LABELS,
    TOKEN_RE,
    UNKNOWN_TOKEN,
    AlreadyRated,
    Appeal,
    Channel,
    Deadlines,
    Mark,
    RatingConflict,
    RatingError,
    RatingFact,
    Score,
    State,
    Step,
    TooManyRatings,
    WAITING_FOR,
    allowed_steps,
    apply,
    check_appeal,
    check_callback_by,
    check_decision,
    check_rating,
    deadline_mark,
    not_ratable_reason,
    verify_due,
)
from center.services import audit
from center.services.calendar import get_calendar
from center.services.identity import CurrentUser
from center.tables import (
    Case,
    Rating,
    RatingAttempt,
    RatingEvent,
    RatingFollowup,
    RatingPad,
    RatingReason,
    Staff,
)
from center.timeutil import local_today, to_local, utcnow

# The rate limit: submissions per token and per address within the window (a pad, signed in, has no address limit).
ATTEMPT_WINDOW = timedelta(minutes=10)
MAX_PER_TOKEN = 5
MAX_PER_ADDRESS = 30
ATTEMPTS_KEPT = timedelta(days=1)
# A pad asks about the last service finished at its window within this time.
PAD_RECENT = timedelta(minutes=15)


def deadlines_of(settings: Settings | None) -> Deadlines:
    if settings is None:
        return Deadlines()
    return Deadlines(callback_days=settings.rating_callback_days, fix_days=settings.rating_fix_days)


async def reasons() -> list[dict]:
    """The district's list of reasons a resident may tick, in order."""
    return await RatingReason.select(RatingReason.code, RatingReason.label).where(
        RatingReason.active == True).order_by(RatingReason.sort_order).order_by(RatingReason.id)  # noqa: E712


async def _reason_labels() -> dict[str, str]:
    rows = await RatingReason.select(RatingReason.code, RatingReason.label)
    return {r["code"]: r["label"] for r in rows}


# ---- the rate limit ----

async def _check_rate(token: str, client: str, now: datetime, *, per_address: bool) -> None:
    since = now - ATTEMPT_WINDOW
    if token:
        by_token = await RatingAttempt.count().where(
            (RatingAttempt.key == f"token:{token[:60]}") & (RatingAttempt.at >= since))
        if by_token >= MAX_PER_TOKEN:
            raise TooManyRatings("提交过于频繁，请稍后再试")
    if per_address and client:
        by_address = await RatingAttempt.count().where(
            (RatingAttempt.key == f"ip:{client[:64]}") & (RatingAttempt.at >= since))
        if by_address >= MAX_PER_ADDRESS:
            raise TooManyRatings("本网络提交评价过于频繁，请稍后再试")


async def _record_attempt(token: str, client: str, now: datetime, outcome: str) -> None:
    rows = [RatingAttempt(key=f"token:{token[:60]}", at=now, outcome=outcome)] if token else []
    if client:
        rows.append(RatingAttempt(key=f"ip:{client[:64]}", at=now, outcome=outcome))
    if not rows:
        return
    async with db.point_write():
        await RatingAttempt.insert(*rows)


async def purge_attempts(now: datetime | None = None) -> int:
    now = now or utcnow()
    gone = await RatingAttempt.delete().where(RatingAttempt.at < now - ATTEMPTS_KEPT).returning(RatingAttempt.id)
    return len(gone)


# ---- recording a rating ----

@dataclass(frozen=True)
class Rated:
    rating_id: int
    bad: bool
    followup_id: int | None


_CLIENT_JUNK = re.compile(r"[^0-9A-Za-z.:_-]")


async def _case_by_token(token: str) -> dict:
    if not token or len(token) > 40:
        raise NotFound(UNKNOWN_TOKEN)
    case = await Case.select(Case.id, Case.center, Case.status, Case.receiver, Case.window, Case.item,
                             Case.closed_at).where(Case.public_token == token).first()
    if case is None:
        raise NotFound(UNKNOWN_TOKEN)
    return case


async def _rated(case_id: int) -> bool:
    return await Rating.exists().where(Rating.subject == f"case:{case_id}")


def _is_unique_violation(exc: Exception) -> bool:
    name = type(exc).__name__
    return name in ("UniqueViolationError", "IntegrityError") and "unique" in str(exc).lower()


async def _insert(case: dict, given, *, channel: Channel, now: datetime, deadlines: Deadlines,
                  method: str = "", entered_by: CurrentUser | None = None) -> Rated:
    """One rating and, for a 差评, its follow-up opened with its first deadline: in one transaction."""
    calendar = await get_calendar()
    today = to_local(now).date()
    try:
        async with db.point_write():
            if await _rated(case["id"]):
                raise AlreadyRated(ALREADY_RATED)
            rating_id = (await Rating.insert(Rating(
                center=case["center"], case=case["id"], subject=f"case:{case['id']}", channel=channel.value,
                score=int(given.score), reasons=given.reasons_json, comment=given.comment, worker=case["receiver"],
                window=case["window"] or "", item=case["item"], method=method,
                entered_by=entered_by.id if entered_by else None, at=now,
            )).returning(Rating.id))[0]["id"]
            followup_id = None
            if given.bad:
                due = verify_due(today, deadlines, calendar)
                followup_id = (await RatingFollowup.insert(RatingFollowup(
                    rating=rating_id, center=case["center"], state=State.pending.value, due_on=due, verify_due=due,
                    appeal="", version=1, updated_at=now,
                )).returning(RatingFollowup.id))[0]["id"]
                await RatingEvent.insert(RatingEvent(
                    followup=followup_id, at=now, actor=None, action="open", from_state="",
                    to_state=State.pending.value, note=f"{SCORE_LABELS[given.score]}：{CHANNEL_LABELS[channel]}"))
            await audit.record("rating.record", actor=entered_by, center_id=case["center"], object_type="rating",
                               object_id=rating_id, detail={"channel": channel.value, "score": int(given.score),
                                                           "case": case["id"]})
    except Exception as exc:
        if _is_unique_violation(exc):  # another process rated it in between
            raise AlreadyRated(ALREADY_RATED) from None
        raise
    return Rated(rating_id=rating_id, bad=given.bad, followup_id=followup_id)


async def rate_by_token(token: str, score: object, reasons_given: object, comment: object, *, client: str = "",
                        settings: Settings | None = None, now: datetime | None = None) -> Rated:
    """The resident's own phone (/s/{token}, POST /api/v1/ratings): 404 unknown, 422 unfinished or bad input,
    409 rated already, 429 too many tries; nothing is recorded on any of them."""
    now = now or utcnow()
    token = (token or "").strip() if isinstance(token, str) else ""
    if not TOKEN_RE.fullmatch(token):
        token = ""  # no token of ours (and nothing to count it by): 404 below, counted by the address only
    client = _CLIENT_JUNK.sub("", client or "")
    await _check_rate(token, client, now, per_address=True)
    outcome = "refused"
    try:
        case = await _case_by_token(token)
        why = not_ratable_reason(case["status"])
        if why:
            raise RatingError(why)
        if await _rated(case["id"]):
            raise AlreadyRated(ALREADY_RATED)
        if not isinstance(reasons_given, (list, tuple)) and reasons_given is not None:
            raise RatingError("评价原因须为列表", field="reasons")
        given = check_rating(score, reasons_given, comment, [r["code"] for r in await reasons()])
        rated = await _insert(case, given, channel=Channel.phone, now=now, deadlines=deadlines_of(settings))
        outcome = "rated"
        return rated
    finally:
        await _record_attempt(token, client, now, outcome)


async def rate_by_callback(actor: CurrentUser, case_id: int, score: object, reasons_given: object, comment: object,
                           method: str, *, settings: Settings | None = None, now: datetime | None = None) -> Rated:
    """回访: a worker or manager enters what the resident said on the phone (or at a visit), and who called."""
    now = now or utcnow()
    case = await Case.select(Case.id, Case.center, Case.status, Case.receiver, Case.window, Case.item,
                             Case.closed_at).where(Case.id == case_id).first()
    if case is None:
        raise NotFound("没有这个办件")
    if not actor.may_see_center(case["center"]):
        raise AccessDenied("只能回访本中心的办件")
    check_callback_by(actor.id, case["receiver"])
    if method not in CALLBACK_METHODS:
        raise RatingError("请选择回访方式", field="method")
    why = not_ratable_reason(case["status"])
    if why:
        raise RatingError(why)
    given = check_rating(score, reasons_given, comment, [r["code"] for r in await reasons()])
    return await _insert(case, given, channel=Channel.callback, now=now, deadlines=deadlines_of(settings),
                         method=method, entered_by=actor)


# ---- the rating pad at a window ----

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# The demo district's pad (center.demo.ratings), printed with the demo logins; refused outside demo mode.
DEMO_PAD_TOKEN = "demo-pad-1"


async def register_pad(actor: CurrentUser, center_id: int, window: str, name: str = "", *,
                       token: str | None = None) -> str:
    """A new pad for a window; the token is shown once (only its hash is kept). `token` is for the demo's
    well-known pad only: everyone else gets a fresh random one."""
    if not actor.may_see_center(center_id) or actor.role not in ("manager", "admin"):
        raise AccessDenied("只有本中心负责人可以登记评价器")
    window = (window or "").strip()
    if not window or len(window) > 20:
        raise RatingError("请填写窗口号（不超过 20 个字）", field="window")
    token = token or secrets.token_urlsafe(24)
    async with db.point_write():
        pad_id = (await RatingPad.insert(RatingPad(center=center_id, window=window, name=(name or "").strip()[:60],
                                                   token_hash=_hash(token), created_at=utcnow()))
                  .returning(RatingPad.id))[0]["id"]
        await audit.record("rating_pad.register", actor=actor, center_id=center_id, object_type="rating_pad",
                           object_id=pad_id, detail={"window": window})
    return token


async def pads_view(actor: CurrentUser, center_id: int) -> dict:
    """The center's pads (newest first, revoked ones too) and the windows its staff sit at (a pad's choices)."""
    if not actor.may_see_center(center_id):
        raise AccessDenied("只能查看本中心的评价器")
    pads = await RatingPad.select(RatingPad.id, RatingPad.window, RatingPad.name, RatingPad.created_at,
                                  RatingPad.revoked_at).where(RatingPad.center == center_id).order_by(
        RatingPad.id, ascending=False)
    windows = sorted({r["window"] for r in await Staff.select(Staff.window).where(
        (Staff.center == center_id) & (Staff.active == True)) if r["window"]},  # noqa: E712
        key=lambda w: (len(w), w))
    return {"pads": pads, "windows": windows, "may_manage": actor.role in ("manager", "admin")}


async def revoke_pad(actor: CurrentUser, center_id: int, pad_id: int) -> dict:
    """吊销: the pad's token stops working at once; it cannot be undone (register a new pad instead)."""
    if not actor.may_see_center(center_id) or actor.role not in ("manager", "admin"):
        raise AccessDenied("只有本中心负责人可以吊销评价器")
    async with db.point_write():
        pad = await RatingPad.select(RatingPad.id, RatingPad.window, RatingPad.name, RatingPad.revoked_at).where(
            (RatingPad.id == pad_id) & (RatingPad.center == center_id)).first()
        if pad is None:
            raise NotFound("没有这个评价器")
        if pad["revoked_at"] is not None:
            raise RatingError("这个评价器已经吊销")
        await RatingPad.update({RatingPad.revoked_at: utcnow()}).where(RatingPad.id == pad_id)
        await audit.record("rating_pad.revoke", actor=actor, center_id=center_id, object_type="rating_pad",
                           object_id=pad_id, detail={"window": pad["window"]})
    return pad


async def pad_for(token: str, center_id: int, window: str, *, demo: bool = False) -> dict | None:
    """The registered, unrevoked pad of this token at this window, or None (the demo's pad only in demo mode)."""
    if not token or len(token) > 64 or (token == DEMO_PAD_TOKEN and not demo):
        return None
    pad = await RatingPad.select(RatingPad.id, RatingPad.center, RatingPad.window, RatingPad.revoked_at).where(
        RatingPad.token_hash == _hash(token)).first()
    if pad is None or pad["revoked_at"] is not None or pad["center"] != center_id or pad["window"] != window:
        return None
    return pad


def window_names(window: str) -> list[str]:
    """A hall window "2" is the worker's "2号窗口" on the case (center.demo and the counter write it so)."""
    number = window.removesuffix("号窗口")
    return [number, f"{number}号窗口"]


async def service_at_window(center_id: int, window: str, now: datetime | None = None) -> dict | None:
    """The last service finished at this window in the last minutes and not rated yet: what the pad asks about."""
    now = now or utcnow()
    rows = await Case.select(Case.id, Case.public_token, Case.status, Case.closed_at, Case.item.name.as_alias("item_name")
                             ).where((Case.center == center_id) & Case.window.is_in(window_names(window))
                                     & (Case.closed_at >= now - PAD_RECENT) & (Case.closed_at <= now)
                                     & Case.status.is_in([CaseStatus.completed.value, CaseStatus.refused.value,
                                                          CaseStatus.consult.value])
                                     ).order_by(Case.closed_at, ascending=False).limit(1)
    # Only the last service at the window: once it is rated, the pad waits for the next (an earlier one left
    # unrated is not put to the next resident).
    for row in rows:
        if not await _rated(row["id"]):
            return {"case_id": row["id"], "item_name": row["item_name"], "closed_at": row["closed_at"]}
    return None


async def rate_at_pad(pad: dict, case_id: int, score: object, reasons_given: object, comment: object, *,
                      settings: Settings | None = None, now: datetime | None = None) -> Rated:
    """A rating from the window's pad, about a service just finished at that window (and only such a one)."""
    now = now or utcnow()
    current = await service_at_window(pad["center"], pad["window"], now)
    if current is None or current["case_id"] != case_id:
        raise AlreadyRated("这项服务已评价或已超过评价时间，感谢您的反馈")
    case = await Case.select(Case.id, Case.center, Case.status, Case.receiver, Case.window, Case.item,
                             Case.closed_at).where(Case.id == case_id).first()
    given = check_rating(score, reasons_given, comment, [r["code"] for r in await reasons()])
    return await _insert(case, given, channel=Channel.pad, now=now, deadlines=deadlines_of(settings))


# ---- what the resident sees on /s/{token} ----

async def public_rating(case_id: int, status: str) -> dict:
    """Whether the service may be rated, was rated, and the published feedback of its follow-up (nothing personal)."""
    rating = await Rating.select(Rating.id, Rating.score, Rating.at).where(Rating.subject == f"case:{case_id}").first()
    if rating is None:
        return {"ratable": not_ratable_reason(status) is None, "rated": False}
    followup = await RatingFollowup.select(RatingFollowup.state, RatingFollowup.feedback).where(
        RatingFollowup.rating == rating["id"]).first()
    return {
        "ratable": False, "rated": True, "score_label": SCORE_LABELS[Score(rating["score"])], "at": rating["at"],
        "followed_up": followup is not None,
        "feedback": followup["feedback"] if followup and followup["state"] == State.closed.value else "",
        "in_progress": followup is not None and followup["state"] != State.closed.value,
    }


async def case_rating(case_id: int, status: str, by_receiver: bool = False) -> dict:
    """The case page's part: the rating when there is one (and its follow-up), else whether a 回访 may be entered
    and its choices (not by the one who first received the case: check_callback_by)."""
    rating = await Rating.select(Rating.id, Rating.score, Rating.channel, Rating.method, Rating.at,
                                 Rating.entered_by.display_name.as_alias("entered_by_name")).where(
        Rating.subject == f"case:{case_id}").first()
    if rating is not None:
        followup = await RatingFollowup.select(RatingFollowup.id, RatingFollowup.state).where(
            RatingFollowup.rating == rating["id"]).first()
        return {"rated": True, "ratable": False, "score_label": SCORE_LABELS[Score(rating["score"])],
                "followup_id": followup["id"] if followup else None,
                "followup_label": STATE_LABELS[State(followup["state"])] if followup else "",
                "bad": Score(rating["score"]) in (Score.dissatisfied, Score.very_dissatisfied),
                "channel_label": CHANNEL_LABELS[Channel(rating["channel"])],
                "method_label": CALLBACK_METHODS.get(rating["method"], ""), "at": rating["at"],
                "entered_by_name": rating["entered_by_name"] or ""}
    ratable = not_ratable_reason(status) is None
    return {"rated": False, "ratable": ratable, "by_receiver": by_receiver,
            "reasons": await reasons() if ratable else [],
            "methods": [{"value": k, "label": v} for k, v in CALLBACK_METHODS.items()],
            "scores": [{"score": int(s), "label": SCORE_LABELS[s]} for s in Score], "max_comment": MAX_COMMENT}


async def status_view(token: str) -> dict:
    """The resident's status page with its rating part: the form once finished, or the rating and its feedback."""
    from center.services import cases

    view = await cases.public_status(token)
    view["rating"] = await public_rating(view.pop("case_id"), view["status"])
    view["rating"].update({"reasons": await reasons(), "max_comment": MAX_COMMENT})
    view["token"] = token
    return view


# ---- the follow-up ----

def _mark(row: dict, today: date, calendar) -> dict:
    mark = deadline_mark(row["state"], row["due_on"], today, calendar)
    row["mark"] = mark.value
    row["mark_label"] = MARK_LABELS.get(mark, "")
    row["state_label"] = STATE_LABELS[State(row["state"])]
    return row


FOLLOWUP_COLUMNS = (
    RatingFollowup.id, RatingFollowup.rating, RatingFollowup.center, RatingFollowup.state, RatingFollowup.due_on,
    RatingFollowup.verify_due, RatingFollowup.verified_on, RatingFollowup.founded, RatingFollowup.fix_due,
    RatingFollowup.fixed_on, RatingFollowup.fixed_on_time, RatingFollowup.feedback, RatingFollowup.closed_on,
    RatingFollowup.appeal, RatingFollowup.version,
)


async def followup_view(actor: CurrentUser, followup_id: int, today: date | None = None) -> dict:
    """One follow-up with its rating, its case (code, item; no personal data) and its events."""
    row = await RatingFollowup.select(*FOLLOWUP_COLUMNS).where(RatingFollowup.id == followup_id).first()
    if row is None:
        raise NotFound("没有这条差评整改")
    if not actor.may_see_center(row["center"]):
        raise AccessDenied("只能查看本中心的差评整改")
    rating = await rating_row(row["rating"])
    if actor.role == "worker" and rating["worker"] != actor.id:
        raise AccessDenied("只能查看对自己的评价")
    today = today or local_today()
    calendar = await get_calendar()
    events = await RatingEvent.select(RatingEvent.at, RatingEvent.action, RatingEvent.from_state, RatingEvent.to_state,
                                      RatingEvent.note, RatingEvent.actor.display_name.as_alias("actor_name")
                                      ).where(RatingEvent.followup == followup_id).order_by(RatingEvent.at).order_by(
        RatingEvent.id)
    for event in events:
        event["label"] = EVENT_LABELS.get(event["action"], event["action"])
        event["to_label"] = STATE_LABELS[State(event["to_state"])] if event["to_state"] in set(State) else ""
    row = _mark(row, today, calendar)
    row["steps"] = [{"step": s.value, "label": STEP_LABELS[s]} for s in allowed_steps(row["state"])]
    row["appeal_label"] = APPEAL_LABELS.get(Appeal(row["appeal"]), "") if row["appeal"] else ""
    # A 差评 about the manager is followed up by the admin (domain.ratings.may_follow_up).
    row["about_self"] = rating["worker"] == actor.id
    row["may_act"] = actor.role == "admin" or (actor.role == "manager" and not row["about_self"])
    row["may_appeal"] = actor.id == rating["worker"] and not row["appeal"]
    row["may_decide"] = actor.role == "admin" and row["appeal"] == Appeal.pending.value
    return {"followup": row, "rating": rating, "events": events}


EVENT_LABELS = {"open": "差评生成整改单", "verify": "核实", "fix": "整改", "feedback": "反馈群众", "appeal": "申诉",
                "decide": "申诉裁定"}


async def rating_row(rating_id: int) -> dict:
    row = await Rating.select(
        Rating.id, Rating.center, Rating.case, Rating.channel, Rating.score, Rating.reasons, Rating.comment,
        Rating.worker, Rating.worker.display_name.as_alias("worker_name"), Rating.window, Rating.method, Rating.at,
        Rating.entered_by.display_name.as_alias("entered_by_name"), Rating.case.code.as_alias("case_code"),
        Rating.item.name.as_alias("item_name"), Rating.center.name.as_alias("center_name"),
    ).where(Rating.id == rating_id).first()
    if row is None:
        raise NotFound("没有这条评价")
    labels = await _reason_labels()
    row["score_label"] = SCORE_LABELS[Score(row["score"])]
    row["bad"] = Score(row["score"]) in (Score.dissatisfied, Score.very_dissatisfied)
    row["reason_labels"] = [labels.get(code, code) for code in json.loads(row["reasons"] or "[]")]
    row["channel_label"] = CHANNEL_LABELS[Channel(row["channel"])]
    row["method_label"] = CALLBACK_METHODS.get(row["method"], "")
    return row


async def _about(rating_id: int) -> int | None:
    """The staff member a rating is about (who first received the case)."""
    row = await Rating.select(Rating.worker).where(Rating.id == rating_id).first()
    return row["worker"] if row else None


async def preview(actor: CurrentUser, followup_id: int, step: str, *, note: str = "", founded: bool | None = None,
                  settings: Settings | None = None, now: datetime | None = None) -> dict:
    """What a step would do, checked by the same rules as act() and not applied: for its confirmation (a step is
    not taken back; 反馈 publishes its text to the resident)."""
    now = now or utcnow()
    row = await RatingFollowup.select(*FOLLOWUP_COLUMNS).where(RatingFollowup.id == followup_id).first()
    if row is None:
        raise NotFound("没有这条差评整改")
    if not actor.may_see_center(row["center"]):
        raise AccessDenied("只能处理本中心的差评整改")
    move = apply(step=step, state=row["state"], actor_role=actor.role, same_center=actor.center_id == row["center"],
                 today=to_local(now).date(), due=row["due_on"], deadlines=deadlines_of(settings),
                 calendar=await get_calendar(), note=note, founded=founded,
                 about_self=await _about(row["rating"]) == actor.id)
    return {"step": move.step.value, "step_label": STEP_LABELS[move.step], "note": move.note,
            "founded": move.founded, "to_state_label": STATE_LABELS[move.to_state], "due": move.due,
            "on_time": move.on_time, "version": row["version"]}


async def act(actor: CurrentUser, followup_id: int, step: str, *, note: str = "", founded: bool | None = None,
              expected_version: int | None = None, settings: Settings | None = None,
              now: datetime | None = None) -> dict:
    """One step of a follow-up (核实, 整改, 反馈): the state, the next deadline, an event and an audit row."""
    now = now or utcnow()
    today = to_local(now).date()
    calendar = await get_calendar()
    deadlines = deadlines_of(settings)
    async with db.point_write():
        row = await RatingFollowup.select(*FOLLOWUP_COLUMNS).where(RatingFollowup.id == followup_id).first()
        if row is None:
            raise NotFound("没有这条差评整改")
        if not actor.may_see_center(row["center"]):
            raise AccessDenied("只能处理本中心的差评整改")
        if expected_version is not None and row["version"] != expected_version:
            raise RatingConflict("这条整改刚被他人更新，已显示最新状态，请确认后再操作")
        move = apply(step=step, state=row["state"], actor_role=actor.role,
                     same_center=actor.center_id == row["center"], today=today, due=row["due_on"],
                     deadlines=deadlines, calendar=calendar, note=note, founded=founded,
                     about_self=await _about(row["rating"]) == actor.id)
        changes: dict = {RatingFollowup.state: move.to_state.value, RatingFollowup.due_on: move.due,
                         RatingFollowup.version: row["version"] + 1, RatingFollowup.updated_at: now}
        if move.step == Step.verify:
            changes[RatingFollowup.verified_on] = today
            changes[RatingFollowup.founded] = move.founded
            if move.to_state == State.fixing:
                changes[RatingFollowup.fix_due] = move.due
        elif move.step == Step.fix:
            changes[RatingFollowup.fixed_on] = today
            changes[RatingFollowup.fixed_on_time] = move.on_time
        else:
            changes[RatingFollowup.feedback] = move.note
            changes[RatingFollowup.closed_on] = today
        await RatingFollowup.update(changes).where(RatingFollowup.id == followup_id)
        label = STEP_LABELS[move.step]
        if move.step == Step.verify:
            label = "核实：属实" if move.founded else "核实：不属实"
        await RatingEvent.insert(RatingEvent(followup=followup_id, at=now, actor=actor.id, action=move.step.value,
                                             from_state=move.from_state.value, to_state=move.to_state.value,
                                             note=f"{label}。{move.note}" if move.step == Step.verify else move.note))
        await audit.record(f"rating.{move.step.value}", actor=actor, center_id=row["center"],
                           object_type="rating_followup", object_id=followup_id,
                           detail={"from": move.from_state.value, "to": move.to_state.value,
                                   "on_time": move.on_time})
    return {"state": move.to_state.value, "state_label": STATE_LABELS[move.to_state], "due": move.due,
            "on_time": move.on_time}


async def check_appeal_of(actor: CurrentUser, followup_id: int, reason: str) -> str:
    """The appeal checked by appeal()'s rules, not made: for its confirmation."""
    row = await RatingFollowup.select(RatingFollowup.rating, RatingFollowup.appeal).where(
        RatingFollowup.id == followup_id).first()
    if row is None:
        raise NotFound("没有这条差评整改")
    worker = (await Rating.select(Rating.worker).where(Rating.id == row["rating"]).first())["worker"]
    return check_appeal(row["appeal"], actor.id, worker, reason)


async def check_decision_of(actor: CurrentUser, followup_id: int, upheld: bool | None, reason: str) -> str:
    """The decision checked by decide()'s rules, not made: for its confirmation."""
    row = await RatingFollowup.select(RatingFollowup.appeal).where(RatingFollowup.id == followup_id).first()
    if row is None:
        raise NotFound("没有这条差评整改")
    return check_decision(row["appeal"], actor.role, upheld, reason).value


async def appeal(actor: CurrentUser, followup_id: int, reason: str, now: datetime | None = None) -> None:
    """申诉: the worker the rating is about asks the district admin to take it out of their figures."""
    now = now or utcnow()
    async with db.point_write():
        row = await RatingFollowup.select(RatingFollowup.id, RatingFollowup.center, RatingFollowup.rating,
                                          RatingFollowup.appeal, RatingFollowup.state, RatingFollowup.version
                                          ).where(RatingFollowup.id == followup_id).first()
        if row is None:
            raise NotFound("没有这条差评整改")
        worker = (await Rating.select(Rating.worker).where(Rating.id == row["rating"]).first())["worker"]
        reason = check_appeal(row["appeal"], actor.id, worker, reason)
        await RatingFollowup.update({RatingFollowup.appeal: Appeal.pending.value,
                                     RatingFollowup.version: row["version"] + 1, RatingFollowup.updated_at: now}
                                    ).where(RatingFollowup.id == followup_id)
        await RatingEvent.insert(RatingEvent(followup=followup_id, at=now, actor=actor.id, action="appeal",
                                             from_state=row["state"], to_state=row["state"], note=reason))
        await audit.record("rating.appeal", actor=actor, center_id=row["center"], object_type="rating_followup",
                           object_id=followup_id)


async def decide(actor: CurrentUser, followup_id: int, upheld: bool | None, reason: str,
                 now: datetime | None = None) -> str:
    """The district admin decides an appeal, with a reason: upheld takes the rating out of the worker's figures."""
    now = now or utcnow()
    async with db.point_write():
        row = await RatingFollowup.select(RatingFollowup.id, RatingFollowup.center, RatingFollowup.appeal,
                                          RatingFollowup.state, RatingFollowup.version
                                          ).where(RatingFollowup.id == followup_id).first()
        if row is None:
            raise NotFound("没有这条差评整改")
        outcome = check_decision(row["appeal"], actor.role, upheld, reason)
        await RatingFollowup.update({RatingFollowup.appeal: outcome.value,
                                     RatingFollowup.version: row["version"] + 1, RatingFollowup.updated_at: now}
                                    ).where(RatingFollowup.id == followup_id)
        await RatingEvent.insert(RatingEvent(followup=followup_id, at=now, actor=actor.id, action="decide",
                                             from_state=row["state"], to_state=row["state"],
                                             note=f"{APPEAL_LABELS[outcome]}：{reason.strip()}"))
        await audit.record("rating.decide", actor=actor, center_id=row["center"], object_type="rating_followup",
                           object_id=followup_id, detail={"outcome": outcome.value})
    return outcome.value


# ---- lists, reminders ----

async def list_ratings(actor: CurrentUser, *, only_bad: bool = False, open_only: bool = False,
                       today: date | None = None, limit: int = 200) -> dict:
    """The /ratings page: the follow-ups (open ones first, by deadline) and the latest ratings, scoped by role."""
    today = today or local_today()
    calendar = await get_calendar()
    where = _scope(actor, Rating)
    ratings = await Rating.select(
        Rating.id, Rating.score, Rating.channel, Rating.at, Rating.window, Rating.comment,
        Rating.case.code.as_alias("case_code"), Rating.item.name.as_alias("item_name"),
        Rating.worker.display_name.as_alias("worker_name"), Rating.center.name.as_alias("center_name"),
    ).where(where).order_by(Rating.at, ascending=False).limit(limit)
    for r in ratings:
        r["score_label"] = SCORE_LABELS[Score(r["score"])]
        r["bad"] = r["score"] <= 2
        r["channel_label"] = CHANNEL_LABELS[Channel(r["channel"])]
    if only_bad:
        ratings = [r for r in ratings if r["bad"]]
    fwhere = _scope(actor, RatingFollowup)
    if actor.role == "worker":
        fwhere = (RatingFollowup.center == actor.center_id) & (RatingFollowup.rating.worker == actor.id)
    if open_only:  # still to be worked, or an appeal still to be decided
        fwhere = fwhere & (RatingFollowup.state.is_in([s.value for s in OPEN_STATES])
                           | (RatingFollowup.appeal == Appeal.pending.value))
    followups = await RatingFollowup.select(
        *FOLLOWUP_COLUMNS, RatingFollowup.rating.score.as_alias("score"), RatingFollowup.rating.at.as_alias("rated_at"),
        RatingFollowup.rating.case.code.as_alias("case_code"), RatingFollowup.rating.item.name.as_alias("item_name"),
        RatingFollowup.rating.worker.display_name.as_alias("worker_name"),
        RatingFollowup.center.name.as_alias("center_name"),
    ).where(fwhere).order_by(RatingFollowup.id, ascending=False).limit(limit)
    for f in followups:
        _mark(f, today, calendar)
        f["score_label"] = SCORE_LABELS[Score(f["score"])]
        f["appeal_label"] = APPEAL_LABELS.get(Appeal(f["appeal"]), "") if f["appeal"] else ""
    followups.sort(key=lambda f: (f["state"] == State.closed.value, f["due_on"] or date.max))
    return {"ratings": ratings, "followups": followups,
            "open_count": sum(1 for f in followups if f["state"] != State.closed.value),
            "overdue_count": sum(1 for f in followups if f["mark"] == Mark.overdue.value)}


def _scope(actor: CurrentUser, table):
    if actor.role == "admin":
        return table.id > 0
    if actor.role == "worker":
        return (table.center == actor.center_id) & (
            (Rating.worker == actor.id) if table is Rating else (table.id > 0))
    return table.center == actor.center_id


async def reminders_today(actor: CurrentUser, today: date | None = None) -> list[dict]:
    """The manager's due-soon and overdue follow-ups, for the reminders beside the case reminders."""
    if actor.role not in ("manager", "admin"):
        return []
    today = today or local_today()
    calendar = await get_calendar()
    where = RatingFollowup.state.is_in([s.value for s in OPEN_STATES])
    if actor.role == "manager":
        where = where & (RatingFollowup.center == actor.center_id)
    rows = await RatingFollowup.select(
        RatingFollowup.id, RatingFollowup.state, RatingFollowup.due_on,
        RatingFollowup.rating.case.code.as_alias("case_code"), RatingFollowup.rating.item.name.as_alias("item_name"),
    ).where(where).order_by(RatingFollowup.due_on)
    marked = [_mark(r, today, calendar) for r in rows]
    for r in marked:
        r["waiting_label"] = WAITING_FOR[State(r["state"])]
    due = [r for r in marked if r["mark"]]
    if actor.role == "admin":  # appeals wait for the district admin's decision
        appeals = await RatingFollowup.select(
            RatingFollowup.id, RatingFollowup.state, RatingFollowup.due_on,
            RatingFollowup.rating.case.code.as_alias("case_code"), RatingFollowup.rating.item.name.as_alias("item_name"),
        ).where(RatingFollowup.appeal == Appeal.pending.value).order_by(RatingFollowup.id)
        due += [{**a, "mark": "appeal", "mark_label": "", "waiting_label": "申诉待裁定",
                 "state_label": STATE_LABELS[State(a["state"])]} for a in appeals]
    return due


# ---- figures ----

async def facts(center_id: int | None, start: datetime, end: datetime) -> list[dict]:
    """Every rating in [start, end) with what the figures group by and what they count (RatingFact's fields)."""
    where = (Rating.at >= start) & (Rating.at < end)
    if center_id is not None:
        where = where & (Rating.center == center_id)
    rows = await Rating.select(
        Rating.id, Rating.score, Rating.channel, Rating.at, Rating.window, Rating.worker,
        Rating.worker.display_name.as_alias("worker_name"), Rating.item, Rating.item.name.as_alias("item_name"),
        Rating.item.category.name.as_alias("category_name"), Rating.center,
    ).where(where)
    followups = {f["rating"]: f for f in await RatingFollowup.select(
        RatingFollowup.rating, RatingFollowup.founded, RatingFollowup.fixed_on, RatingFollowup.fixed_on_time,
        RatingFollowup.appeal).where(RatingFollowup.rating.is_in([r["id"] for r in rows] or [0]))}
    for row in rows:
        f = followups.get(row["id"])
        row["fact"] = RatingFact(
            score=row["score"], counted=not (f and f["appeal"] == Appeal.upheld.value),
            callback=row["channel"] == Channel.callback.value, founded=f["founded"] if f else None,
            fixed=bool(f and f["fixed_on"]), fixed_on_time=bool(f and f["fixed_on_time"]))
        row["month"] = to_local(row["at"]).strftime("%Y-%m")
    return rows


def status_label(status: str) -> str:
    return STATUS_LABELS[CaseStatus(status)]
