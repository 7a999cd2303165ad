"""The demands' Excel export: the month's three rates per grid, worker, kind and channel, the heat table, and the
orders themselves with names and phones masked (center.services.xlsx for dates, widths and totals rows)."""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from center.domain.demands import CHANNEL_LABELS, STATE_LABELS, Channel, State
from center.domain.privacy import mask_name, mask_phone
from center.services import demands
from center.services.identity import CurrentUser
from center.services.xlsx import Column, Export, Kind, workbook_bytes, write_table
from center.tables import Demand
from center.timeutil import utcnow

RATE_COLUMNS = [Column("工单", Kind.integer), Column("应签收", Kind.integer), Column("按时签收", Kind.integer),
                Column("响应率(%)", Kind.decimal), Column("已回访", Kind.integer), Column("已解决", Kind.integer),
                Column("解决率(%)", Kind.decimal), Column("满意", Kind.integer), Column("满意率(%)", Kind.decimal),
                Column("超期", Kind.integer)]
NOTES = [["响应率", "按时签收 ÷ 应签收（已签收的，及超过签收时限仍未签收的）"],
         ["解决率", "回访时群众表示已解决 ÷ 已回访"], ["满意率", "回访时满意或基本满意 ÷ 已回访"]]


def _rate_cells(r: dict) -> list:
    return [r["orders"], r["decided"], r["responded"], r["response_rate"], r["called"], r["solved"],
            r["solve_rate"], r["satisfied"], r["satisfaction_rate"], r["overdue"]]


async def figures_workbook(actor: CurrentUser, month: str | None = None, now: datetime | None = None,
                           center_id: int | None = None) -> Export:
    now = now or utcnow()
    view = await demands.figures_view(actor, month, now, center_id=center_id)
    wb = Workbook()
    wb.remove(wb.active)
    total = view["total"]
    write_table(wb.create_sheet("汇总"), [Column("指标"), Column("数值")],
                [["月份", view["month"]], ["工单", total["orders"]], ["响应率(%)", total["response_rate"]],
                 ["解决率(%)", total["solve_rate"]], ["满意率(%)", total["satisfaction_rate"]],
                 ["超期（本月受理）", total["overdue"]], *NOTES], ["合计工单", total["orders"]])
    for group in view["groups"]:
        write_table(wb.create_sheet(f"按{group['label']}"), [Column(group["label"]), *RATE_COLUMNS],
                    [[r["name"], *_rate_cells(r)] for r in group["rows"]], ["合计", *_rate_cells(total)])
    heat = view["heat"]
    write_table(wb.create_sheet("小区热力"), [Column("小区"), *[Column(k, Kind.integer) for k in heat["kinds"]],
                                               Column("合计", Kind.integer)],
                [[r["compound"], *r["cells"], r["total"]] for r in heat["rows"]],
                ["合计", *[sum(r["cells"][i] for r in heat["rows"]) for i in range(len(heat["kinds"]))],
                 sum(r["total"] for r in heat["rows"])])
    start, end = demands.month_bounds(view["month"])
    where = (Demand.received_at >= start) & (Demand.received_at < end)
    if view["center_id"] is not None:
        where = where & (Demand.center == view["center_id"])
    rows = await Demand.select(
        Demand.code, Demand.source_no, Demand.channel, Demand.kind, Demand.received_at, Demand.resident_name,
        Demand.phone, Demand.address, Demand.state, Demand.due_on, Demand.resolved_at,
        Demand.grid.name.as_alias("grid_name"), Demand.assignee.display_name.as_alias("assignee_name"),
        Demand.center.name.as_alias("center_name"),
    ).where(where).order_by(Demand.received_at)
    labels = await demands.kind_labels()
    write_table(wb.create_sheet("工单明细"), [
        Column("编号"), Column("中心"), Column("12345工单编号"), Column("渠道"), Column("类型"), Column("受理时间", Kind.datetime),
        Column("诉求人"), Column("联系电话"), Column("地址"), Column("网格"), Column("承办人"), Column("状态"),
        Column("办结时限", Kind.date), Column("办结时间", Kind.datetime),
    ], [[r["code"], r["center_name"], r["source_no"] if r["channel"] == "hotline" else "", CHANNEL_LABELS[Channel(r["channel"])], labels.get(r["kind"], r["kind"]),
         r["received_at"], mask_name(r["resident_name"]), mask_phone(r["phone"]), r["address"],
         r["grid_name"] or "", r["assignee_name"] or "", STATE_LABELS[State(r["state"])], r["due_on"],
         r["resolved_at"]] for r in rows], ["合计", f"{len(rows)} 件"])
    scope = "全区" if view["center_id"] is None else (rows[0]["center_name"] if rows else "本中心")
    return Export(workbook_bytes(wb), f"民情诉求-{view['month']}-{scope}.xlsx", f"demands-{view['month']}.xlsx")
