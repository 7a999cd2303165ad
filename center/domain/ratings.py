"""好差评: ratings after every service, and the follow-up (整改) that closes the loop on every bad one.

国办发〔2019〕51号 and the provincial rules after it: every service is rated once (一次一评) in five levels; a
差评 (不满意, 非常不满意) is checked with the resident (核实), fixed when it is founded (整改), and the resident is told
what was done (反馈), each step within a deadline in working days. The district sets the days (callback 1 and
fix 5 by default, after Dezhou's rule); they are counted on the shared working-day calendar, so a 调休 Sunday is a
working day here as it is for case deadlines.

A worker may appeal (申诉) a rating; the district admin decides, with a reason. An upheld appeal takes the rating
out of the worker's figures; the rating itself, like every step of the follow-up, is never edited.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from typing import Iterable, Sequence

from center.domain.stats import pct
from center.domain import DomainError
from center.domain.calendar import WorkCalendar


class RatingError(DomainError):
    pass


class AlreadyRated(RatingError):
    """The service was rated already (409): one rating per service."""


class TooManyRatings(RatingError):
    """Too many submissions from one token or one address in a short time (429)."""


class RatingConflict(RatingError):
    """Someone else moved the follow-up on since the page was loaded (409)."""


class Score(IntEnum):
    very_satisfied = 5
    satisfied = 4
    fairly_satisfied = 3
    dissatisfied = 2
    very_dissatisfied = 1


SCORE_LABELS = {
    Score.very_satisfied: "非常满意",
    Score.satisfied: "满意",
    Score.fairly_satisfied: "基本满意",
    Score.dissatisfied: "不满意",
    Score.very_dissatisfied: "非常不满意",
}
# 好评: the three satisfied levels (满意率 counts them); 差评: the two dissatisfied ones, each followed up.
GOOD_SCORES = frozenset({Score.very_satisfied, Score.satisfied, Score.fairly_satisfied})
BAD_SCORES = frozenset({Score.dissatisfied, Score.very_dissatisfied})


def is_bad(score: int) -> bool:
    return Score(score) in BAD_SCORES


class Channel(StrEnum):
    phone = "phone"  # the resident's own phone, from the slip's QR (/s/{token})
    pad = "pad"  # the rating pad at the window (/rate/{slug}/{window})
    callback = "callback"  # a phone callback (回访): staff enter what the resident said


CHANNEL_LABELS = {Channel.phone: "扫码评价", Channel.pad: "窗口评价器", Channel.callback: "回访"}

CALLBACK_METHODS = {"phone": "电话", "visit": "上门", "sms": "短信", "wechat": "微信"}

# The reasons a resident may tick, kept as data (the table rating_reason holds the district's list; these are the
# ones it starts with). Codes are stable; the district may relabel, add or retire reasons.
DEFAULT_REASONS: tuple[tuple[str, str], ...] = (
    ("attitude", "服务态度"),
    ("efficiency", "办事效率"),
    ("notice", "一次性告知不到位"),
    ("trips", "多次跑腿"),
    ("facilities", "环境设施"),
    ("waiting", "等候时间长"),
    ("rules", "政策规定不合理"),
)
MAX_REASONS = 10
MAX_COMMENT = 300
# Control and direction characters, and lone surrogates (a JSON "\\udc00" that is no character at all).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# The alphabet of the tokens the slips carry (secrets.token_urlsafe): anything else is no token of ours.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def clean_comment(comment: str | None) -> str:
    """A resident's words, kept as they wrote them less control and direction characters (rendered escaped)."""
    text = _CONTROL.sub("", comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise RatingError(f"意见不能超过 {MAX_COMMENT} 个字（现在 {len(text)} 个字）", field="comment")
    return text


@dataclass(frozen=True)
class RatingInput:
    score: Score
    reasons: tuple[str, ...]
    comment: str

    @property
    def bad(self) -> bool:
        return self.score in BAD_SCORES

    @property
    def reasons_json(self) -> str:
        return json.dumps(list(self.reasons), ensure_ascii=False)


def check_rating(score: object, reasons: Iterable[object] | None, comment: object, known_reasons: Iterable[str]
                 ) -> RatingInput:
    """A rating as submitted: a score 1..5, reasons from the district's list (each once), a short comment."""
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score)
    try:
        if isinstance(score, bool) or not isinstance(score, int):
            raise TypeError
        value = Score(score)
    except (TypeError, ValueError):
        raise RatingError("请选择满意程度（非常满意、满意、基本满意、不满意、非常不满意）", field="score") from None
    known = set(known_reasons)
    picked: list[str] = []
    for reason in reasons or ():
        if not isinstance(reason, str) or reason not in known:
            raise RatingError("评价原因不在可选范围内，请重新选择", field="reasons")
        if reason not in picked:
            picked.append(reason)
    if len(picked) > MAX_REASONS:
        raise RatingError(f"评价原因最多选 {MAX_REASONS} 项", field="reasons")
    if comment is not None and not isinstance(comment, str):
        raise RatingError("意见须为文字", field="comment")
    return RatingInput(score=value, reasons=tuple(picked), comment=clean_comment(comment))


