"""The month: a canteen's (or a center's, or the district's) month view and its close, the month's 台账 as an
Excel workbook, and a senior's account for the year with its printable statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl import Workbook

from center import db
from center.domain import AccessDenied, NotFound
from center.domain.ledger import (
    DISTRICT_SOURCE,
    AccountKind,
    TxnKind,
    age_on,
    allowance,
    operating,
    operating_postings,
    parse_account,
    receivable,
)
from center.domain.meals import KIND_LABELS, canteens_to_close, check_closable
from center.domain.periods import month_end, month_start
from center.domain.privacy import mask_id_number, mask_name
from center.services import audit
from center.services.dining.allowances import allowance_figures
from center.services.dining import policies
from center.services.dining.posting import district_month_closed, post_txn
from center.services.dining.registry import canteens_for, operator_canteen
from center.services.identity import CurrentUser
from center.services.xlsx import Column, Export, Kind, append_row, fit_widths, workbook_bytes, write_table
from center.domain.verification import METHOD_LABELS, MealSeen, by_method, flags
from center.tables import (
    Canteen,
    ClosedCanteenMonth,
    ClosedMonth,
    LedgerPosting,
    LedgerTxn,
    Meal,
    Senior,
    SeniorCategory,
)
from center.timeutil import to_local, utcnow


# ---------------------------------------------------------------- the month view and its close


async def month_view(actor: CurrentUser, canteen_id: int | None, month: date) -> dict:
    """A month of one canteen (or all the actor may see): meals, price, subsidy to reimburse, paid by seniors."""
    canteens = {c["id"]: c for c in await canteens_for(actor)}
    if canteen_id is not None and canteen_id not in canteens:
        raise AccessDenied("只能查看本中心的助餐点")
    ids = [canteen_id] if canteen_id is not None else list(canteens)
    first, last = month, month_end(month)
    meals = await Meal.select(
        Meal.id, Meal.canteen, Meal.kind, Meal.price_fen, Meal.subsidy_fen, Meal.paid_fen, Meal.book_date, Meal.txn,
        Meal.verified_by, Meal.senior, Meal.eaten_at, Meal.senior.card_no.as_alias("card_no"),
    ).where(Meal.canteen.is_in(ids or [0]) & (Meal.book_date >= first) & (Meal.book_date <= last))
    reversals = await LedgerTxn.select(LedgerTxn.reverses, LedgerTxn.book_date, LedgerTxn.canteen).where(
        (LedgerTxn.kind == TxnKind.reversal.value) & LedgerTxn.canteen.is_in(ids or [0])
        & (LedgerTxn.book_date >= first) & (LedgerTxn.book_date <= last))
    voided = {r["reverses"] for r in reversals}
    ledger = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
        LedgerPosting.account.is_in([receivable(i) for i in ids] or ["-"]) & (LedgerPosting.txn.book_date >= first)
        & (LedgerPosting.txn.book_date <= last))
    ledger_total = sum(p["amount_fen"] for p in ledger)
    ledger_by_canteen: dict[int, int] = defaultdict(int)
    for p in ledger:
        ledger_by_canteen[parse_account(p["account"]).canteen_id] += p["amount_fen"]
    totals = {"meals": 0, "price_fen": 0, "subsidy_fen": 0, "paid_fen": 0, "voided": 0}
    by_kind: dict[str, dict] = {k: {"meals": 0, "price_fen": 0, "subsidy_fen": 0, "paid_fen": 0} for k in KIND_LABELS}
    by_day: dict[date, int] = defaultdict(int)
    by_canteen: dict[int, dict] = {i: {"meals": 0, "price_fen": 0, "subsidy_fen": 0, "paid_fen": 0} for i in ids}
    for meal in meals:
        if meal["txn"] in voided:
            totals["voided"] += 1
            continue
        for bucket in (totals, by_kind[meal["kind"]], by_canteen[meal["canteen"]]):
            bucket["meals"] += 1
            bucket["price_fen"] += meal["price_fen"]
            bucket["subsidy_fen"] += meal["subsidy_fen"]
            bucket["paid_fen"] += meal["paid_fen"]
        by_day[meal["book_date"]] += 1
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    served = [m for m in meals if m["txn"] not in voided]
    by_source = await subsidy_by_source([m for m in served if m["subsidy_fen"]])
    closed_ids = await closed_canteens(ids, first)
    operating_fen = await operating_view(ids, first, closed_ids, {i: v["meals"] for i, v in by_canteen.items()})
    # Corrections of earlier months booked here: reversals whose meal lies before this month.
    earlier = [r for r in reversals if r["reverses"] not in {m["txn"] for m in meals}]
    return {
        "month": first, "canteen_id": canteen_id, "canteens": list(canteens.values()), "totals": totals,
        "by_kind": by_kind, "by_canteen": [(canteens[i], v) for i, v in by_canteen.items()],
        "per_day": [(d, by_day.get(d, 0)) for d in days], "max_per_day": max(by_day.values(), default=0),
        "ledger_total_fen": ledger_total, "ledger_by_canteen": dict(ledger_by_canteen), "corrections": len(earlier),
        "closed": bool(ids) and closed_ids >= set(ids), "closed_ids": closed_ids,
        "scope": _scope_label(actor, canteen_id, canteens), "by_source": by_source,
        "operating": operating_fen, "by_method": by_method(m["verified_by"] for m in served),
        "method_labels": METHOD_LABELS,
        "flags": await month_flags(served, {i: canteens[i] for i in ids}, first, last),
    }


async def month_flags(served: list[dict], canteens: dict[int, dict], first: date, last: date) -> list[dict]:
    """The unusual patterns of the month at the view's `canteens` for a manager to look at
    (center.domain.verification.flags), each with the canteen's name and the facts behind it. The same seniors'
    meals elsewhere count for one card at two canteens; the proxy share is compared with the district's month."""
    seen = [_seen(m) for m in served]
    names = {c["id"]: c["name"] for c in await Canteen.select(Canteen.id, Canteen.name)}
    # One card at two canteens: the same seniors' meals at the canteens outside this view count too.
    others: list[MealSeen] = []
    outside = [i for i in names if i not in canteens]
    mine = sorted({m.senior_id for m in seen})
    if outside and mine:
        rows = await Meal.select(Meal.id, Meal.canteen, Meal.senior, Meal.eaten_at, Meal.verified_by, Meal.txn,
                                 Meal.senior.card_no.as_alias("card_no")).where(
            Meal.senior.is_in(mine) & Meal.canteen.is_in(outside) & (Meal.book_date >= first)
            & (Meal.book_date <= last))
        voided = {r["reverses"] for r in await LedgerTxn.select(LedgerTxn.reverses).where(
            LedgerTxn.reverses.is_in([r["txn"] for r in rows] or [0]))}
        others = [_seen(r) for r in rows if r["txn"] not in voided]
    # The district's proxy share of the month (voided meals included: a few do not move a share).
    counts = await Meal.raw(
        "SELECT COUNT(*) AS meals, SUM(CASE WHEN verified_by = 'proxy' THEN 1 ELSE 0 END) AS proxy FROM meal "
        "WHERE book_date >= {} AND book_date <= {}", first, last)
    total = int(counts[0]["meals"] or 0) if counts else 0
    share = 100 * int(counts[0]["proxy"] or 0) / total if total else None
    open_days = {c["id"]: c.get("open_days") or "1234567" for c in canteens.values()}
    found = flags(seen + others, open_days=open_days, names=names, district_share=share)
    return [{"canteen": names.get(f.canteen_id, ""), "canteen_id": f.canteen_id, "kind": f.kind, "title": f.title,
             "facts": list(f.facts)} for f in found if f.canteen_id in canteens]


