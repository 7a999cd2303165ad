"""Figures of the one window for managers: by month, category, item and worker, extended hours; Excel export."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook

from center.domain import AccessDenied
from center.domain.cases import STATUS_LABELS, CaseStatus
from center.domain.periods import month_start, next_month
from center.domain.privacy import mask_id_number, mask_name
from center.domain.stats import Timeliness, on_time_rate, timeliness
from center.services.calendar import get_calendar
from center.services.identity import CurrentUser
from center.services.xlsx import Column, Export, Kind, workbook_bytes, write_table
from center import db
from center.tables import Case, Center, Item, Staff
from center.timeutil import LOCAL_TZ, local_today


def month_bounds(month: date, whole_year: bool = False) -> tuple[datetime, datetime, date, date]:
    """The local bounds of a month (or, with whole_year, of its year): start, end (exclusive), first, last day."""
    first = month.replace(month=1, day=1) if whole_year else month_start(month)
    next_first = first.replace(year=first.year + 1) if whole_year else next_month(first)
    return (datetime.combine(first, time.min, tzinfo=LOCAL_TZ), datetime.combine(next_first, time.min, tzinfo=LOCAL_TZ),
            first, next_first - timedelta(days=1))


def _local_date_sql(column: str) -> str:
    """SQL for the local (Asia/Shanghai) date of a stored UTC timestamp, as YYYY-MM-DD text."""
    if db.is_sqlite():
        offset = LOCAL_TZ.utcoffset(datetime(2000, 1, 1))  # China keeps UTC+8 all year (no summer time)
        return f"date({column}, '+{int(offset.total_seconds() // 3600)} hours')"
    return f"to_char({column} AT TIME ZONE '{LOCAL_TZ.key}', 'YYYY-MM-DD')"


async def _figure_rows(center_id: int | None, start: datetime, end: datetime) -> tuple[list[tuple], dict, dict]:
    """What the figures count of the cases accepted in [start, end), as tuples (status, extended, item id, receiver
    id, owner id, accepted on, closed on, due on, paused on; days as YYYY-MM-DD text computed by the database),
    with the items (name, category) and the workers' names to label them.
    Not grouped: the combinations hardly repeat and sorting them costs more than reading them. A district's year at
    N=20 is 50,000 cases."""
    where = "accepted_at >= {} AND accepted_at < {}" + (" AND center = {}" if center_id is not None else "")
    args = [start, end] + ([center_id] if center_id is not None else [])
    raw = await db.fetch_tuples(
        f"SELECT status, CASE WHEN extended THEN 1 ELSE 0 END, item, receiver, owner, {_local_date_sql('accepted_at')}, "
        f"{_local_date_sql('closed_at')}, substr(CAST(due_on AS TEXT), 1, 10), substr(CAST(paused_on AS TEXT), 1, 10) "
        f"FROM service_case WHERE {where}", *args)
    items = {r["id"]: r for r in await Item.select(Item.id, Item.name, Item.category.name.as_alias("category_name"))}
    staff_ids = {r[3] for r in raw} | {r[4] for r in raw}
    names = {r["id"]: r["display_name"] for r in await Staff.select(Staff.id, Staff.display_name).where(
        Staff.id.is_in(list(staff_ids) or [0]))}
    return raw, items, names


async def _scope_center(actor: CurrentUser, center_id: int | None) -> int | None:
    """Managers see their own center; the admin a chosen center or the whole district (None)."""
    if actor.is_admin:
        return center_id
    if actor.center_id is None:
        raise AccessDenied("没有可统计的中心")
    if center_id is not None and center_id != actor.center_id:  # an edited address: told, not silently replaced
        raise AccessDenied("只能查看本中心的统计")
    return actor.center_id


async def _cases(center_id: int | None, start: datetime, end: datetime) -> list[dict]:
    query = Case.select(
        Case.id, Case.code, Case.status, Case.accepted_at, Case.closed_at, Case.due_on, Case.extended,
        Case.item.name.as_alias("item_name"), Case.item.code.as_alias("item_code"),
        Case.item.category.name.as_alias("category_name"), Case.receiver.display_name.as_alias("receiver_name"),
        Case.owner.display_name.as_alias("owner_name"), Case.visit.resident_name.as_alias("resident_name"),
        Case.visit.id_number.as_alias("id_number"), Case.center.name.as_alias("center_name"),
    ).where((Case.accepted_at >= start) & (Case.accepted_at < end))
    if center_id is not None:
        query = query.where(Case.center == center_id)
    return await query.order_by(Case.accepted_at)


def _empty_row() -> dict:
    # late: completed after the deadline or still open past it (center.domain.stats); overdue_open: the open ones.
    return {"consults": 0, "accepted": 0, "completed": 0, "on_time": 0, "late": 0, "overdue_open": 0, "refused": 0,
            "open": 0, "days_total": 0}


async def case_stats(actor: CurrentUser, month: date, center_id: int | None = None, whole_year: bool = False,
                     today: date | None = None) -> dict:
    """A month's figures (or its whole year's, charted by month): by category, item and worker, on time, extended.
    Timeliness is judged as of `today`: an open case past its deadline is late already."""
    center_id = await _scope_center(actor, center_id)
    today = today or local_today()
    start, end, first, last = month_bounds(month, whole_year)
    raw, items, names = await _figure_rows(center_id, start, end)
    calendar = await get_calendar()
    totals = _empty_row()
    extended = {"consults": 0, "accepted": 0}
    by: dict[str, dict[str, dict]] = {"category": defaultdict(_empty_row), "item": defaultdict(_empty_row),
                                      "worker": defaultdict(_empty_row)}
    consult, completed, refused = CaseStatus.consult.value, CaseStatus.completed.value, CaseStatus.refused.value
    epoch, numbers = first - timedelta(days=1), {}
    today_text = today.isoformat()

    def number(text: str) -> int:  # working days since the period began: days between = difference of two
        value = numbers.get(text)
        if value is None:
            value = numbers[text] = calendar.workdays_between(epoch, date.fromisoformat(text))
        return value

    # The buckets a case counts in, looked up once per item and per worker rather than once per case.
    no_item = {"name": "", "category_name": ""}
    item_buckets = {item_id: (by["category"][item["category_name"]], by["item"][item["name"]])
                    for item_id, item in items.items()}
    worker_buckets: dict[int, dict] = {}
    per_key: Counter[str] = Counter()
    cut = 7 if whole_year else 10  # chart by month (YYYY-MM) or by day (YYYY-MM-DD)

    def worker_bucket(staff_id: int) -> dict:
        bucket = worker_buckets.get(staff_id)
        if bucket is None:
            bucket = worker_buckets[staff_id] = by["worker"][names.get(staff_id, "")]
        return bucket

    for status, is_extended, item_id, receiver, owner, accepted_on, closed_on, due_on, paused_on in raw:
        per_key[accepted_on[:cut]] += 1
        if is_extended:
            extended["consults" if status == consult else "accepted"] += 1
        pair = item_buckets.get(item_id)
        if pair is None:
            pair = item_buckets[item_id] = (by["category"][no_item["category_name"]], by["item"][no_item["name"]])
        # Per worker, the intake (咨询, 受理) counts for who received the resident (首接人); what became of the case
        # (办结, 超期, 不予受理, 在办) for who owns it now (责任人: after a 转交, the colleague who took it over).
        received_by = worker_bucket(receiver)
        if status == consult:
            for bucket in (totals, pair[0], pair[1], received_by):
                bucket["consults"] += 1
            continue
        for bucket in (totals, pair[0], pair[1], received_by):
            bucket["accepted"] += 1
        buckets = (totals, pair[0], pair[1], worker_bucket(owner))
        judged = timeliness(status, due_on, closed_on, paused_on, today_text)  # ISO days compare as dates do
        if status == completed:
            on_time = judged is Timeliness.on_time
            days = max(0, number(closed_on) - number(accepted_on))
            for bucket in buckets:
                bucket["completed"] += 1
                bucket["on_time"] += on_time
                bucket["days_total"] += days
            if not on_time:
                for bucket in buckets:
                    bucket["late"] += 1
        else:
            field = "refused" if status == refused else "open"
            for bucket in buckets:
                bucket[field] += 1
            if judged is Timeliness.late:
                for bucket in buckets:
                    bucket["late"] += 1
                    bucket["overdue_open"] += 1
    per_day: Counter[date] = Counter({
        date.fromisoformat(key + "-01" if whole_year else key): count for key, count in per_key.items()})
    for bucket in [totals, *[b for group in by.values() for b in group.values()]]:
        bucket["on_time_rate"] = on_time_rate(bucket["on_time"], bucket["late"])
        bucket["avg_days"] = round(bucket["days_total"] / bucket["completed"], 1) if bucket["completed"] else None
    if whole_year:
        days = [first.replace(month=m) for m in range(1, 13)]
    else:
        days = [(first + timedelta(days=i)) for i in range((last - first).days + 1)]
    return {
        "month": first,
        "whole_year": whole_year,
        "period": first.strftime("%Y" if whole_year else "%Y-%m"),  # as ?month= spells it
        "fmt": "%Y" if whole_year else "%Y-%m",
        "step": "年" if whole_year else "月",
        "center_id": center_id,
        "today": today,
        "totals": totals,
        "extended": extended,
        "by_category": sorted(by["category"].items(), key=lambda kv: -(kv[1]["accepted"] + kv[1]["consults"])),
        "by_item": sorted(by["item"].items(), key=lambda kv: -(kv[1]["accepted"] + kv[1]["consults"])),
        "by_worker": sorted(by["worker"].items(), key=lambda kv: -(kv[1]["accepted"] + kv[1]["consults"])),
        "per_day": [(d, per_day.get(d, 0), whole_year or calendar.day(d).is_workday) for d in days],
        "max_per_day": max(per_day.values(), default=0),
    }


async def centers_for(actor: CurrentUser) -> list[dict]:
    if actor.is_admin:
        return await Center.select(Center.id, Center.name).order_by(Center.sort_order)
    return []


GROUP_COLUMNS = [Column("咨询答复", Kind.integer), Column("受理", Kind.integer), Column("办结", Kind.integer),
                 Column("按时办结", Kind.integer), Column("超期", Kind.integer), Column("其中在办超期", Kind.integer),
                 Column("按时办结率(%)", Kind.decimal),
                 Column("平均办理工作日", Kind.decimal), Column("不予受理", Kind.integer), Column("在办", Kind.integer)]
CASE_COLUMNS = [Column("编号"), Column("中心"), Column("事项编码"), Column("事项"), Column("居民"), Column("身份证号"),
                Column("状态"), Column("受理时间", Kind.datetime), Column("承诺办结", Kind.date),
                Column("办结时间", Kind.datetime), Column("首接人"), Column("责任人"), Column("延时服务")]
GROUP_HEADER = [c.title for c in GROUP_COLUMNS]


def _group_row(name: str, r: dict) -> list:
    return [name, r["consults"], r["accepted"], r["completed"], r["on_time"], r["late"], r["overdue_open"],
            r["on_time_rate"], r["avg_days"], r["refused"], r["open"]]


RATE_NOTE = "按时办结率 = 按时 ÷（按时 + 超期）；超期含逾期办结和逾期未结"
WORKER_NOTE = "咨询、受理按首接人计；办结、超期、在办按现责任人计"


def _group_sheet(wb: Workbook, title: str, label: str, items, totals: dict) -> None:
    """One row per category/item/worker; each case counts in exactly one, so the totals row is the period's."""
    write_table(wb.create_sheet(title), [Column(label), *GROUP_COLUMNS], [_group_row(name, r) for name, r in items],
                _group_row("合计", totals))


