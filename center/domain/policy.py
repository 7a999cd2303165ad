"""Dining subsidy policies as data (issue #16): a district writes its policy as a TOML file of schemes, each saying
who is eligible, how it pays, its caps, the meal kinds it covers and the fund that pays it.

The rules, in one sentence each:
- A scheme is for residents in its age band (min_age..max_age, inclusive) who hold ANY of its categories (an empty
  list means no condition); a resident in no scheme of the policy is not eligible.
- It pays one of four ways: a yearly allowance drawn meal by meal (seed 001's 200 yuan a year), a fixed amount per
  meal, a percentage of the price up to a cap, or the whole meal; never more than the price.
- A meal beyond a count cap (per day, Monday–Sunday week, month) or of a kind the scheme does not cover gets
  nothing from that scheme; the meal is still sold at the full price.
- For each meal a senior in several schemes gets the scheme that pays most (most_favourable); on equal pay the
  scheme written first in the file.
- A policy takes effect from its `effective` date; on any day the policy in force is the one with the latest
  effective date on or before it (a later load with the same date replaces the earlier one).
- A policy whose schemes contradict themselves (a cap below the per-meal amount), overlap ambiguously (two yearly
  allowances for the same senior, or equal pay from different funds) or leave a gap between age bands is refused
  with every reason in Chinese before it takes effect.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Iterable, Mapping, Sequence

from center.domain import DomainError
from center.domain.ledger import (
    DISTRICT_SOURCE,
    BirthdayRule,
    LedgerError,
    Posting,
    YearEnd,
    age_on,
    birthday_in,
    meal_postings,
    source_postings,
)
from center.domain.meals import KIND_LABELS
from center.domain.money import yuan_plain
from center.domain.periods import monday_of


class PolicyError(DomainError):
    """A policy file that cannot take effect: `problems` lists every reason, in Chinese."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = list(problems)


class Pays(StrEnum):
    yearly_allowance = "yearly_allowance"  # 年度额度，按餐扣减
    per_meal = "per_meal"  # 每餐定额补贴
    percent = "percent"  # 按比例补贴（设上限）
    free = "free"  # 免费就餐


PAYS_LABELS = {Pays.yearly_allowance: "年度额度按餐扣减", Pays.per_meal: "每餐定额", Pays.percent: "按比例",
               Pays.free: "免费就餐"}

# The categories a senior may be recorded with (民政 lists); a policy or an import naming another is a typo.
CATEGORIES = ("低保", "低收入", "特困", "残疾", "重度残疾", "失独", "高龄", "独居", "空巢", "孤寡", "优抚对象",
              "计生特殊家庭", "失能", "半失能")

DEFAULT_SOURCE = DISTRICT_SOURCE
MAX_AGE = 150
_SCHEME_KEYS = {"name", "min_age", "max_age", "categories", "pays", "amount_fen", "percent", "cap_per_meal_fen",
                "max_meals_per_day", "max_meals_per_week", "max_meals_per_month", "kinds", "source"}
_TOP_KEYS = {"effective", "name", "scheme", "year_end", "birthday_rule", "operating"}
_OPERATING_KEYS = {"per_meal_fen", "monthly_fen", "source"}


