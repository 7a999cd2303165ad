"""Case lookup at the counter: phone tails of earlier visits filled in; one index per way a case is looked up."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import run_all

ID = "2026-12-01T20:02:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "visit.phone_tail filled from phone; visit (center, phone_tail), (center, resident_name), service_case (visit)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        # The last 4 digits (a landline keeps its hyphen in `phone`); only rows not filled yet, so it runs twice safely.
        tail = "substr(replace(phone, '-', ''), -4)" if engine_finder().engine_type == "sqlite" else \
            "right(replace(phone, '-', ''), 4)"
        await run_all([
            f"UPDATE visit SET phone_tail = {tail} WHERE phone <> '' AND phone_tail = ''",
            "CREATE INDEX IF NOT EXISTS visit_center_phone_tail ON visit (center, phone_tail)",
            "CREATE INDEX IF NOT EXISTS visit_center_resident_name ON visit (center, resident_name)",
            "CREATE INDEX IF NOT EXISTS service_case_visit ON service_case (visit)",
        ])

    manager.add_raw(raw)
    return manager
