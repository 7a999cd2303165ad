"""`center verify` and the nightly ledger check: the hash chains, the ledger's invariants and the kept anchors.

A report names the first row that does not match in each chain. The heads the nightly check saw are kept in its
job_run row (the anchor); a later check finds out when a row it anchored no longer carries that hash, which is
what a rewrite of a whole chain from some row to its head leaves behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from center.services import chain
from center.tables import AuditLog, ClosedCanteenMonth, JobRun, LedgerTxn

ANCHOR_JOB = "ledger_check"


@dataclass(frozen=True)
class Verification:
    chains: tuple[chain.ChainReport, ...]
    problems: tuple[str, ...]  # invariants and anchors, after the chains' own findings

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains) and not self.problems

    def lines(self) -> list[str]:
        out = []
        for report in self.chains:
            out.extend(report.lines())
        out.extend(self.problems)
        return out

    def anchor(self) -> str:
        """The heads, as kept in the nightly check's job_run row."""
        return json.dumps({c.table: [c.head_id, c.head_hash] for c in self.chains})

    def summary(self) -> list[str]:
        return [f"{c.table}: {c.rows} 行，链首 #{c.head_id or 0} {c.head_hash}" for c in self.chains]


async def anchors_still_hold() -> list[str]:
    """Each head a nightly check kept is still the hash of that row."""
    problems: list[str] = []
    tables = {"ledger_txn": LedgerTxn, "audit_log": AuditLog}
    runs = await JobRun.select(JobRun.period, JobRun.detail).where(
        (JobRun.job == ANCHOR_JOB) & (JobRun.status == "done")).order_by(JobRun.id)
    for run in runs:
        try:
            heads = json.loads(run["detail"])
        except (TypeError, ValueError):
            continue  # a check from before the chains: its detail is plain text
        if not isinstance(heads, dict):
            continue
        for name, table in tables.items():
            head = heads.get(name)
            if not (isinstance(head, list) and len(head) == 2 and head[0]):
                continue
            row = await table.select(table.row_hash).where(table.id == head[0]).first()
            if row is None or row["row_hash"] != head[1]:
                problems.append(f"{name} 第 {head[0]} 行与 {run['period']} 核对时记下的链首不符（链被整段改写或删除）")
    return problems


async def closed_months_still_closed() -> list[str]:
    """Every month the audit log says was closed is still closed for each canteen it names (reopening a month by
    deleting its row leaves the audited close behind; the audit row itself is in the chain)."""
    closed = {(r["canteen"], r["month"].strftime("%Y-%m")) for r in
              await ClosedCanteenMonth.select(ClosedCanteenMonth.canteen, ClosedCanteenMonth.month)}
    problems = []
    for row in await AuditLog.select(AuditLog.id, AuditLog.object_id, AuditLog.detail).where(
            AuditLog.action == "dining.close_month").order_by(AuditLog.id):
        try:
            canteens = json.loads(row["detail"]).get("canteens", [])
        except (TypeError, ValueError, AttributeError):
            problems.append(f"audit_log 第 {row['id']} 行（结账）的内容无法读取")
            continue
        for canteen in canteens:
            if (canteen, row["object_id"]) not in closed:
                problems.append(f"助餐点 {canteen} 的 {row['object_id']} 已结账（audit_log 第 {row['id']} 行），"
                                "但结账记录不见了（月份被重新打开）")
    return problems


async def verify() -> Verification:
    # dining appends to the chains; this module only reads them
    from center.services.dining.checks import ledger_invariant_problems

    reports = tuple(await chain.verify_chains())
    problems = (await ledger_invariant_problems() + await closed_months_still_closed()
                + await anchors_still_hold())
    return Verification(reports, tuple(problems))


async def nightly_check(period: str) -> str:
    result = await verify()
    if not result.ok:
        raise RuntimeError("ledger or audit chain broken: " + "; ".join(result.lines()[:20]))
    return result.anchor()