@dataclass(frozen=True)
class Scheme:
    name: str
    pays: Pays
    source: str = DEFAULT_SOURCE
    min_age: int = 0
    max_age: int | None = None
    categories: frozenset[str] = frozenset()
    amount_fen: int = 0
    percent: int = 0
    cap_per_meal_fen: int | None = None
    max_meals_per_day: int | None = None
    max_meals_per_week: int | None = None
    max_meals_per_month: int | None = None
    kinds: frozenset[str] = frozenset(KIND_LABELS)

    @property
    def categories_listed(self) -> list[str]:
        """The scheme's categories in the order of the 民政 list (CATEGORIES), for people to read."""
        return [c for c in CATEGORIES if c in self.categories]

    def eligible(self, age: int, held: Iterable[str]) -> bool:
        """In the age band, and holding any of the scheme's categories (none asked: no condition)."""
        in_band = self.min_age <= age and (self.max_age is None or age <= self.max_age)
        return in_band and (not self.categories or bool(self.categories & set(held)))

    def pays_for(self, kind: str, price_fen: int, balance_fen: int, used: "Usage") -> int:
        """What this scheme pays toward one meal: 0 for a kind it does not cover or beyond a count cap; never more
        than the price, the per-meal cap or (a yearly allowance) the balance left."""
        if kind not in self.kinds or price_fen <= 0 or self.capped(used):
            return 0
        if self.pays == Pays.yearly_allowance:
            amount = min(price_fen, max(balance_fen, 0))
        elif self.pays == Pays.per_meal:
            amount = min(price_fen, self.amount_fen)
        elif self.pays == Pays.percent:
            amount = price_fen * self.percent // 100
        else:
            amount = price_fen
        if self.cap_per_meal_fen is not None:
            amount = min(amount, self.cap_per_meal_fen)
        return max(0, amount)

    def capped(self, used: "Usage") -> bool:
        """A count cap is reached: the meals this scheme already paid for today, this week or this month."""
        return any(limit is not None and count >= limit for limit, count in (
            (self.max_meals_per_day, used.day), (self.max_meals_per_week, used.week),
            (self.max_meals_per_month, used.month)))

    def describe(self) -> str:
        """The scheme in one Chinese line, for the policy page."""
        who = f"{self.min_age} 周岁以上" if self.max_age is None else f"{self.min_age}–{self.max_age} 周岁"
        if self.categories:
            who += "，且属于" + "、".join(self.categories_listed) + "之一"
        how = {Pays.yearly_allowance: f"每年 {yuan_plain(self.amount_fen)} 元额度，按餐扣减",
               Pays.per_meal: f"每餐补贴 {yuan_plain(self.amount_fen)} 元",
               Pays.percent: f"按餐费 {self.percent}% 补贴",
               Pays.free: "免费就餐"}[self.pays]
        caps = []
        if self.cap_per_meal_fen is not None:
            caps.append(f"每餐最多 {yuan_plain(self.cap_per_meal_fen)} 元")
        for label, limit in (("每天", self.max_meals_per_day), ("每周", self.max_meals_per_week),
                             ("每月", self.max_meals_per_month)):
            if limit is not None:
                caps.append(f"{label}最多 {limit} 餐")
        kinds = "、".join(KIND_LABELS[k] for k in KIND_LABELS if k in self.kinds)
        return "；".join([who, how, *caps, f"适用：{kinds}", f"资金来源：{self.source}"])


@dataclass(frozen=True)
class Usage:
    """The meals a scheme already paid for this senior: on the meal's day, in its week and in its month."""

    day: int = 0
    week: int = 0
    month: int = 0


@dataclass(frozen=True)
class Operating:
    """The canteen operating subsidy (运营补贴): a fixed amount a month and/or an amount per meal served to a
    registered senior (voided meals left out), owed to each canteen by its fund and posted at month close."""

    per_meal_fen: int = 0
    monthly_fen: int = 0
    source: str = DEFAULT_SOURCE

    def amount(self, meals: int) -> int:
        return self.monthly_fen + self.per_meal_fen * meals

    def describe(self) -> str:
        parts = ([f"每月 {yuan_plain(self.monthly_fen)} 元"] if self.monthly_fen else []) + (
            [f"每餐 {yuan_plain(self.per_meal_fen)} 元"] if self.per_meal_fen else [])
        return "、".join(parts) + f"（{self.source}，月末结账时入账）"


@dataclass(frozen=True)
class Policy:
    effective: date
    schemes: tuple[Scheme, ...]
    name: str = ""
    year_end: YearEnd = YearEnd.expire
    birthday_rule: BirthdayRule = BirthdayRule.full
    operating: Operating | None = None

    def schemes_for(self, age: int, held: Iterable[str]) -> list[Scheme]:
        held = set(held)
        return [s for s in self.schemes if s.eligible(age, held)]

    @property
    def allowance(self) -> Scheme | None:
        """The first yearly allowance (for describing a year; a senior's own is allowance_scheme)."""
        return next((s for s in self.schemes if s.pays == Pays.yearly_allowance), None)

    def allowance_scheme(self, age: int, held: Iterable[str]) -> Scheme | None:
        """The yearly allowance this senior is in (validation leaves at most one per senior)."""
        return next((s for s in self.schemes_for(age, held) if s.pays == Pays.yearly_allowance), None)

    def sources(self) -> list[str]:
        return list(dict.fromkeys(s.source for s in self.schemes))


