"""Catalog rules: what makes a valid item and material, how an item is found as the worker types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable, Sequence

from center.domain import DomainError
from center.domain.numbers import Bounds, NumberError, check_count


class CatalogError(DomainError):
    pass


class ItemKind(StrEnum):
    immediate = "immediate"  # 即办件: done on the spot
    promised = "promised"  # 承诺件: within N working days


KIND_LABELS = {ItemKind.immediate: "即办件", ItemKind.promised: "承诺件"}


class MaterialForm(StrEnum):
    original = "original"
    copy = "copy"
    both = "both"


FORM_LABELS = {MaterialForm.original: "原件", MaterialForm.copy: "复印件", MaterialForm.both: "原件及复印件"}

CODE_RE = re.compile(r"^[A-Z]{2}[0-9]{2,4}$")
MAX_PROMISED_DAYS = 60
MAX_COPIES = 20
PROMISED_DAYS = Bounds("承诺时限", "个工作日", 1, MAX_PROMISED_DAYS, minimum_hint="当场办结的请选“即办件”")
COPIES = Bounds("份数", "份", 1, MAX_COPIES)


@dataclass(frozen=True)
class MaterialSpec:
    name: str
    form: str = MaterialForm.original
    copies: int | str = 1  # as typed on the form, or a number
    note: str = ""
    required: bool = True


@dataclass(frozen=True)
class ItemSpec:
    code: str
    name: str
    category_id: int
    department: str
    kind: str
    promised_days: int | str  # as typed on the form, or a number
    legal_basis: str = ""
    fee: str = "不收费"
    forwarded: bool = False
    keywords: str = ""  # everyday words and abbreviations residents say (社保卡, 低保), separated by 、


KEYWORD_SEPARATORS = re.compile(r"[\s,，、;；/|]+")
MAX_KEYWORDS = 40
MAX_KEYWORD_LENGTH = 20


def parse_keywords(text: str) -> tuple[str, ...]:
    """The everyday words of an item as typed (separated by 、，, ; or spaces), each once, in the order given."""
    words: list[str] = []
    seen: set[str] = set()
    for word in KEYWORD_SEPARATORS.split(text or ""):
        word = word.strip()
        if not word or normalize_query(word) in seen:
            continue
        if len(word) > MAX_KEYWORD_LENGTH:
            raise CatalogError(f"常用说法“{word[:MAX_KEYWORD_LENGTH]}…”太长：每个不超过 {MAX_KEYWORD_LENGTH} 个字")
        seen.add(normalize_query(word))
        words.append(word)
    if len(words) > MAX_KEYWORDS:
        raise CatalogError(f"常用说法最多 {MAX_KEYWORDS} 个")
    return tuple(words)


def format_keywords(words: Iterable[str]) -> str:
    """How keywords are stored and shown: 社保、社保卡、医保."""
    return "、".join(words)


def _text(value: str, label: str, *, minimum: int, maximum: int) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise CatalogError(f"请填写{label}" if minimum <= 1 else f"{label}至少 {minimum} 个字")
    if len(value) > maximum:
        raise CatalogError(f"{label}不能超过 {maximum} 个字")
    return value


class _Errors:
    """Every wrong field of a form told at once (in the form's order), each at its field."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, name: str, rule, *args, **kwargs):
        try:
            return rule(*args, **kwargs)
        except (CatalogError, NumberError) as exc:
            self.errors.setdefault(name, str(exc))
            return None

    def raise_any(self) -> None:
        if self.errors:
            raise CatalogError(errors=self.errors)


def _code(value: str) -> str:
    code = (value or "").strip().upper()
    if not CODE_RE.match(code):
        raise CatalogError("事项编码须为两个大写字母加 2–4 位数字，如 MZ01")
    return code


def _kind(value: str) -> ItemKind:
    try:
        return ItemKind(value)
    except ValueError:
        raise CatalogError("请选择办件类型：即办件或承诺件") from None


def validate_item(spec: ItemSpec) -> ItemSpec:
    """An item needs a code like SB01, a name, a department, and a promise that fits its kind; every wrong field
    is told at once (CatalogError.errors, keyed by the form's field names)."""
    found = _Errors()
    code = found.check("code", _code, spec.code)
    name = found.check("name", _text, spec.name, "事项名称", minimum=2, maximum=120)
    department = found.check("department", _text, spec.department, "实施部门", minimum=2, maximum=120)
    kind = found.check("kind", _kind, spec.kind)
    days = 0
    if kind == ItemKind.promised:
        days = found.check("promised_days", check_count, spec.promised_days, PROMISED_DAYS, field="promised_days")
    fee = found.check("fee", _text, spec.fee or "不收费", "收费标准", minimum=1, maximum=120)
    legal_basis = found.check("legal_basis", _text, spec.legal_basis, "设定依据", minimum=0, maximum=2000)
    keywords = found.check("keywords", parse_keywords, spec.keywords)
    found.raise_any()
    return ItemSpec(
        code=code, name=name, category_id=spec.category_id, department=department, kind=kind.value,
        promised_days=days, legal_basis=legal_basis, fee=fee, forwarded=bool(spec.forwarded),
        keywords=format_keywords(keywords),
    )


def _form(value: str, index: int) -> str:
    try:
        return MaterialForm(value).value
    except ValueError:
        raise CatalogError(f"第 {index} 项材料：请选择原件、复印件或原件及复印件") from None


def _copies(value, index: int) -> int:
    try:
        return check_count(value, COPIES, field="m_copies")
    except NumberError as exc:
        raise CatalogError(f"第 {index} 项材料：{exc}") from None


def validate_materials(materials: Sequence[MaterialSpec]) -> list[MaterialSpec]:
    """Every item lists at least one material; each has a name, a form and 1–20 copies. Every wrong field is told
    at once, keyed `m_name-0`, `m_copies-2`… (the field and the row, counted from 0); the list itself `materials`."""
    if not materials:
        raise CatalogError("至少需要一项申请材料", field="materials")
    if len(materials) > 30:
        raise CatalogError("申请材料不能超过 30 项", field="materials")
    found = _Errors()
    cleaned = []
    for i, material in enumerate(materials):
        index = i + 1
        cleaned.append(MaterialSpec(
            name=found.check(f"m_name-{i}", _text, material.name, f"第 {index} 项材料名称", minimum=2, maximum=120),
            form=found.check(f"m_form-{i}", _form, material.form, index),
            copies=found.check(f"m_copies-{i}", _copies, material.copies, index),
            note=found.check(f"m_note-{i}", _text, material.note, f"第 {index} 项材料说明", minimum=0, maximum=200),
            required=material.required,
        ))
    found.raise_any()
    return cleaned


def material_label(form: str, copies: int) -> str:
    label = FORM_LABELS.get(MaterialForm(form), form)
    return f"{label} {copies} 份" if copies > 1 or form != MaterialForm.original else label


def promise_label(kind: str, promised_days: int) -> str:
    """How the promise reads for the resident (服务承诺)."""
    return "即办" if kind == ItemKind.immediate else f"承诺 {promised_days} 个工作日"


def normalize_query(query: str) -> str:
    return re.sub(r"\s+", "", (query or "").strip().lower())[:40]


# Ranks, best first. Exact before partial; the Chinese words before pinyin; the name before the everyday words.
EXACT, NAME_PREFIX, KEYWORD_PREFIX, IN_NAME, IN_KEYWORD, INITIALS_PREFIX, CODE_PREFIX, IN_INITIALS, IN_SPELLED = range(9)


def _rank(q: str, name: str, code: str, initials: str, spelled: str,
          keywords: Sequence[tuple[str, str, str]] = ()) -> tuple[int, str] | None:
    """(rank, the everyday word that matched or "") for one item; keywords are (word, initials, spelled), lowercase."""
    if not q:
        return None
    name = name.lower()
    if name == q or code.lower() == q:
        return EXACT, ""
    for word, _, _ in keywords:
        if word == q:
            return EXACT, word
    if name.startswith(q):
        return NAME_PREFIX, ""
    for word, _, _ in keywords:
        if word.startswith(q):
            return KEYWORD_PREFIX, word
    if q in name:
        return IN_NAME, ""
    for word, _, _ in keywords:
        if q in word:
            return IN_KEYWORD, word
    if initials.startswith(q):
        return INITIALS_PREFIX, ""
    for word, word_initials, word_spelled in keywords:
        if q in (word_initials, word_spelled):
            return INITIALS_PREFIX, word
    if code.lower().startswith(q):
        return CODE_PREFIX, ""
    if q in initials or spelled.startswith(q):
        return IN_INITIALS, ""
    for word, word_initials, word_spelled in keywords:
        if word_initials.startswith(q) or word_spelled.startswith(q):
            return IN_INITIALS, word
    if q in spelled:
        return IN_SPELLED, ""
    return None


def search_haystack(name: str, code: str, initials: str, spelled: str,
                    keywords: Sequence[tuple[str, str, str]] = ()) -> str:
    """Every key an item is matched by, joined by NUL: what was typed can match only if it is a substring of it."""
    return "\x00".join([name.lower(), code.lower(), initials, spelled, *(k for word in keywords for k in word)])


def search(query: str, entries: Iterable[dict], limit: int = 12) -> list[dict]:
    """Entries (with name, code, initials, spelled, sort_order, optional keyword_keys and haystack: every key joined
    by NUL, see search_haystack) that match, best first.

    An entry found by one of its everyday words comes back as a copy naming it under "matched".
    """
    scored = []
    q = normalize_query(query)
    for entry in entries:
        haystack = entry.get("haystack")
        if haystack is not None and q not in haystack:
            continue  # every kind of match is a substring of some key: most items are ruled out by one test
        found = _rank(q, entry["name"], entry["code"], entry["initials"], entry["spelled"],
                      entry.get("keyword_keys", ()))
        if found is not None:
            scored.append((found[0], entry["sort_order"], entry["code"], found[1], entry))
    scored.sort(key=lambda t: t[:3])
    return [{**t[4], "matched": t[3]} if t[3] else t[4] for t in scored[:limit]]
