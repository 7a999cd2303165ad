"""Who ate (issue #16, point 4): a dynamic QR's nonce is used by one meal only; a senior's links are found by the
senior."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.dbsql import run_all

ID = "2026-12-07T23:44:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "meal qr nonce once; senior_link by senior"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        await run_all([
            "CREATE UNIQUE INDEX IF NOT EXISTS meal_qr_once ON meal (verification_ref) WHERE verified_by = 'qr'",
            "CREATE INDEX IF NOT EXISTS senior_link_senior ON senior_link (senior)",
        ])

    manager.add_raw(raw)
    return manager