@dataclass(frozen=True)
class Choice:
    """The scheme chosen for one meal (None: the senior is in schemes, but none pays for this meal) and its pay."""

    scheme: Scheme | None
    subsidy_fen: int


class NotEligible(LedgerError):
    """The senior is in no scheme of the policy on the meal date (the terminal's 422)."""


def most_favourable(schemes: Sequence[Scheme], *, kind: str, price_fen: int, balance_fen: int,
                    usage: dict[str, Usage]) -> Choice:
    """Of the schemes a senior is in, the one paying most for this meal; on equal pay the one written first. A
    senior in schemes none of which pays (caps reached, kind not covered) gets 0 and pays the full price."""
    best = Choice(None, 0)
    for scheme in schemes:
        amount = scheme.pays_for(kind, price_fen, balance_fen, usage.get(scheme.name, Usage()))
        if amount > best.subsidy_fen:
            best = Choice(scheme, amount)
    return best


def choose(policy: Policy, *, birth: date, day: date, held: Iterable[str], kind: str, price_fen: int,
           balance_fen: int, usage: dict[str, Usage]) -> Choice:
    """The subsidy of one meal under the policy in force: NotEligible when the senior is in no scheme."""
    age = age_on(birth, day)
    schemes = policy.schemes_for(age, held)
    if not schemes:
        open_to_all = [s.min_age for s in policy.schemes if not s.categories and s.min_age > age]
        young = f"，未满 {min(open_to_all)} 周岁" if open_to_all else ""
        raise NotEligible(f"该老人就餐当日 {age} 周岁{_held_text(held)}{young}，不在现行补贴政策的任何方案内，"
                          "不能享受就餐补贴")
    return most_favourable(schemes, kind=kind, price_fen=price_fen, balance_fen=balance_fen, usage=usage)


def postings_for(choice: Choice, senior_id: int, year: int, canteen_id: int) -> tuple[Posting, ...]:
    """A meal's postings: a yearly allowance pays from the senior's allowance, the other schemes straight from their
    fund to the canteen; a meal nothing pays for posts nothing."""
    if choice.scheme is None or not choice.subsidy_fen:
        return ()
    if choice.scheme.pays == Pays.yearly_allowance:
        return meal_postings(senior_id, year, canteen_id, choice.subsidy_fen)
    return source_postings(choice.scheme.source, year, canteen_id, choice.subsidy_fen)


def _held_text(held: Iterable[str]) -> str:
    held = sorted(set(held))
    return "（类别：" + "、".join(held) + "）" if held else ""


def in_force(policies: Sequence[Policy], day: date) -> Policy | None:
    """The policy in force on `day`: the latest effective date on or before it; `policies` in load order, so a
    later load with the same date wins."""
    chosen: Policy | None = None
    for policy in policies:
        if policy.effective <= day and (chosen is None or policy.effective >= chosen.effective):
            chosen = policy
    return chosen


def held_on(records: Iterable[Mapping[str, Any]], day: date) -> set[str]:
    """The categories held on `day`: recorded from `since` on or before it, and not ended (`until`) by then."""
    return {r["category"] for r in records if r["since"] <= day and (r["until"] is None or r["until"] > day)}


def counting_window(day: date) -> tuple[date, date]:
    """The days whose meals count toward the caps of a meal on `day`: its Monday–Sunday week and its month."""
    first = min(monday_of(day), day.replace(day=1))
    last = max(monday_of(day) + timedelta(days=6), day)
    return first, last


def usage_on(day: date, paid_days: Iterable[date]) -> Usage:
    """The caps' counts for a meal on `day`, from the days of the meals the scheme already paid for."""
    days = list(paid_days)
    monday = monday_of(day)
    return Usage(day=sum(d == day for d in days),
                 week=sum(monday <= d <= monday + timedelta(days=6) for d in days),
                 month=sum((d.year, d.month) == (day.year, day.month) for d in days))


def allowance_grant_date(scheme: Scheme, birth: date, year: int) -> date | None:
    """When a yearly allowance of `year` is granted: 1 January, or the birthday that brings the senior into the
    age band if it falls in the year; None when the senior is outside the band all year."""
    entering = birthday_in(birth, birth.year + scheme.min_age) if scheme.min_age else date(year, 1, 1)
    if entering.year > year:
        return None
    on = max(date(year, 1, 1), entering)
    if scheme.max_age is not None and age_on(birth, on) > scheme.max_age:
        return None
    return on


