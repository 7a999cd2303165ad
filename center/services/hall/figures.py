"""The hall's figures for a month or a year (/counter/stats, 取号叫号): waits and serving times per queue, window,
worker and hour, tickets per day, no-shows and priority tickets; and their sheets in the stats workbook."""

from __future__ import annotations

from datetime import date, timedelta

from openpyxl import Workbook

from center.domain.hall_figures import TicketTimes, hall_figures
from center.services.identity import CurrentUser
from center.services.xlsx import Column, Kind, write_table
from center.tables import Ticket
from center.timeutil import to_local


async def period_tickets(center_id: int | None, first: date, last: date) -> list[TicketTimes]:
    """The tickets taken on the local days first..last of a center (None: the district), in local time."""
    query = Ticket.select(
        Ticket.state, Ticket.priority, Ticket.window, Ticket.taken_at, Ticket.called_at, Ticket.finished_at,
        Ticket.queue.code.as_alias("code"), Ticket.queue.name.as_alias("queue_name"),
        Ticket.called_by.display_name.as_alias("worker"),
    ).where((Ticket.day >= first) & (Ticket.day <= last))
    if center_id is not None:
        query = query.where(Ticket.center == center_id)
    return [TicketTimes(
        queue=f"{r['code']} {r['queue_name']}", state=r["state"], priority=bool(r["priority"]),
        window=r["window"] or "", worker=r["worker"] or "", taken_at=to_local(r["taken_at"]),
        called_at=to_local(r["called_at"]) if r["called_at"] else None,
        finished_at=to_local(r["finished_at"]) if r["finished_at"] else None,
    ) for r in await query]


async def hall_stats(actor: CurrentUser, month: date, center_id: int | None = None,
                     whole_year: bool = False) -> dict:
    """The figures of the month (or its whole year) for the actor's center, or a chosen one or the district (admin)."""
    from center.services.stats import _scope_center, month_bounds  # stats builds its workbook with these sheets

    center_id = await _scope_center(actor, center_id)
    _, _, first, last = month_bounds(month, whole_year)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    figures = hall_figures(await period_tickets(center_id, first, last), [] if whole_year else days)
    hours = figures["by_hour"]
    figures["max_wait_by_hour"] = max((r["wait_p90"] or 0 for _, r in hours), default=0)
    # As the page names them: 3号窗口, 09:00–09:59; the days that had tickets (a year: its months).
    figures["by_window_labelled"] = [(f"{name}号窗口", r) for name, r in figures["by_window"]]
    figures["by_hour_labelled"] = [(f"{hour:02d}:00–{hour:02d}:59", r) for hour, r in hours]
    per_month: dict[str, int] = {}
    for day, n in figures["per_day"]:
        if n:
            label = f"{day.month}月" if whole_year else f"{day.month}月{day.day}日"
            per_month[label] = per_month.get(label, 0) + n
    figures["per_period"] = list(per_month.items())
    return figures


FIGURE_COLUMNS = [Column("取号", Kind.integer), Column("叫号", Kind.integer), Column("办结", Kind.integer),
                  Column("过号", Kind.integer), Column("过号率(%)", Kind.decimal), Column("优先号", Kind.integer),
                  Column("优先号占比(%)", Kind.decimal),
                  Column("等候中位数(分钟)", Kind.decimal), Column("等候90%分位(分钟)", Kind.decimal),
                  Column("办理中位数(分钟)", Kind.decimal), Column("办理90%分位(分钟)", Kind.decimal)]
# How the hall's figures are counted, as rows of the 汇总 sheet (each short enough for its column).
HALL_NOTES = [["取号等候口径", "取号到首次叫号（过号的也算）"], ["取号办理口径", "叫号到办结（仅已办结）"],
              ["中位数 / 90%分位", "一半 / 九成居民少于此时间（分钟）"], ["过号率口径", "过号 ÷ 叫号"]]


def _row(kind: str, name: str, r: dict) -> list:
    return [kind, name, r["tickets"], r["called"], r["done"], r["no_show"], r["no_show_rate"], r["priority"],
            r["priority_share"], r["wait_p50"], r["wait_p90"], r["serve_p50"], r["serve_p90"]]


def add_hall_sheets(wb: Workbook, figures: dict) -> None:
    """Sheet 取号叫号: one row per queue, window, worker and hour (分组 says which), the period's row last;
    sheet 取号每日: tickets per day."""
    rows = ([_row("队列", name, r) for name, r in figures["by_queue"]]
            + [_row("窗口", f"{name}号窗口", r) for name, r in figures["by_window"]]
            + [_row("社工", name, r) for name, r in figures["by_worker"]]
            + [_row("时段", f"{hour:02d}:00–{hour:02d}:59", r) for hour, r in figures["by_hour"]])
    write_table(wb.create_sheet("取号叫号"), [Column("分组"), Column("名称"), *FIGURE_COLUMNS], rows,
                _row("合计", "本期全部", figures["totals"]))
    per_day = figures["per_day"]
    write_table(wb.create_sheet("取号每日"), [Column("日期", Kind.date), Column("取号", Kind.integer)],
                [[day, n] for day, n in per_day], ["合计", sum(n for _, n in per_day)])
