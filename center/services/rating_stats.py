"""好差评 on /counter/stats and in its workbook (the six figures, by worker, window, category, item and month, the
windows' monthly ranking), and the hall screen's 本月满意率 when the center shows it."""

from __future__ import annotations

from datetime import date, datetime

from openpyxl import Workbook

from center.domain.rating_figures import (
    by_month,
    group_figures,
    level_counts,
    monthly_window_ranking,
    satisfaction,
)
from center.domain.ratings import figures
from center.services import ratings
from center.services.identity import CurrentUser
from center.services.stats import _scope_center, month_bounds
from center.services.xlsx import Column, Kind, write_table
from center.tables import Center

NO_WORKER, NO_WINDOW, NO_CATEGORY, NO_ITEM = "（未记录）", "（未记录窗口）", "（未分类）", "（未记录事项）"

APPEAL_NOTE = "申诉成立的评价不计入"
RANK_NOTE = "窗口排名：好评率高者在前，相同时评价数多者在前；两者都相同的窗口并列同一名次，下一名次顺延（如 1、1、3）"


def window_label(window: str, center_name: str | None = None) -> str:
    """3号窗口 for "3" (the hall's window numbers) and for "3号窗口" (what the counter keeps on a case) alike."""
    if not window:
        return NO_WINDOW
    label = f"{window}号窗口" if window.isdigit() else window
    return f"{center_name} {label}" if center_name else label


async def rating_stats(actor: CurrentUser, month: date, center_id: int | None = None,
                       whole_year: bool = False) -> dict:
    """The ratings of the month (or its whole year) at the actor's center, or a chosen one or the district (admin);
    a district's windows are told with their center's name (3号窗口 is a window of each center)."""
    center_id = await _scope_center(actor, center_id)
    start, end, first, _ = month_bounds(month, whole_year)
    rows = await ratings.facts(center_id, start, end)
    names = {}
    if center_id is None:
        names = {c["id"]: c["name"] for c in await Center.select(Center.id, Center.name)}

    def window_of(row: dict) -> str:
        return window_label(row["window"] or "", names.get(row["center"]))

    facts = [r["fact"] for r in rows]
    months = [first.replace(month=m).strftime("%Y-%m") for m in range(1, 13)] if whole_year else [
        first.strftime("%Y-%m")]
    levels = level_counts(facts)
    per_month = by_month(((r["month"], r["fact"]) for r in rows), months)
    return {
        "totals": figures(facts),
        "appeal_note": APPEAL_NOTE,
        "rank_note": RANK_NOTE,
        "levels": levels,
        "max_level": max((n for _, _, n in levels), default=0),
        "by_worker": group_figures((r["worker_name"] or NO_WORKER, r["fact"]) for r in rows),
        "by_window": group_figures((window_of(r), r["fact"]) for r in rows),
        "by_category": group_figures((r["category_name"] or NO_CATEGORY, r["fact"]) for r in rows),
        "by_item": group_figures((r["item_name"] or NO_ITEM, r["fact"]) for r in rows),
        "by_month": per_month,
        "by_month_labelled": [(f"{int(m[5:])}月", f) for m, f in per_month],
        # The ranking keys windows as the page labels them; a rating without a window is ranked nowhere.
        "ranking": monthly_window_ranking(
            (r["month"], window_of(r) if r["window"] else "", r["fact"]) for r in rows),
    }


async def screen_satisfaction(slug: str, moment: datetime) -> dict | None:
    """本月满意率 for the hall screen at `moment` (local time): None when the center does not show it (the default);
    otherwise the month's rate and how many ratings it is of (rate None: nobody has rated yet this month). Nothing
    personal: one share and one count."""
    center = await Center.select(Center.id, Center.screen_rating).where(Center.slug == slug).first()
    if center is None or not center["screen_rating"]:
        return None
    start, end, _, _ = month_bounds(moment.date())
    return satisfaction(r["fact"] for r in await ratings.facts(center["id"], start, end))


FIGURE_COLUMNS = [Column("评价", Kind.integer), Column("好评", Kind.integer), Column("差评", Kind.integer),
                  Column("好评率(%)", Kind.decimal), Column("已核实", Kind.integer), Column("核实属实", Kind.integer),
                  Column("核实属实率(%)", Kind.decimal), Column("已整改", Kind.integer), Column("整改率(%)", Kind.decimal),
                  Column("按期整改", Kind.integer), Column("按期整改率(%)", Kind.decimal), Column("回访", Kind.integer),
                  Column("回访率(%)", Kind.decimal)]
# The 汇总 sheet's rows saying how the figures are counted (each short enough for its column).
RATING_NOTES = [["好评率口径", "非常满意、满意、基本满意 ÷ 全部评价"], ["核实属实率口径", "核实属实 ÷ 已核实的差评"],
                ["整改率口径", "已整改 ÷ 核实属实"], ["按期整改率口径", "按期限整改 ÷ 核实属实"],
                ["回访率口径", "回访（电话、上门等）所得评价 ÷ 全部评价"], ["好差评计入", "申诉成立的评价不计入"]]


def _row(kind: str, name: str, f: dict) -> list:
    return [kind, name, f["ratings"], f["good"], f["bad"], f["good_rate"], f["checked"], f["founded"],
            f["founded_rate"], f["fixed"], f["fix_rate"], f["fixed_on_time"], f["fix_on_time_rate"], f["callbacks"],
            f["callback_rate"]]


def add_rating_sheet(wb: Workbook, stats: dict) -> None:
    """Sheet 好差评: one row per worker and per window (分组 says which), the period's six figures in the totals
    row; each rating counts once per grouping."""
    rows = ([_row("社工", name, f) for name, f in stats["by_worker"]]
            + [_row("窗口", name, f) for name, f in stats["by_window"]])
    write_table(wb.create_sheet("好差评"), [Column("分组"), Column("名称"), *FIGURE_COLUMNS], rows,
                _row("合计", "本期全部", stats["totals"]))
