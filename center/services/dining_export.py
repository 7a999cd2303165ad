"""The month's 台账 as an Excel workbook: per canteen with a totals row that checks against the ledger."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill


from center.domain.privacy import mask_id_number, mask_name
from center.services import dining
from center.services.identity import CurrentUser
from center.timeutil import to_local

BOLD = Font(bold=True)
FILL = PatternFill("solid", fgColor="F1EBE8")


def _header(ws, row: list[str]) -> None:
    ws.append(row)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
        cell.fill = FILL


def _money(fen: int) -> float:
    # Excel shows yuan; the figure comes from integer fen, rounded exactly to cents.
    return round(fen / 100, 2)


async def month_xlsx(actor: CurrentUser, canteen_id: int | None, month: date) -> bytes:
    view = await dining.month_view(actor, canteen_id, month)
    meals = await dining.month_meals(actor, canteen_id, month)
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    summary.append([f"{month.year} 年 {month.month} 月 老年助餐补贴台账" + ("（已结账）" if view["closed"] else "")])
    summary.append([])
    _header(summary, ["助餐点", "就餐人次", "餐费合计（元）", "补贴应结算（元）", "老人自付（元）"])
    totals = [0, 0, 0, 0]
    for canteen, figures in view["by_canteen"]:
        subsidy = view["ledger_by_canteen"].get(canteen["id"], 0)
        summary.append([canteen["name"], figures["meals"], _money(figures["price_fen"]), _money(subsidy),
                        _money(figures["paid_fen"])])
        for i, value in enumerate((figures["meals"], figures["price_fen"], subsidy, figures["paid_fen"])):
            totals[i] += value
    summary.append(["合计", totals[0], _money(totals[1]), _money(totals[2]), _money(totals[3])])
    for cell in summary[summary.max_row]:
        cell.font = BOLD
    summary.append([])
    summary.append(["账本核对：应结算补贴合计（元）", _money(view["ledger_total_fen"]),
                    "一致" if totals[2] == view["ledger_total_fen"] else "不一致"])

    detail = wb.create_sheet("明细")
    _header(detail, ["日期", "时间", "助餐点", "就餐卡号", "姓名", "身份证号", "餐别", "餐费（元）", "补贴（元）",
                     "自付（元）", "状态"])
    sums = [0, 0, 0]
    for meal in meals:
        local = to_local(meal["eaten_at"])
        voided = meal["voided_on"] is not None
        detail.append([local.strftime("%Y-%m-%d"), local.strftime("%H:%M"), meal["canteen_name"], meal["card_no"],
                       mask_name(meal["name"]), mask_id_number(meal["id_number"]), dining.MEAL_KINDS[meal["kind"]],
                       _money(meal["price_fen"]), _money(meal["subsidy_fen"]), _money(meal["paid_fen"]),
                       f"已撤销（{meal['voided_on']:%m-%d}）" if voided else "正常"])
        if not voided:
            sums[0] += meal["price_fen"]
            sums[1] += meal["subsidy_fen"]
            sums[2] += meal["paid_fen"]
    detail.append(["合计（不含撤销）", "", "", "", "", "", "", _money(sums[0]), _money(sums[1]), _money(sums[2]), ""])
    for cell in detail[detail.max_row]:
        cell.font = BOLD

    daily = wb.create_sheet("按日")
    _header(daily, ["日期", "就餐人次"])
    for day, count in view["per_day"]:
        daily.append([day.isoformat(), count])
    kinds = wb.create_sheet("按餐别")
    _header(kinds, ["餐别", "就餐人次", "餐费（元）", "补贴（元）", "自付（元）"])
    for kind, figures in view["by_kind"].items():
        kinds.append([dining.MEAL_KINDS[kind], figures["meals"], _money(figures["price_fen"]),
                      _money(figures["subsidy_fen"]), _money(figures["paid_fen"])])
    for ws in wb.worksheets:
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = 16
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()



