"""The month's 台账 as an Excel workbook: per canteen with a totals row that checks against the ledger, every meal,
per day and per kind (center.services.xlsx: real dates, money in #,##0.00, frozen headers, fitted widths)."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook

from center.domain.privacy import mask_id_number, mask_name
from center.services import dining
from center.services.identity import CurrentUser
from center.services.xlsx import Column, Export, Kind, append_row, fit_widths, workbook_bytes, write_table

SUMMARY = [Column("助餐点"), Column("就餐人次", Kind.integer), Column("餐费合计（元）", Kind.money),
           Column("补贴应结算（元）", Kind.money), Column("老人自付（元）", Kind.money), Column("结账")]
DETAIL = [Column("日期", Kind.date), Column("时间", Kind.time), Column("助餐点"), Column("就餐卡号"), Column("姓名"),
          Column("身份证号"), Column("餐别"), Column("餐费（元）", Kind.money), Column("补贴（元）", Kind.money),
          Column("自付（元）", Kind.money), Column("状态")]
DAILY = [Column("日期", Kind.date), Column("就餐人次", Kind.integer)]
KINDS = [Column("餐别"), Column("就餐人次", Kind.integer), Column("餐费（元）", Kind.money),
         Column("补贴（元）", Kind.money), Column("自付（元）", Kind.money)]


def filenames(view: dict, month: date) -> tuple[str, str]:
    """The district's, a center's and a canteen's files are named apart: 老年助餐台账-2026年11月-<what it covers>."""
    label = f"{month.year}年{month.month}月"
    if view["canteen_id"] is not None:
        code = next(c["code"] for c in view["canteens"] if c["id"] == view["canteen_id"])
        fallback = f"dining-{month:%Y-%m}-canteen-{code}.xlsx"
    elif view["scope"] == "全区":
        fallback = f"dining-{month:%Y-%m}-district.xlsx"
    else:
        fallback = f"dining-{month:%Y-%m}-center.xlsx"
    return f"老年助餐台账-{label}-{view['scope']}.xlsx", fallback.lower()


async def month_xlsx(actor: CurrentUser, canteen_id: int | None, month: date) -> Export:
    view = await dining.month_view(actor, canteen_id, month)
    meals = await dining.month_meals(actor, canteen_id, month)
    wb = Workbook()

    summary = wb.active
    summary.title = "汇总"
    rows, totals = [], [0, 0, 0, 0]
    for canteen, figures in view["by_canteen"]:
        subsidy = view["ledger_by_canteen"].get(canteen["id"], 0)
        values = (figures["meals"], figures["price_fen"], subsidy, figures["paid_fen"])
        rows.append([canteen["name"], *values, "已结账" if canteen["id"] in view["closed_ids"] else "未结账"])
        totals = [t + v for t, v in zip(totals, values)]
    title = f"{month.year} 年 {month.month} 月 老年助餐补贴台账 · {view['scope']}" + ("（已结账）" if view["closed"] else "")
    write_table(summary, SUMMARY, rows, ["合计", *totals, ""], title=title)
    summary.append([])
    append_row(summary, SUMMARY, ["账本核对", None, None, view["ledger_total_fen"], None,
                                  "一致" if totals[2] == view["ledger_total_fen"] else "不一致"])
    fit_widths(summary, first_row=3)

    detail = wb.create_sheet("明细")
    rows, sums, voided = [], [0, 0, 0], 0
    for meal in meals:
        is_void = meal["voided_on"] is not None
        status = "正常"
        if is_void:
            voided += 1
            status = f"已撤销（{meal['voided_on']:%m-%d}）" + (f"：{meal['void_reason']}" if meal["void_reason"] else "")
        else:
            sums = [s + v for s, v in zip(sums, (meal["price_fen"], meal["subsidy_fen"], meal["paid_fen"]))]
        rows.append([meal["eaten_at"], meal["eaten_at"], meal["canteen_name"], meal["card_no"], mask_name(meal["name"]),
                     mask_id_number(meal["id_number"]), dining.MEAL_KINDS[meal["kind"]], meal["price_fen"],
                     meal["subsidy_fen"], meal["paid_fen"], status])
    write_table(detail, DETAIL, rows, ["合计", None, None, None, None, None, f"{len(meals) - voided} 餐", *sums,
                                       f"不含已撤销 {voided} 餐"])

    daily = wb.create_sheet("按日")
    write_table(daily, DAILY, [[day, count] for day, count in view["per_day"]], ["合计", view["totals"]["meals"]])

    kinds = wb.create_sheet("按餐别")
    t = view["totals"]
    write_table(kinds, KINDS, [[dining.MEAL_KINDS[kind], f["meals"], f["price_fen"], f["subsidy_fen"], f["paid_fen"]]
                               for kind, f in view["by_kind"].items()],
                ["合计", t["meals"], t["price_fen"], t["subsidy_fen"], t["paid_fen"]])

    filename, fallback = filenames(view, month)
    return Export(workbook_bytes(wb), filename, fallback)