def allowance_amount(policy: Policy, scheme: Scheme, birth: date, year: int) -> int:
    """The whole allowance, or pro rata from the birthday that brings the senior in when the policy says so."""
    on = allowance_grant_date(scheme, birth, year)
    if on is None:
        return 0
    if policy.birthday_rule == BirthdayRule.full or on == date(year, 1, 1):
        return scheme.amount_fen
    days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return scheme.amount_fen * (date(year + 1, 1, 1) - on).days // days_in_year


# ---------------------------------------------------------------- reading and checking a policy file


def parse_policy(text: str) -> Policy:
    """A policy file (the format in contract.md, "Dining policies and the registry") read and checked: every
    problem is collected and the whole list raised as a PolicyError, so the IT office fixes them in one go."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([f"文件不是有效的 TOML 格式：{_toml_reason(exc)}"]) from None
    problems: list[str] = []
    for key in sorted(set(data) - _TOP_KEYS):
        problems.append(f"未知的字段「{key}」（可用：effective、name、year_end、birthday_rule、[[scheme]]）")
    effective = data.get("effective")
    if not isinstance(effective, date) or hasattr(effective, "hour"):
        problems.append("缺少生效日期 effective，或格式不对（应写作 effective = 2027-01-01）")
        effective = date(2000, 1, 1)
    year_end = _choice(data, "year_end", YearEnd, YearEnd.expire, "年末余额规则 year_end 须为 expire（清零）或 carry（结转）",
                       problems)
    birthday_rule = _choice(data, "birthday_rule", BirthdayRule, BirthdayRule.full,
                            "年中进入年龄段的规则 birthday_rule 须为 full（全额）或 prorata（按剩余天数折算）", problems)
    raw_schemes = data.get("scheme")
    if not isinstance(raw_schemes, list) or not raw_schemes:
        problems.append("政策中没有任何方案（每个方案以 [[scheme]] 开头）")
        raw_schemes = []
    schemes = []
    for number, raw in enumerate(raw_schemes, start=1):
        scheme = _scheme(number, raw, problems)
        if scheme is not None:
            schemes.append(scheme)
    operating = _operating(data.get("operating"), problems)
    name = data.get("name", "")
    if not isinstance(name, str) or len(name) > 60:
        problems.append("政策名称 name 须为不超过 60 字的文字")
        name = ""
    if not problems:
        problems.extend(check_schemes(schemes))
    if problems:
        raise PolicyError(problems)
    return Policy(effective=effective, schemes=tuple(schemes), name=name.strip(), year_end=year_end,
                  birthday_rule=birthday_rule, operating=operating)


def _operating(raw: Any, problems: list[str]) -> Operating | None:
    """The optional [operating] table: per_meal_fen and/or monthly_fen (fen, at least one above 0) and a source."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append("运营补贴 [operating] 格式不对")
        return None
    found = [f"运营补贴：未知的字段「{key}」（可用：per_meal_fen、monthly_fen、source）"
             for key in sorted(set(raw) - _OPERATING_KEYS)]
    amounts = {}
    for key, high, what in (("per_meal_fen", 100_000, "每餐金额"), ("monthly_fen", 100_000_000, "每月金额")):
        value = raw.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
            found.append(f"运营补贴：{what} {key} 须为 0 到 {high} 的整数（以分计）")
            value = 0
        amounts[key] = value
    if not found and not any(amounts.values()):
        found.append("运营补贴：每餐金额 per_meal_fen 与每月金额 monthly_fen 至少一项大于 0")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip() or len(source) > 20 or ":" in source:
        found.append("运营补贴：缺少资金来源 source（如 \"区财政\"，不超过 20 字，不含冒号）")
    problems.extend(found)
    if found:
        return None
    return Operating(per_meal_fen=amounts["per_meal_fen"], monthly_fen=amounts["monthly_fen"], source=source.strip())


