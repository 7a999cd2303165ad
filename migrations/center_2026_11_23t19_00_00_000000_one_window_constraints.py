"""One window: unique item versions and reminders per day, append-only case timeline, lookup indexes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import append_only, run_all, unique_index

ID = "2026-11-23T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "item_version (item, version) and case_reminder (case, day) unique; case_event append-only"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        engine_type = engine_finder().engine_type
        await run_all(
            unique_index("item_version", ("item", "version"))
            + unique_index("case_reminder", ('"case"', "day"))
            + [
                "CREATE INDEX IF NOT EXISTS service_case_center_status ON service_case (center, status)",
                "CREATE INDEX IF NOT EXISTS service_case_owner_status ON service_case (owner, status)",
                "CREATE INDEX IF NOT EXISTS visit_center_created ON visit (center, created_at)",
                "CREATE INDEX IF NOT EXISTS material_item_position ON material (item, position)",
                "CREATE INDEX IF NOT EXISTS case_event_case ON case_event (\"case\", at)",
            ]
            + append_only(engine_type, "case_event")
        )

    manager.add_raw(raw)
    return manager