def _seen(meal: dict) -> MealSeen:
    return MealSeen(meal["id"], meal["canteen"], meal["senior"], meal["card_no"], to_local(meal["eaten_at"]),
                    meal["verified_by"])


async def subsidy_by_source(meals: list[dict]) -> list[dict]:
    """The month's subsidy per funding source (issue #16): a per-meal, percentage or free scheme's meal is paid
    straight from its fund's account; a yearly allowance's meal from the fund the allowance was granted from."""
    txns = [m["txn"] for m in meals]
    if not txns:
        return []
    debits = await LedgerPosting.select(LedgerPosting.txn, LedgerPosting.account).where(
        LedgerPosting.txn.is_in(txns) & (LedgerPosting.amount_fen < 0))
    account_of = {d["txn"]: parse_account(d["account"]) for d in debits}
    allowances = {(a.senior_id, a.year) for a in account_of.values() if a.kind == AccountKind.allowance}
    granted_from: dict[tuple[int, int], str] = {}
    if allowances:
        grants = await LedgerPosting.select(
            LedgerPosting.account, LedgerPosting.txn.senior.as_alias("senior"), LedgerPosting.txn.year.as_alias("year"),
        ).where((LedgerPosting.txn.kind == TxnKind.grant.value) & LedgerPosting.account.like("fund:%")
                & LedgerPosting.txn.senior.is_in(sorted({s for s, _ in allowances})))
        granted_from = {(g["senior"], g["year"]): parse_account(g["account"]).source for g in grants}
    totals: dict[str, dict] = {}
    for meal in meals:
        account = account_of.get(meal["txn"])
        if account is None:
            continue
        source = account.source if account.kind == AccountKind.fund else granted_from.get(
            (account.senior_id, account.year), DISTRICT_SOURCE)
        bucket = totals.setdefault(source, {"source": source, "meals": 0, "subsidy_fen": 0})
        bucket["meals"] += 1
        bucket["subsidy_fen"] += meal["subsidy_fen"]
    return sorted(totals.values(), key=lambda b: (b["source"] != DISTRICT_SOURCE, b["source"]))