def _toml_reason(exc: tomllib.TOMLDecodeError) -> str:
    """Where the file stops being TOML (tomllib's own words are English and left out)."""
    line = str(exc).rsplit("(at line ", 1)
    if len(line) == 2:
        return (f"第 {line[1].split(',')[0]} 行附近有格式错误（每行应写作 名称 = 值，文字加英文双引号，"
                "方案以 [[scheme]] 开头）")
    return "请检查引号、括号和等号是否成对、完整"


def _choice(data: dict, key: str, enum: type[StrEnum], default: Any, message: str, problems: list[str]) -> Any:
    if key not in data:
        return default
    try:
        return enum(data[key])
    except ValueError:
        problems.append(message)
        return default


def _scheme(number: int, raw: Any, problems: list[str]) -> Scheme | None:
    if not isinstance(raw, dict):
        problems.append(f"第 {number} 个方案格式不对")
        return None
    name = raw.get("name")
    label = f"方案「{name}」" if isinstance(name, str) and name.strip() else f"第 {number} 个方案"
    found: list[str] = []
    for key in sorted(set(raw) - _SCHEME_KEYS):
        found.append(f"{label}：未知的字段「{key}」")
    if not isinstance(name, str) or not name.strip() or len(name) > 40:
        found.append(f"{label}：缺少名称 name（不超过 40 字）")
    try:
        pays = Pays(raw.get("pays"))
    except ValueError:
        found.append(f"{label}：补贴方式 pays 须为 yearly_allowance、per_meal、percent 或 free")
        pays = None

    def whole(key: str, low: int, high: int, what: str, optional: bool = True) -> int | None:
        value = raw.get(key)
        if value is None:
            if not optional:
                found.append(f"{label}：缺少{what} {key}")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            found.append(f"{label}：{what} {key} 须为 {low} 到 {high} 的整数")
            return None
        return value

    min_age = whole("min_age", 0, MAX_AGE, "最低年龄") or 0
    max_age = whole("max_age", 0, MAX_AGE, "最高年龄")
    if max_age is not None and max_age < min_age:
        found.append(f"{label}：最高年龄 {max_age} 低于最低年龄 {min_age}")
    categories = raw.get("categories", [])
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        found.append(f"{label}：类别 categories 须为文字列表，如 [\"低保\", \"特困\"]")
        categories = []
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        found.append(f"{label}：未知的类别「{'、'.join(unknown)}」（可用：{'、'.join(CATEGORIES)}）")
    amount = whole("amount_fen", 0, 10_000_000, "金额（分）")
    percent = whole("percent", 0, 100, "比例（%）")
    cap = whole("cap_per_meal_fen", 1, 100_000, "每餐上限（分）")
    per_day = whole("max_meals_per_day", 1, 3, "每天最多餐数")
    per_week = whole("max_meals_per_week", 1, 21, "每周最多餐数")
    per_month = whole("max_meals_per_month", 1, 93, "每月最多餐数")
    kinds = raw.get("kinds", list(KIND_LABELS))
    if not isinstance(kinds, list) or not kinds or not all(k in KIND_LABELS for k in kinds):
        found.append(f"{label}：餐别 kinds 须为 breakfast、lunch、dinner 中的一个或几个")
        kinds = list(KIND_LABELS)
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip() or len(source) > 20 or ":" in source:
        found.append(f"{label}：缺少资金来源 source（如 \"区财政\"，不超过 20 字，不含冒号）")
        source = DEFAULT_SOURCE
    if pays in (Pays.yearly_allowance, Pays.per_meal) and not amount:
        what = "每年额度" if pays == Pays.yearly_allowance else "每餐补贴"
        found.append(f"{label}：缺少{what}金额 amount_fen（以分计，大于 0）")
    if pays == Pays.percent:
        if not percent:
            found.append(f"{label}：按比例补贴须写比例 percent（1 到 100）")
        if cap is None:
            found.append(f"{label}：按比例补贴须写每餐上限 cap_per_meal_fen")
    if pays == Pays.per_meal and amount and cap is not None and cap < amount:
        found.append(f"{label}：每餐上限 {yuan_plain(cap)} 元低于每餐补贴 {yuan_plain(amount)} 元，两者矛盾")
    if per_day is not None and per_week is not None and per_week < per_day:
        found.append(f"{label}：每周最多 {per_week} 餐少于每天最多 {per_day} 餐，两者矛盾")
    if per_week is not None and per_month is not None and per_month < per_week:
        found.append(f"{label}：每月最多 {per_month} 餐少于每周最多 {per_week} 餐，两者矛盾")
    if pays in (Pays.per_meal, Pays.free) and percent:
        found.append(f"{label}：比例 percent 只用于按比例补贴（pays = \"percent\"）")
    if pays in (Pays.percent, Pays.free) and amount:
        found.append(f"{label}：金额 amount_fen 只用于 yearly_allowance 与 per_meal")
    problems.extend(found)
    if found or pays is None:
        return None
    return Scheme(name=name.strip(), pays=pays, source=source.strip(), min_age=min_age, max_age=max_age,
                  categories=frozenset(categories), amount_fen=amount or 0, percent=percent or 0,
                  cap_per_meal_fen=cap, max_meals_per_day=per_day, max_meals_per_week=per_week,
                  max_meals_per_month=per_month, kinds=frozenset(kinds))


