"""Reading the 民政 spreadsheet of seniors for the dining registry (issue #16, point 1b).

The sheet is read whole before anything is written: a wrong header refuses the file, every bad row is listed by
its row number in Chinese, and then nothing is imported. A row is a senior: the ID number must pass its checksum
(GB 11643) and hold a real birth date, the card number is 1–20 letters or digits, the center is a center's slug,
and the categories are from the list the policies use (center.domain.policy.CATEGORIES), separated by 、 or ,.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Collection, Sequence

from center.domain.demand_import import MAX_ROWS, FileRefused, Parsed, RowError, cell_text, header_map
from center.domain.policy import CATEGORIES
from center.domain.privacy import ResidentDataError, id_number_birth_date, normalize_id_number, normalize_phone

SENIOR_HEADER = ("姓名", "身份证号", "手机号", "中心", "类别", "卡号")
_SEPARATORS = re.compile(r"[、,，;；\s]+")
_CARD = re.compile(r"[0-9A-Z]{1,20}")


@dataclass(frozen=True)
class SeniorRow:
    row: int
    name: str
    id_number: str
    birth_date: date
    phone: str
    center: str  # the center's slug
    categories: tuple[str, ...]
    card_no: str


def split_categories(text: str) -> tuple[list[str], list[str]]:
    """The categories written in a cell (、 , ， ； or spaces between them): (known, unknown), each once, in order."""
    names = [n for n in _SEPARATORS.split(text.strip()) if n]
    known = list(dict.fromkeys(n for n in names if n in CATEGORIES))
    return known, [n for n in dict.fromkeys(names) if n not in CATEGORIES]


def parse_seniors(rows: Sequence[Sequence[Any]], *, today: date, centers: Collection[str]) -> Parsed:
    """The sheet as seniors to import, or the errors of every bad row. `rows` include the header; `centers` are
    the slugs the importer may import into."""
    if not rows:
        raise FileRefused("文件是空的：第 1 行应为表头：" + "、".join(SENIOR_HEADER))
    where = header_map(rows[0], SENIOR_HEADER)
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise FileRefused(f"一次最多导入 {MAX_ROWS} 行（这个文件有 {len(body)} 行），请分批导入")
    parsed = Parsed()
    ids: dict[str, int] = {}
    cards: dict[str, int] = {}
    for number, raw in enumerate(body, start=2):
        cells = {c: (raw[i] if i < len(raw) else None) for c, i in where.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        problems = []
        name = " ".join(cell_text(cells["姓名"]).split())
        if not name:
            problems.append("缺少姓名")
        elif len(name) > 40:
            problems.append("姓名超过 40 字")
        id_text = cell_text(cells["身份证号"])
        id_number, birth = "", None
        if not id_text:
            problems.append("缺少身份证号")
        else:
            try:
                id_number = normalize_id_number(id_text, today=today)
            except ResidentDataError as exc:
                problems.append(f"身份证号 {_shown(id_text)}：{exc}")
        if id_number:
            birth = id_number_birth_date(id_number)
            if id_number in ids:
                problems.append(f"身份证号与第 {ids[id_number]} 行重复")
            else:
                ids[id_number] = number
        try:
            phone = normalize_phone(cell_text(cells["手机号"]))
        except ResidentDataError as exc:
            problems.append(f"手机号：{exc}")
            phone = ""
        center = cell_text(cells["中心"])
        if not center:
            problems.append("缺少中心（填中心的代码，如 daxi）")
        elif center not in centers:
            problems.append(f"中心“{center[:30]}”不认识，或不是本账号可以导入的中心（可填：{'、'.join(sorted(centers))}）")
        known, unknown = split_categories(cell_text(cells["类别"]))
        if unknown:
            problems.append(f"类别“{'、'.join(unknown)[:40]}”不认识（可填：{'、'.join(CATEGORIES)}）")
        card = cell_text(cells["卡号"]).upper()
        if not card:
            problems.append("缺少卡号")
        elif not _CARD.fullmatch(card):
            problems.append(f"卡号“{card[:30]}”应为 1–20 位字母或数字")
        elif card in cards:
            problems.append(f"卡号 {card} 与第 {cards[card]} 行重复")
        else:
            cards[card] = number
        if problems:
            parsed.errors.append(RowError(number, "；".join(problems)))
            continue
        parsed.rows.append(SeniorRow(number, name, id_number, birth, phone, center, tuple(known), card))
    if not parsed.rows and not parsed.errors:
        raise FileRefused("文件里没有老人：表头下面是空的")
    return parsed


def _shown(text: str) -> str:
    """An ID number in an error message, masked like everywhere else (the row number says which one)."""
    text = text.strip()
    return f"{text[:3]}***{text[-4:]}" if len(text) > 7 else "（格式不对）"