# ---- what may be rated ----------------------------------------------------------------------------------------

RATABLE_CASE_STATUSES = frozenset({"completed", "refused", "consult"})


def not_ratable_reason(case_status: str) -> str | None:
    """None when the case is finished and may be rated; otherwise why not (422)."""
    if case_status in RATABLE_CASE_STATUSES:
        return None
    return "该事项尚未办结，办结或不予受理后才能评价"


ALREADY_RATED = "该事项已经评价过了，感谢您的反馈（一次一评）"
UNKNOWN_TOKEN = "没有找到该办件，请核对二维码或办件码"


# ---- the follow-up of a bad rating (整改) ---------------------------------------------------------------------

class State(StrEnum):
    pending = "pending"  # 待核实: call the resident, check the facts
    fixing = "fixing"  # 整改中: founded; being fixed
    fixed = "fixed"  # 已整改: fixed; the resident is still to be told
    unfounded = "unfounded"  # 不属实: checked and not founded; the resident is still to be told why
    closed = "closed"  # 已反馈: the resident was told


STATE_LABELS = {
    State.pending: "待核实",
    State.fixing: "整改中",
    State.fixed: "已整改",
    State.unfounded: "核实不属实",
    State.closed: "已反馈",
}
OPEN_STATES = frozenset({State.pending, State.fixing, State.fixed, State.unfounded})


class Step(StrEnum):
    verify = "verify"  # 核实: 属实 or 不属实, with what was found
    fix = "fix"  # 整改: what was done
    feedback = "feedback"  # 反馈: what the resident was told (published on /s/{token})


STEP_LABELS = {Step.verify: "核实", Step.fix: "整改", Step.feedback: "反馈"}

TRANSITIONS: dict[Step, frozenset[State]] = {
    Step.verify: frozenset({State.pending}),
    Step.fix: frozenset({State.fixing}),
    Step.feedback: frozenset({State.fixed, State.unfounded}),
}
NOTE_REQUIRED = {
    Step.verify: "请填写核实情况（与群众沟通的结果、查明的事实）",
    Step.fix: "请填写整改措施：做了什么",
    Step.feedback: "请填写反馈内容：告诉群众的处理结果（将显示在群众的办件查询页上）",
}
MAX_NOTE = 500


def allowed_steps(state: State | str) -> list[Step]:
    return [step for step, sources in TRANSITIONS.items() if State(state) in sources]


def may_follow_up(actor_role: str, same_center: bool, about_self: bool = False) -> bool:
    """The follow-up belongs to the manager of the center whose worker first received the case (and the admin); a
    差评 about the manager themselves is followed up by the district admin, never by the one it is about."""
    return actor_role == "admin" or (actor_role == "manager" and same_center and not about_self)


# What the follow-up waits for in each open state (the reminders name the step due, not the state reached).
WAITING_FOR = {State.pending: "待核实", State.fixing: "待整改", State.fixed: "待反馈", State.unfounded: "待反馈"}

