"""Excel sheets an office can trust (issue #10, Excel standards): dates are real date cells, money is a number of
yuan in `#,##0.00`, the header row is frozen, the widths fit what is in them (an 18-character masked ID number
included), and every sheet ends with a totals row. Values come in as the code keeps them: fen for money, aware
datetimes shown in Asia/Shanghai."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from center.timeutil import to_local

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIME_FORMAT = "hh:mm"
INTEGER_FORMAT = "0"
DECIMAL_FORMAT = "0.0"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F1EBE8")
TITLE_FONT = Font(bold=True, size=13)
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="thin"))
MAX_WIDTH = 60
# A text beginning with one of these is a formula to a spreadsheet program (issue #11, finding 5): a catalog item
# named =HYPERLINK(...) must reach the admin's workbook as the text it is, never as a live formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Kind(StrEnum):
    text = "text"
    integer = "integer"
    decimal = "decimal"  # a rate or an average, one decimal
    money = "money"  # given in fen, written in yuan
    date = "date"
    datetime = "datetime"  # aware, written in local time
    time = "time"


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.text


FORMATS = {Kind.integer: INTEGER_FORMAT, Kind.decimal: DECIMAL_FORMAT, Kind.money: MONEY_FORMAT,
           Kind.date: DATE_FORMAT, Kind.datetime: DATETIME_FORMAT, Kind.time: TIME_FORMAT}


def yuan_number(fen: int) -> Decimal:
    """Integer fen as an exact number of yuan (1550 -> Decimal('15.50')): a number in the sheet, never text."""
    return Decimal(int(fen)).scaleb(-2)


def cell_value(kind: Kind, value: Any) -> Any:
    """What the sheet stores for a value of this column: Excel dates and numbers, not their printed text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value  # a label in a typed column (e.g. 合计)
    if kind == Kind.money:
        return yuan_number(value)
    if kind == Kind.datetime and isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None, second=0, microsecond=0)  # Excel has no time zones
    if kind == Kind.time and isinstance(value, datetime):
        return to_local(value).time().replace(second=0, microsecond=0)
    if kind == Kind.date and isinstance(value, datetime):
        return to_local(value).date()
    return value


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet font: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shown(value: Any, number_format: str | None) -> str:
    """The text a reader sees for a stored value (for the column widths)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        if number_format == MONEY_FORMAT:
            return f"{value:,.2f}"
        if number_format == DECIMAL_FORMAT:
            return f"{value:.1f}"
    return str(value)


def fit_widths(ws: Worksheet, first_row: int = 1) -> None:
    """Every column as wide as its widest cell from first_row on (a title row above may run across)."""
    widths: dict[str, int] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            text = shown(cell.value, cell.number_format)
            if text:
                letter = cell.column_letter
                widths[letter] = max(widths.get(letter, 0), max(display_width(line) for line in text.split("\n")))
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = min(MAX_WIDTH, width + 3)


def write_table(ws: Worksheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
                totals: Sequence[Any], *, title: str | None = None) -> int:
    """A table with an optional title line above it: the header (frozen, so it stays while scrolling), the rows,
    then the totals row (bold, a rule above). Returns the totals row's number, for notes written below it."""
    if title:
        ws.append([title])
        ws.cell(row=ws.max_row, column=1).font = TITLE_FONT
        ws.append([])
    ws.append([c.title for c in columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row in rows:
        append_row(ws, columns, row)
    append_row(ws, columns, totals)
    total_row = ws.max_row
    for cell in ws[total_row]:
        cell.font = TOTAL_FONT
        cell.border = TOTAL_BORDER
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    fit_widths(ws, first_row=header_row)
    return total_row


def append_row(ws: Worksheet, columns: Sequence[Column], row: Sequence[Any]) -> None:
    ws.append([cell_value(c.kind, v) for c, v in zip(columns, row)])
    for column, cell in zip(columns, ws[ws.max_row]):
        if column.kind in FORMATS and cell.value is not None and not isinstance(cell.value, str):
            cell.number_format = FORMATS[column.kind]


@dataclass(frozen=True)
class Export:
    """A workbook ready to send: its bytes, its Chinese file name and an ASCII one for old clients."""

    content: bytes
    filename: str
    ascii_filename: str


def as_text(cell) -> None:
    """Keep a text cell text: stored as a string, and quote-prefixed so that editing it in Excel or WPS does not
    turn it into a formula either."""
    cell.data_type = "s"
    cell.quotePrefix = True


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as the .xlsx file to send. The project writes no formulas (totals are values it computed), so
    every text that a spreadsheet would read as a formula, from any sheet and any source, is written as text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (cell.data_type == "f" or cell.value.startswith(FORMULA_STARTS)):
                    as_text(cell)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