def _scope_label(actor: CurrentUser, canteen_id: int | None, canteens: dict[int, dict]) -> str:
    """What a month view shows, in words: one canteen, the actor's center, or the whole district."""
    if canteen_id is not None:
        return canteens[canteen_id]["name"]
    if actor.is_admin:
        return "全区"
    return actor.center_name or "本中心"


async def closed_canteens(canteen_ids: list[int], month: date) -> set[int]:
    """Which of these canteens have closed the month."""
    if not canteen_ids:
        return set()
    rows = await ClosedCanteenMonth.select(ClosedCanteenMonth.canteen).where(
        ClosedCanteenMonth.canteen.is_in(canteen_ids) & (ClosedCanteenMonth.month == month_start(month)))
    return {r["canteen"] for r in rows}


@dataclass(frozen=True)
class ClosePlan:
    """What closing a month from one view covers: the canteens still open (by name) and whether it is the
    district's close."""

    month: date
    canteens: list[dict]
    district: bool
    scope: str


async def plan_close(actor: CurrentUser, month: date, today: date, canteen_id: int | None) -> ClosePlan:
    """A close covers exactly what the view shows: one canteen, or every canteen of the view (the actor's center,
    or the whole district for an admin)."""
    month = month_start(month)
    check_closable(month, today)
    canteens = {c["id"]: c for c in await canteens_for(actor)}
    if canteen_id is not None and canteen_id not in canteens:
        raise AccessDenied("只能结账本中心的助餐点")
    shown = [canteen_id] if canteen_id is not None else list(canteens)
    left = canteens_to_close(shown, await closed_canteens(shown, month))
    district = canteen_id is None and actor.is_admin
    return ClosePlan(month, [canteens[i] for i in left], district, _scope_label(actor, canteen_id, canteens))


async def close_month(actor: CurrentUser, month: date, today: date, canteen_id: int | None = None) -> ClosePlan:
    """Close a month for the canteens the view shows: nothing more is posted dated in it there. An admin's
    district view also closes the district's month (year-end postings then book into the next open day)."""
    async with db.write_transaction():
        plan = await plan_close(actor, month, today, canteen_id)
        now = utcnow()
        await ClosedCanteenMonth.insert(*[ClosedCanteenMonth(canteen=c["id"], month=plan.month, closed_by=actor.id,
                                                             closed_at=now) for c in plan.canteens])
        if plan.district and not await district_month_closed(plan.month):
            await ClosedMonth.insert(ClosedMonth(month=plan.month, closed_by=actor.id, closed_at=now))
        await _post_operating(actor, plan, now)
    await audit.record("dining.close_month", actor=actor, object_type="month", object_id=plan.month.strftime("%Y-%m"),
                       detail={"canteens": [c["id"] for c in plan.canteens], "district": plan.district})
    return plan


