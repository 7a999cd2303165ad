"""Dining: one close per canteen and month, append-only like closed_month; months closed district-wide before
this migration are closed for every canteen (meals and voids read closed_canteen_month only)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import append_only, run_all, unique_index

ID = "2026-12-01T20:02:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "closed_canteen_month (canteen, month) unique and append-only; district closes copied per canteen"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        engine_type = engine_finder().engine_type
        await run_all(
            unique_index("closed_canteen_month", ("canteen", "month"))
            + append_only(engine_type, "closed_canteen_month")
            + [
                # Idempotent: a second run finds every pair already there.
                "INSERT INTO closed_canteen_month (canteen, month, closed_by, closed_at) "
                "SELECT c.id, m.month, m.closed_by, m.closed_at FROM closed_month m CROSS JOIN canteen c "
                "WHERE NOT EXISTS (SELECT 1 FROM closed_canteen_month x WHERE x.canteen = c.id AND x.month = m.month)",
            ]
        )

    manager.add_raw(raw)
    return manager