async def export_filenames(actor: CurrentUser, stats: dict) -> tuple[str, str]:
    """窗口统计-2026年11月-<中心 or 全区>.xlsx, and an ASCII name for clients that read only `filename`."""
    first = stats["month"]
    period = f"{first.year}年" if stats["whole_year"] else f"{first.year}年{first.month}月"
    if stats["center_id"] is None:
        scope, tail = "全区", "district"
    else:
        row = await Center.select(Center.name, Center.slug).where(Center.id == stats["center_id"]).first()
        scope, tail = (row["name"], f"center-{row['slug']}") if row else ("本中心", "center")
    return f"窗口统计-{period}-{scope}.xlsx", f"one-window-{stats['period']}-{tail}.xlsx"


async def export_xlsx(actor: CurrentUser, month: date, center_id: int | None = None, whole_year: bool = False,
                      today: date | None = None) -> Export:
    """The month's (or year's) figures and case list as an Excel workbook; ID numbers and names masked
    (center.services.xlsx: real date cells, frozen headers, fitted widths, a totals row on every sheet)."""
    # Imported here: the hall's and the ratings' figures use this module's period bounds and center scope.
    from center.services.hall.figures import HALL_NOTES, add_hall_sheets, hall_stats
    from center.services.rating_stats import RATING_NOTES, add_rating_sheet, rating_stats

    stats = await case_stats(actor, month, center_id, whole_year, today)
    hall = await hall_stats(actor, month, center_id, whole_year)
    rated = await rating_stats(actor, month, center_id, whole_year)
    start, end, _, _ = month_bounds(month, whole_year)
    rows = await _cases(stats["center_id"], start, end)
    wb = Workbook()
    wb.remove(wb.active)
    t, e = stats["totals"], stats["extended"]
    write_table(wb.create_sheet("汇总"), [Column("指标"), Column("数值", Kind.decimal)], [
        ["期间", stats["month"].strftime("%Y 年" if whole_year else "%Y-%m")], ["咨询答复", t["consults"]],
        ["受理", t["accepted"]], ["办结", t["completed"]], ["按时办结", t["on_time"]], ["超期", t["late"]],
        ["其中在办超期", t["overdue_open"]], ["按时办结率(%)", t["on_time_rate"]], ["平均办理工作日", t["avg_days"]],
        ["不予受理", t["refused"]], ["在办", t["open"]], ["延时服务时段咨询", e["consults"]],
        ["延时服务时段受理", e["accepted"]], ["统计口径", RATE_NOTE], ["按社工口径", WORKER_NOTE],
        ["超期计算截至", stats["today"].isoformat()], *HALL_NOTES, *RATING_NOTES,
    ], ["合计（咨询答复 + 受理）", t["consults"] + t["accepted"]])
    summary = wb["汇总"]
    for row in summary.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:  # counts as whole numbers, the rate and the average with one decimal
            if isinstance(cell.value, int):
                cell.number_format = "0"
    _group_sheet(wb, "按类别", "类别", stats["by_category"], t)
    _group_sheet(wb, "按事项", "事项", stats["by_item"], t)
    _group_sheet(wb, "按社工", "社工", stats["by_worker"], t)
    write_table(wb.create_sheet("办件明细"), CASE_COLUMNS, [
        [r["code"], r["center_name"], r["item_code"], r["item_name"], mask_name(r["resident_name"]),
         mask_id_number(r["id_number"]), STATUS_LABELS[CaseStatus(r["status"])], r["accepted_at"], r["due_on"],
         r["closed_at"], r["receiver_name"], r["owner_name"], "是" if r["extended"] else ""]
        for r in rows
    ], ["合计", f"{len(rows)} 件"])
    add_hall_sheets(wb, hall)
    add_rating_sheet(wb, rated)
    filename, fallback = await export_filenames(actor, stats)
    return Export(workbook_bytes(wb), filename, fallback)