async def _served(canteen_ids: list[int], month: date) -> dict[int, int]:
    """Meals served per canteen in the month, voided ones left out (what a per-meal operating subsidy counts)."""
    meals = await Meal.select(Meal.canteen, Meal.txn).where(
        Meal.canteen.is_in(canteen_ids or [0]) & (Meal.book_date >= month) & (Meal.book_date <= month_end(month)))
    voided = {r["reverses"] for r in await LedgerTxn.select(LedgerTxn.reverses).where(
        (LedgerTxn.kind == TxnKind.reversal.value) & LedgerTxn.reverses.is_in([m["txn"] for m in meals] or [0]))}
    served: dict[int, int] = defaultdict(int)
    for meal in meals:
        if meal["txn"] not in voided:
            served[meal["canteen"]] += 1
    return served


async def _post_operating(actor: CurrentUser, plan: ClosePlan, now) -> None:
    """At close, each canteen closed is owed the operating subsidy of the policy in force on the month's last day
    (once per canteen and month: its idempotency key)."""
    policy = await policies.policy_on(month_end(plan.month))
    if policy is None or policy.operating is None or not plan.canteens:
        return
    served = await _served([c["id"] for c in plan.canteens], plan.month)
    for canteen in plan.canteens:
        meals = served.get(canteen["id"], 0)
        amount = policy.operating.amount(meals)
        key = f"operating:{canteen['id']}:{plan.month:%Y-%m}"
        if amount <= 0 or await LedgerTxn.exists().where(LedgerTxn.idempotency_key == key):
            continue
        await post_txn(TxnKind.operating, operating_postings(policy.operating.source, plan.month.year, canteen["id"],
                                                             amount),
                       at=now, book_date=month_end(plan.month), year=plan.month.year, senior_id=None,
                       canteen_id=canteen["id"], key=key, actor_id=actor.id, memo=f"{meals} 餐")


async def operating_view(canteen_ids: list[int], month: date, closed_ids: set[int],
                         meals_by_canteen: dict[int, int]) -> dict | None:
    """The month's operating subsidy per canteen: posted at close, or what the close will post."""
    posted = await LedgerPosting.select(LedgerPosting.account, LedgerPosting.amount_fen).where(
        LedgerPosting.account.is_in([operating(i) for i in canteen_ids] or ["-"])
        & (LedgerPosting.txn.book_date >= month) & (LedgerPosting.txn.book_date <= month_end(month)))
    by_canteen: dict[int, dict] = {}
    for p in posted:
        entry = by_canteen.setdefault(parse_account(p["account"]).canteen_id, {"amount_fen": 0, "posted": True})
        entry["amount_fen"] += p["amount_fen"]
    policy = await policies.policy_on(month_end(month))
    if policy is not None and policy.operating is not None:
        for i in canteen_ids:
            if i not in by_canteen and i not in closed_ids:
                by_canteen[i] = {"amount_fen": policy.operating.amount(meals_by_canteen.get(i, 0)), "posted": False}
    if not by_canteen:
        return None
    return {"by_canteen": by_canteen, "total_fen": sum(e["amount_fen"] for e in by_canteen.values()),
            "describe": policy.operating.describe() if policy and policy.operating else ""}


async def month_meals(actor: CurrentUser, canteen_id: int | None, month: date) -> list[dict]:
    """Every meal of the month with masked identity, and whether it was voided (for the 台账)."""
    canteens = {c["id"]: c for c in await canteens_for(actor)}
    ids = [canteen_id] if canteen_id is not None else list(canteens)
    rows = await Meal.select(
        Meal.id, Meal.canteen, Meal.kind, Meal.price_fen, Meal.subsidy_fen, Meal.paid_fen, Meal.eaten_at, Meal.txn,
        Meal.senior.card_no.as_alias("card_no"), Meal.senior.name.as_alias("name"),
        Meal.senior.id_number.as_alias("id_number"), Meal.verified_by, Meal.proxy_name,
    ).where(Meal.canteen.is_in(ids or [0]) & (Meal.book_date >= month) & (Meal.book_date <= month_end(month))
            ).order_by(Meal.eaten_at)
    reversed_txns = {r["reverses"]: r for r in await LedgerTxn.select(
        LedgerTxn.reverses, LedgerTxn.book_date, LedgerTxn.reason).where(
        LedgerTxn.reverses.is_in([r["txn"] for r in rows] or [0]))}
    for row in rows:
        row["canteen_name"] = canteens[row["canteen"]]["name"]
        reversal = reversed_txns.get(row["txn"])
        row["voided_on"] = reversal["book_date"] if reversal else None
        row["void_reason"] = reversal["reason"] if reversal else ""
    return rows


