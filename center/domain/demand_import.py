"""Reading the two spreadsheets of demands: the 12345 hotline's orders and the grid (one row per building).

Both are read whole before anything is written: a wrong header or a missing column refuses the file; every bad
row is listed by its row number with a Chinese message, and then nothing is imported. Cells are taken as the text
they show: a formula is its text, never its value (the file is never evaluated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Sequence

from center.domain.demands import DemandError, KindRule, clean_phone, kind_code, MAX_ADDRESS, MAX_CONTENT

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

HOTLINE_HEADER = ("工单编号", "受理时间", "诉求人", "联系电话", "地址", "诉求类型", "诉求内容", "办理时限（工作日）")
GRID_HEADER = ("网格编号", "网格名称", "网格员", "小区", "楼栋", "楼栋长", "楼栋长电话")

_SPACES = re.compile(r"\s+")
_ORDER_NO = re.compile(r"[0-9A-Za-z\-_]{4,40}")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                     "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")


class FileRefused(DemandError):
    """The file as a whole cannot be read (size, format, header)."""


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    message: str


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def cell_text(value: Any) -> str:
    """A cell as text (numbers without a trailing .0, dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def header_map(header: Sequence[Any], expected: Sequence[str]) -> dict[str, int]:
    """Where each expected column is; refuses a file whose header lacks any (naming them)."""
    names = [_SPACES.sub("", cell_text(h)).replace("(", "（").replace(")", "）") for h in header]
    where = {}
    for column in expected:
        if column in names:
            where[column] = names.index(column)
    missing = [c for c in expected if c not in where]
    if missing:
        if not any(names):
            raise FileRefused("第 1 行应为表头：" + "、".join(expected))
        raise FileRefused("表头缺少列：" + "、".join(missing) + "。第 1 行应为：" + "、".join(expected))
    duplicated = [c for c in expected if names.count(c) > 1]
    if duplicated:
        raise FileRefused("表头有重复的列：" + "、".join(duplicated))
    return where


def parse_moment(value: Any) -> datetime | None:
    """受理时间 as a naive local datetime: a date cell, or a text in the usual forms; None when unreadable."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return datetime.combine(value, time())
    text = cell_text(value)
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class HotlineRow:
    row: int
    order_no: str
    received: datetime  # naive local
    resident_name: str
    phone: str
    address: str
    kind: str
    content: str
    resolve_days: int | None


def parse_hotline(rows: Sequence[Sequence[Any]], kinds: Sequence[KindRule], *, now_local: datetime) -> Parsed:
    """The hotline's sheet as rows to import, or the errors of every bad row. `rows` include the header."""
    if not rows:
        raise FileRefused("文件是空的：第 1 行应为表头：" + "、".join(HOTLINE_HEADER))
    where = header_map(rows[0], HOTLINE_HEADER)
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise FileRefused(f"一次最多导入 {MAX_ROWS} 行（这个文件有 {len(body)} 行），请分批导入")
    parsed = Parsed()
    seen: dict[str, int] = {}
    for number, raw in enumerate(body, start=2):
        cells = {c: (raw[i] if i < len(raw) else None) for c, i in where.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue  # a blank line in the middle or at the end of a sheet
        problems = []
        order_no = cell_text(cells["工单编号"])
        if not order_no:
            problems.append("缺少工单编号")
        elif not _ORDER_NO.fullmatch(order_no):
            problems.append(f"工单编号“{order_no[:40]}”格式不对（应为 4–40 位字母、数字或短横线）")
        elif order_no in seen:
            problems.append(f"工单编号 {order_no} 与第 {seen[order_no]} 行重复")
        else:
            seen[order_no] = number
        received = parse_moment(cells["受理时间"])
        if received is None:
            text = cell_text(cells["受理时间"])
            problems.append(f"受理时间“{text[:30]}”无法识别（应如 2026-12-01 09:30）" if text else "缺少受理时间")
        elif received > now_local.replace(tzinfo=None):
            problems.append(f"受理时间 {received:%Y-%m-%d %H:%M} 晚于现在")
        elif received.year < 2000:
            problems.append(f"受理时间 {received:%Y-%m-%d} 不合理")
        kind_label = cell_text(cells["诉求类型"])
        kind = kind_code(kind_label, kinds)
        if not kind_label:
            problems.append("缺少诉求类型")
        elif kind is None:
            problems.append(f"诉求类型“{kind_label[:20]}”不认识（可填：" + "、".join(k.label for k in kinds) + "）")
        content = cell_text(cells["诉求内容"])
        if not content:
            problems.append("缺少诉求内容")
        elif len(content) > MAX_CONTENT:
            problems.append(f"诉求内容超过 {MAX_CONTENT} 字")
        address = cell_text(cells["地址"])
        if len(address) > MAX_ADDRESS:
            problems.append(f"地址超过 {MAX_ADDRESS} 字")
        name = cell_text(cells["诉求人"])
        if len(name) > 40:
            problems.append("诉求人超过 40 字")
        try:
            phone = clean_phone(cells["联系电话"])
        except DemandError as exc:
            problems.append(str(exc))
            phone = ""
        limit_text = cell_text(cells["办理时限（工作日）"])
        resolve_days = None
        if limit_text:
            if limit_text.isdigit() and 1 <= int(limit_text) <= 60:
                resolve_days = int(limit_text)
            else:
                problems.append(f"办理时限“{limit_text[:10]}”应为 1–60 的工作日数")
        if problems:
            parsed.errors.append(RowError(number, "；".join(problems)))
            continue
        parsed.rows.append(HotlineRow(number, order_no, received, name, phone, address, kind, content, resolve_days))
    if not parsed.rows and not parsed.errors:
        raise FileRefused("文件里没有工单：表头下面是空的")
    return parsed


@dataclass(frozen=True)
class GridRow:
    row: int
    grid_code: str
    grid_name: str
    worker: str  # the grid worker's username or name, in the center
    compound: str
    building: str
    steward: str
    steward_phone: str


def parse_grid(rows: Sequence[Sequence[Any]], staff_names: Sequence[str]) -> Parsed:
    """The grid sheet: one row per building. A grid code names one grid and one grid worker throughout; a building
    appears once. `staff_names` are the usernames and names the 网格员 column may use."""
    if not rows:
        raise FileRefused("文件是空的：第 1 行应为表头：" + "、".join(GRID_HEADER))
    where = header_map(rows[0], GRID_HEADER)
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise FileRefused(f"一次最多导入 {MAX_ROWS} 行（这个文件有 {len(body)} 行），请分批导入")
    known = set(staff_names)
    parsed = Parsed()
    grids: dict[str, tuple[str, str, int]] = {}
    buildings: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(body, start=2):
        cells = {c: cell_text(raw[i] if i < len(raw) else None) for c, i in where.items()}
        if not any(cells.values()):
            continue
        problems = []
        code, name, worker = cells["网格编号"], cells["网格名称"], cells["网格员"]
        compound, building = cells["小区"], cells["楼栋"]
        if not code:
            problems.append("缺少网格编号")
        elif len(code) > 20:
            problems.append("网格编号超过 20 字")
        if not name:
            problems.append("缺少网格名称")
        if worker and worker not in known:
            problems.append(f"网格员“{worker[:20]}”不是本中心的工作人员（填用户名或姓名）")
        if code and name:
            first = grids.get(code)
            if first and (first[0], first[1]) != (name, worker):
                problems.append(f"网格 {code} 的名称或网格员与第 {first[2]} 行不一致")
            elif not first:
                grids[code] = (name, worker, number)
        if not compound:
            problems.append("缺少小区")
        if not building:
            problems.append("缺少楼栋")
        if compound and building:
            key = (compound, building)
            if key in buildings:
                problems.append(f"{compound}{building} 与第 {buildings[key]} 行重复")
            else:
                buildings[key] = number
        for label, value, limit in (("网格名称", name, 60), ("小区", compound, 60), ("楼栋", building, 20),
                                    ("楼栋长", cells["楼栋长"], 40)):
            if len(value) > limit:
                problems.append(f"{label}超过 {limit} 字")
        try:
            phone = clean_phone(cells["楼栋长电话"])
        except DemandError:
            problems.append("楼栋长电话格式不对")
            phone = ""
        if problems:
            parsed.errors.append(RowError(number, "；".join(problems)))
            continue
        parsed.rows.append(GridRow(number, code, name, worker, compound, building, cells["楼栋长"], phone))
    if not parsed.rows and not parsed.errors:
        raise FileRefused("文件里没有楼栋：表头下面是空的")
    return parsed
