"""Link the ledger and audit rows already there into their hash chains, and refuse REPLACE on append-only tables.

The rows are hashed in id order as `center verify` will walk them (center.services.chain). Their append-only
triggers are lifted for this one update and put back; nothing else writes meanwhile (migrations run alone)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import APPEND_ONLY_KEYS, append_only, no_replace, run_all

ID = "2026-12-03T06:00:30:000000"
VERSION = "1.38.0"
TABLES_THEN = ("audit_log", "case_event", "roster_change", "ledger_txn", "ledger_posting", "meal", "closed_month",
               "closed_canteen_month")
DESCRIPTION = "link existing ledger_txn and audit_log rows into hash chains; no REPLACE on append-only tables"


async def _link(table_name: str, rows: list[tuple[int, str]], engine_type: str) -> None:
    from center.tables import AuditLog, LedgerTxn

    table = {"ledger_txn": LedgerTxn, "audit_log": AuditLog}[table_name]
    if not rows:
        return
    if engine_type == "sqlite":
        await run_all([f"DROP TRIGGER IF EXISTS {table_name}_no_update"])
    else:
        await run_all([f"ALTER TABLE {table_name} DISABLE TRIGGER {table_name}_append_only"])
    for row_id, row_hash in rows:
        await table.update({table.row_hash: row_hash}).where(table.id == row_id)
    if engine_type == "sqlite":
        await run_all(append_only(engine_type, table_name))
    else:
        await run_all([f"ALTER TABLE {table_name} ENABLE TRIGGER {table_name}_append_only"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        from collections import defaultdict

        from center.services import chain
        from center.tables import AuditLog, LedgerPosting, LedgerTxn, Meal

        engine_type = engine_finder().engine_type
        txns = await LedgerTxn.select(LedgerTxn.id, *(getattr(LedgerTxn, f) for f in chain.TXN_FIELDS)).order_by(
            LedgerTxn.id)
        postings = defaultdict(list)
        for p in await LedgerPosting.select(LedgerPosting.txn, LedgerPosting.account, LedgerPosting.amount_fen
                                            ).order_by(LedgerPosting.id):
            postings[p["txn"]].append((p["account"], p["amount_fen"]))
        meals = defaultdict(list)
        for m in await Meal.select(Meal.txn, *(getattr(Meal, f) for f in chain.MEAL_FIELDS)).order_by(Meal.id):
            meals[m["txn"]].append(m)
        await _link("ledger_txn", chain.relink(
            (t["id"], chain.txn_content(t, postings[t["id"]], meals[t["id"]])) for t in txns), engine_type)
        audits = await AuditLog.select(AuditLog.id, *(getattr(AuditLog, f) for f in chain.AUDIT_FIELDS)).order_by(
            AuditLog.id)
        await _link("audit_log", chain.relink((a["id"], chain.audit_content(a)) for a in audits), engine_type)
        statements = []
        for table, keys in APPEND_ONLY_KEYS.items():
            if table in TABLES_THEN:  # the append-only tables that existed when this migration was written
                statements += no_replace(engine_type, table, keys)
        await run_all(statements)

    manager.add_raw(raw)
    return manager