# ---------------------------------------------------------------- the Excel 台账 (center.services.xlsx: real dates,
# money in #,##0.00, frozen headers, fitted widths)


SUMMARY = [Column("助餐点"), Column("就餐人次", Kind.integer), Column("餐费合计（元）", Kind.money),
           Column("补贴应结算（元）", Kind.money), Column("老人自付（元）", Kind.money), Column("结账")]
DETAIL = [Column("日期", Kind.date), Column("时间", Kind.time), Column("助餐点"), Column("就餐卡号"), Column("姓名"),
          Column("身份证号"), Column("餐别"), Column("餐费（元）", Kind.money), Column("补贴（元）", Kind.money),
          Column("自付（元）", Kind.money), Column("核验方式"), Column("状态")]
DAILY = [Column("日期", Kind.date), Column("就餐人次", Kind.integer)]
METHODS = [Column("核验方式"), Column("人次", Kind.integer)]
FLAGS = [Column("助餐点"), Column("情况"), Column("事实")]
OPERATING = [Column("助餐点"), Column("运营补贴（元）", Kind.money), Column("状态")]
SOURCES = [Column("资金来源"), Column("享受补贴人次", Kind.integer), Column("补贴（元）", Kind.money)]
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
    view = await month_view(actor, canteen_id, month)
    meals = await month_meals(actor, canteen_id, month)
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
                     mask_id_number(meal["id_number"]), KIND_LABELS[meal["kind"]], meal["price_fen"],
                     meal["subsidy_fen"], meal["paid_fen"],
                     METHOD_LABELS.get(meal["verified_by"], "") + (f"：{meal['proxy_name']}" if meal["proxy_name"] else ""),
                     status])
    write_table(detail, DETAIL, rows, ["合计", None, None, None, None, None, f"{len(meals) - voided} 餐", *sums, None,
                                       f"不含已撤销 {voided} 餐"])

    daily = wb.create_sheet("按日")
    write_table(daily, DAILY, [[day, count] for day, count in view["per_day"]], ["合计", view["totals"]["meals"]])

    kinds = wb.create_sheet("按餐别")
    t = view["totals"]
    write_table(kinds, KINDS, [[KIND_LABELS[kind], f["meals"], f["price_fen"], f["subsidy_fen"], f["paid_fen"]]
                               for kind, f in view["by_kind"].items()],
                ["合计", t["meals"], t["price_fen"], t["subsidy_fen"], t["paid_fen"]])

    if view["operating"]:
        names = {c["id"]: c["name"] for c in view["canteens"]}
        sheet = wb.create_sheet("运营补贴")
        entries = view["operating"]["by_canteen"]
        write_table(sheet, OPERATING, [[names.get(i, str(i)), e["amount_fen"], "已入账" if e["posted"] else "结账时入账"]
                                       for i, e in sorted(entries.items())],
                    ["合计", view["operating"]["total_fen"], ""], title=view["operating"]["describe"] or None)

    methods = wb.create_sheet("按核验方式")
    write_table(methods, METHODS, [[METHOD_LABELS[m], n] for m, n in view["by_method"].items()],
                ["合计", sum(view["by_method"].values())])

    if view["flags"]:
        sheet = wb.create_sheet("需要关注")
        write_table(sheet, FLAGS, [[f["canteen"], f["title"], fact] for f in view["flags"] for fact in f["facts"]],
                    [f"共 {len(view['flags'])} 项", None, None])

    sources = wb.create_sheet("按资金来源")
    write_table(sources, SOURCES, [[s["source"], s["meals"], s["subsidy_fen"]] for s in view["by_source"]],
                ["合计", sum(s["meals"] for s in view["by_source"]), sum(s["subsidy_fen"] for s in view["by_source"])])

    filename, fallback = filenames(view, month)
    return Export(workbook_bytes(wb), filename, fallback)


# ---------------------------------------------------------------- a senior's account and statement


OPERATOR_LOOKUP_ONLY = "助餐点操作员只能查看在助餐台刷卡或输入卡号查到的老人：请回到助餐台查询"


