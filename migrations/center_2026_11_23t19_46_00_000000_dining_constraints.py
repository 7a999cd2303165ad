"""Dining ledger: idempotency keys unique, a transaction reversed at most once, ledger tables append-only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import append_only, run_all, unique_index

ID = "2026-11-23T19:46:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "meal (canteen, idempotency_key), ledger_txn keys unique; ledger_txn/ledger_posting/meal append-only"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        engine_type = engine_finder().engine_type
        await run_all(
            unique_index("meal", ("canteen", "idempotency_key"))
            + unique_index("ledger_txn", ("idempotency_key",))
            + unique_index("ledger_txn", ("reverses",))
            + [
                "CREATE INDEX IF NOT EXISTS ledger_txn_senior_year ON ledger_txn (senior, year)",
                "CREATE INDEX IF NOT EXISTS ledger_posting_txn ON ledger_posting (txn)",
                "CREATE INDEX IF NOT EXISTS meal_canteen_book_date ON meal (canteen, book_date)",
                "CREATE INDEX IF NOT EXISTS meal_senior ON meal (senior, eaten_at)",
            ]
            + append_only(engine_type, "ledger_txn")
            + append_only(engine_type, "ledger_posting")
            + append_only(engine_type, "meal")
            + append_only(engine_type, "closed_month")
        )

    manager.add_raw(raw)
    return manager
