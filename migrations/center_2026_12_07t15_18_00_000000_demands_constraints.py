"""Demands: the district's starting kinds with their deadlines; demand events are append-only; the unique keys
of the grid (a grid code, a compound and a building once per center) and the indexes the lists read by."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import APPEND_ONLY_KEYS, append_only, no_replace, run_all

ID = "2026-12-07T15:18:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "demand_kind seeds; demand_event, demand_case and home_visit append-only; grid unique keys; demand indexes"

# As in center.domain.demands.DEFAULT_KINDS when this migration was written (a migration does not follow the code):
# (code, label, resolve working days, sign working hours, contact working hours).
KINDS = (
    ("consult", "咨询", 3, 2, 8),
    ("help", "求助", 3, 2, 8),
    ("complaint", "投诉", 13, 2, 8),
    ("suggestion", "建议", 13, 2, 8),
    ("repair", "报修", 5, 2, 8),
    ("errand", "代办", 5, 2, 8),
    ("other", "其他", 13, 2, 8),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        engine_type = engine_finder().engine_type
        seeds = [
            f"INSERT INTO demand_kind (code, label, resolve_days, sign_hours, contact_hours, sort_order, active) "
            f"SELECT '{code}', '{label}', {days}, {sign}, {contact}, {n}, TRUE "
            f"WHERE NOT EXISTS (SELECT 1 FROM demand_kind WHERE code = '{code}')"
            for n, (code, label, days, sign, contact) in enumerate(KINDS)
        ]
        await run_all(
            seeds
            + [
                "CREATE UNIQUE INDEX IF NOT EXISTS grid_center_code ON grid (center, code)",
                "CREATE UNIQUE INDEX IF NOT EXISTS compound_center_name ON compound (center, name)",
                "CREATE UNIQUE INDEX IF NOT EXISTS building_compound_name ON building (compound, name)",
                "CREATE INDEX IF NOT EXISTS building_grid ON building (grid)",
                "CREATE INDEX IF NOT EXISTS demand_center_state ON demand (center, state)",
                "CREATE INDEX IF NOT EXISTS demand_assignee_state ON demand (assignee, state)",
                "CREATE INDEX IF NOT EXISTS demand_center_received ON demand (center, received_at)",
                "CREATE INDEX IF NOT EXISTS demand_event_demand ON demand_event (demand)",
                "CREATE INDEX IF NOT EXISTS demand_upload_center ON demand_upload (center, uploaded_at)",
                "CREATE INDEX IF NOT EXISTS household_center ON household (center)",
                "CREATE INDEX IF NOT EXISTS demand_household ON demand (household)",
                "CREATE INDEX IF NOT EXISTS demand_case_demand ON demand_case (demand)",
                "CREATE INDEX IF NOT EXISTS home_visit_household ON home_visit (household, day)",
            ]
            + append_only(engine_type, "demand_event")
            + no_replace(engine_type, "demand_event", APPEND_ONLY_KEYS["demand_event"])
            + append_only(engine_type, "demand_case")
            + no_replace(engine_type, "demand_case", APPEND_ONLY_KEYS["demand_case"])
            + append_only(engine_type, "home_visit")
            + no_replace(engine_type, "home_visit", APPEND_ONLY_KEYS["home_visit"])
        )

    manager.add_raw(raw)
    return manager