async def senior_view(actor: CurrentUser, senior_id: int, year: int, *,
                      looked_up: Collection[int] = ()) -> dict:
    """A senior's account for the year. Staff of the senior's center (and the admin) see it all. A canteen
    operator (issue #11, finding 4) sees only a senior whose card was looked up at the desk in this session
    (`looked_up`), and only the grants and the meals at the operator's own canteen."""
    if actor.role == "canteen" and senior_id not in looked_up:
        raise AccessDenied(OPERATOR_LOOKUP_ONLY)
    senior = await Senior.select(Senior.all_columns(), Senior.center.name.as_alias("center_name")).where(
        Senior.id == senior_id).first()
    if senior is None:
        raise NotFound("没有这位老人")
    if actor.role != "canteen" and not actor.may_see_center(senior["center"]):
        raise AccessDenied("只能查看本中心登记的老人")
    history = await LedgerTxn.select(
        LedgerTxn.id, LedgerTxn.kind, LedgerTxn.at, LedgerTxn.book_date, LedgerTxn.memo, LedgerTxn.reverses,
        LedgerTxn.reason, LedgerTxn.canteen, LedgerTxn.canteen.name.as_alias("canteen_name"),
    ).where((LedgerTxn.senior == senior_id) & (LedgerTxn.year == year)).order_by(LedgerTxn.id)
    amounts: dict[int, int] = defaultdict(int)
    for p in await LedgerPosting.select(LedgerPosting.txn, LedgerPosting.amount_fen).where(
            (LedgerPosting.account == allowance(senior_id, year)) & LedgerPosting.txn.is_in([h["id"] for h in history] or [0])):
        amounts[p["txn"]] += p["amount_fen"]
    running = 0
    for row in history:
        row["amount_fen"] = amounts.get(row["id"], 0)
        running += row["amount_fen"]
        row["balance_fen"] = running
    meals = {m["txn"]: m for m in await Meal.select(Meal.txn, Meal.kind, Meal.price_fen, Meal.paid_fen,
                                                     Meal.subsidy_fen, Meal.verified_by, Meal.proxy_name).where(
        Meal.senior == senior_id)}
    for row in history:
        meal = meals.get(row["id"])
        row["meal"] = {**meal, "kind_label": KIND_LABELS[meal["kind"]],
                       "method_label": METHOD_LABELS.get(meal["verified_by"], "")} if meal else None
        reversed_meal = meals.get(row["reverses"]) if row["kind"] == TxnKind.reversal else None
        row["reversed_kind_label"] = KIND_LABELS[reversed_meal["kind"]] if reversed_meal else ""
    elsewhere = 0
    if actor.role == "canteen":
        history, elsewhere = _other_canteens_folded(history, await operator_canteen(actor))
    categories = [] if actor.role == "canteen" else await SeniorCategory.select().where(
        SeniorCategory.senior == senior_id).order_by(SeniorCategory.since)
    return {"senior": senior, "year": year, "figures": await allowance_figures(senior_id, year), "history": history,
            "elsewhere": elsewhere, "age": age_on(senior["birth_date"], to_local(utcnow()).date()),
            "categories": categories}


def _other_canteens_folded(history: list[dict], own: int) -> tuple[list[dict], int]:
    """An operator sees the grants and its own canteen's rows; each run of rows at other canteens becomes one row
    (kind "elsewhere": how many, their sum, the balance after them), so that every balance shown follows from the
    row above it. Returns the rows and how many were folded."""
    rows: list[dict] = []
    folded = 0
    for row in history:
        if row["canteen"] is None or row["canteen"] == own:
            rows.append(row)
            continue
        folded += 1
        if rows and rows[-1]["kind"] == "elsewhere":
            last = rows[-1]
            last.update(count=last["count"] + 1, amount_fen=last["amount_fen"] + row["amount_fen"],
                        balance_fen=row["balance_fen"], at=row["at"])
        else:
            rows.append({"kind": "elsewhere", "count": 1, "amount_fen": row["amount_fen"],
                         "balance_fen": row["balance_fen"], "at": row["at"], "canteen_name": "其他助餐点",
                         "meal": None, "reason": "", "reversed_kind_label": ""})
    return rows, folded