def _overlap(a: Scheme, b: Scheme) -> bool:
    """Some senior could be in both: the age bands meet and the categories allow one person in both."""
    top_a = MAX_AGE if a.max_age is None else a.max_age
    top_b = MAX_AGE if b.max_age is None else b.max_age
    ages = max(a.min_age, b.min_age) <= min(top_a, top_b)
    return ages  # a person may hold several categories, so any two category lists can meet


def check_schemes(schemes: Sequence[Scheme]) -> list[str]:
    """What is wrong between schemes (each scheme already checked on its own): duplicate names, two yearly
    allowances one senior could both be in, equal pay from different funds, a gap between age bands."""
    problems: list[str] = []
    names = [s.name for s in schemes]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"方案名称「{name}」重复；每个方案须有自己的名称（用量按名称计）")
    for i, a in enumerate(schemes):
        for b in schemes[i + 1:]:
            if not _overlap(a, b):
                continue
            if a.pays == b.pays == Pays.yearly_allowance:
                problems.append(f"方案「{a.name}」与「{b.name}」都是年度额度，且同一位老人可能同时符合；"
                                "一位老人每年只能有一份年度额度，请调整年龄段或类别")
            elif (a.pays, a.amount_fen, a.percent, a.cap_per_meal_fen, a.kinds) == \
                    (b.pays, b.amount_fen, b.percent, b.cap_per_meal_fen, b.kinds) and a.source != b.source:
                problems.append(f"方案「{a.name}」（{a.source}）与「{b.name}」（{b.source}）覆盖同样的老人和餐别、"
                                "补贴完全相同，无法判断由哪个资金来源支付")
    problems.extend(_age_gaps(schemes))
    return problems


def _age_gaps(schemes: Sequence[Scheme]) -> list[str]:
    """Age bands of the schemes open to everyone of that age (no categories) must join up: a band left out between
    two covered ones is a gap (60–69 and 80+ without 70–79)."""
    bands = sorted((s.min_age, MAX_AGE if s.max_age is None else s.max_age) for s in schemes if not s.categories)
    problems = []
    reach = None
    for low, high in bands:
        if reach is not None and low > reach + 1:
            problems.append(f"年龄段 {reach + 1}–{low - 1} 周岁没有任何方案覆盖（两侧的年龄段都有），"
                            "请补上该年龄段或调整相邻方案")
        reach = high if reach is None else max(reach, high)
    return problems


def allowance_policy_text(effective: date, annual_fen: int = 20000, cap_fen: int | None = None,
                          year_end: str = "expire", birthday_rule: str = "full", name: str = "") -> str:
    """The reference district's kind of policy (seed 001: a yearly allowance from age 65, spent meal by meal, paid
    by 区财政) written as a policy file; the demo and the tests load it."""
    cap = f"cap_per_meal_fen = {cap_fen}\n" if cap_fen else ""
    name = name or f"{effective.year} 年就餐补贴"
    return (f'effective = {effective.isoformat()}\nname = "{name}"\n'
            f'year_end = "{year_end}"\nbirthday_rule = "{birthday_rule}"\n\n'
            f'[[scheme]]\nname = "年度就餐补贴"\nmin_age = 65\npays = "yearly_allowance"\n'
            f'amount_fen = {annual_fen}\n{cap}source = "{DEFAULT_SOURCE}"\n')