_PHONE = re.compile(r"(?<!\d)1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def check_public_text(text: str) -> None:
    """反馈 is published on the resident's status page, which anyone holding the slip opens: no phone or ID number.
    (The center's own phone is on that page already; a landline is refused too, to keep the rule simple.)"""
    if _ID_NUMBER.search(text):
        raise RatingError("反馈内容会公开显示在群众的办件查询页上，请勿写入身份证号码", field="note")
    if _PHONE.search(text) or _LANDLINE.search(text):
        raise RatingError("反馈内容会公开显示在群众的办件查询页上，请勿写入电话号码", field="note")


def check_callback_by(actor_id: int, worker_id: int | None) -> None:
    """回访 is made by someone other than the one who served: a rating is the resident's word about that person."""
    if worker_id is not None and actor_id == worker_id:
        raise RatingError("回访须由其他工作人员进行：首问人不能为本人办理的事项记录评价")


@dataclass(frozen=True)
class Deadlines:
    """The district's days, counted in working days (CENTER_RATING_CALLBACK_DAYS, CENTER_RATING_FIX_DAYS)."""

    callback_days: int = 1  # 核实 (and, after the fix, 反馈) within this many working days
    fix_days: int = 5  # 整改 within this many working days of 核实

    def __post_init__(self):
        if not (0 <= self.callback_days <= 30 and 1 <= self.fix_days <= 60):
            raise RatingError("好差评整改时限须为：回访 0–30 个工作日，整改 1–60 个工作日")


def verify_due(rated_on: date, deadlines: Deadlines, calendar: WorkCalendar) -> date:
    """核实 within the callback days of the rating's working day (a rating on a holiday counts from the next)."""
    return calendar.add_workdays(rated_on, deadlines.callback_days)


def step_due(state: State, on: date, deadlines: Deadlines, calendar: WorkCalendar) -> date | None:
    """The deadline of the step an item waits for, on entering `state` on the day `on`."""
    if state == State.pending:
        return verify_due(on, deadlines, calendar)
    if state == State.fixing:
        return calendar.add_workdays(on, deadlines.fix_days)
    if state in (State.fixed, State.unfounded):
        return calendar.add_workdays(on, deadlines.callback_days)
    return None


@dataclass(frozen=True)
class Move:
    step: Step
    from_state: State
    to_state: State
    due: date | None  # the next step's deadline
    founded: bool | None  # 核实: 属实 (True) or 不属实 (False)
    note: str
    on_time: bool  # this step was done by its deadline


def apply(*, step: Step | str, state: State | str, actor_role: str, same_center: bool, today: date, due: date | None,
          deadlines: Deadlines, calendar: WorkCalendar, note: str = "", founded: bool | None = None,
          about_self: bool = False) -> Move:
    """Check one step of a follow-up and return what changes; raises RatingError with a Chinese message."""
    try:
        step = Step(step)
    except ValueError:
        raise RatingError("不支持的操作") from None
    state = State(state)
    if not may_follow_up(actor_role, same_center):
        raise RatingError("只有本中心负责人可以处理差评整改")
    if about_self and actor_role != "admin":
        raise RatingError("对本人的差评由区级管理员处理")
    if state not in TRANSITIONS[step]:
        raise RatingError(f"“{STATE_LABELS[state]}”状态下不能{STEP_LABELS[step]}")
    note = (note or "").strip()
    if not note:
        raise RatingError(NOTE_REQUIRED[step], field="note")
    if len(note) > MAX_NOTE:
        raise RatingError(f"内容不能超过 {MAX_NOTE} 个字", field="note")
    if step == Step.feedback:
        check_public_text(note)
    if step == Step.verify:
        if founded is None:
            raise RatingError("请选择核实结果：属实或不属实", field="founded")
        target = State.fixing if founded else State.unfounded
    elif step == Step.fix:
        target = State.fixed
    else:
        target = State.closed
    return Move(step=step, from_state=state, to_state=target, due=step_due(target, today, deadlines, calendar),
                founded=founded if step == Step.verify else None, note=note,
                on_time=due is None or today <= due)


class Mark(StrEnum):
    none = ""
    due_soon = "due_soon"
    overdue = "overdue"


MARK_LABELS = {Mark.due_soon: "即将到期", Mark.overdue: "已超期"}


def deadline_mark(state: State | str, due: date | None, today: date, calendar: WorkCalendar) -> Mark:
    """An open item past its step's deadline is overdue; due within one working day, due soon."""
    if State(state) not in OPEN_STATES or due is None:
        return Mark.none
    if today > due:
        return Mark.overdue
    if calendar.workdays_between(today, due) <= 1:
        return Mark.due_soon
    return Mark.none


# ---- appeals (申诉) --------------------------------------------------------------------------------------------

class Appeal(StrEnum):
    none = ""
    pending = "pending"  # 申诉中
    upheld = "upheld"  # 申诉成立: the rating leaves the worker's figures
    rejected = "rejected"  # 申诉不成立


APPEAL_LABELS = {Appeal.pending: "申诉中", Appeal.upheld: "申诉成立", Appeal.rejected: "申诉驳回"}


def check_appeal(appeal: Appeal | str, actor_id: int, worker_id: int | None, reason: str) -> str:
    """Only the worker the rating is about appeals, once, with a reason."""
    if worker_id is None or actor_id != worker_id:
        raise RatingError("只有被评价的工作人员本人可以申诉")
    if Appeal(appeal) != Appeal.none:
        raise RatingError("该评价已经申诉过，不能重复申诉")
    return _reason(reason, "请填写申诉理由")


def check_decision(appeal: Appeal | str, actor_role: str, upheld: bool | None, reason: str) -> Appeal:
    """The district admin decides an appeal, with a reason."""
    if actor_role != "admin":
        raise RatingError("申诉由街道（区）管理员裁定")
    if Appeal(appeal) != Appeal.pending:
        raise RatingError("没有待裁定的申诉")
    if upheld is None:
        raise RatingError("请选择裁定结果：申诉成立或驳回", field="upheld")
    _reason(reason, "请填写裁定理由")
    return Appeal.upheld if upheld else Appeal.rejected


def _reason(reason: str, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RatingError(missing, field="reason")
    if len(reason) > MAX_NOTE:
        raise RatingError(f"理由不能超过 {MAX_NOTE} 个字", field="reason")
    return reason


# ---- figures ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RatingFact:
    """One rating as the figures see it."""

    score: int
    counted: bool  # False when an appeal was upheld
    callback: bool  # rated or confirmed by a callback (回访)
    founded: bool | None  # the follow-up's verdict (None: not yet checked, or not a 差评)
    fixed: bool  # the founded 差评 was fixed
    fixed_on_time: bool


def figures(facts: Sequence[RatingFact]) -> dict:
    """好评率, 差评数, 核实属实率, 整改率, 按期整改率, 回访率 over a set of ratings (upheld appeals left out)."""
    counted = [f for f in facts if f.counted]
    bad = [f for f in counted if Score(f.score) in BAD_SCORES]
    checked = [f for f in bad if f.founded is not None]
    founded = [f for f in checked if f.founded]
    fixed = [f for f in founded if f.fixed]
    on_time = sum(1 for f in fixed if f.fixed_on_time)
    callbacks = sum(1 for f in counted if f.callback)
    return {
        "ratings": len(counted),
        "good": len(counted) - len(bad),
        "bad": len(bad),
        # The parts of each rate, so a page can say what it divided (核实属实 founded ÷ 已核实 checked, ...).
        "checked": len(checked),
        "founded": len(founded),
        "fixed": len(fixed),
        "fixed_on_time": on_time,
        "callbacks": callbacks,
        "good_rate": pct(len(counted) - len(bad), len(counted)),
        "founded_rate": pct(len(founded), len(checked)),
        "fix_rate": pct(len(fixed), len(founded)),
        "fix_on_time_rate": pct(on_time, len(founded)),
        "callback_rate": pct(callbacks, len(counted)),
        "average": round(sum(f.score for f in counted) / len(counted), 2) if counted else None,
    }
