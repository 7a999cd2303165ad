"""Rosters: one assignment per person per slot, one roster week per center, append-only change log."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import append_only, run_all, unique_index

ID = "2026-11-23T19:27:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "assignment, roster_week, shift_eligibility, hours_exception unique keys; roster_change append-only"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        engine_type = engine_finder().engine_type
        await run_all(
            unique_index("assignment", ("shift_type", "day", "staff"))
            + unique_index("roster_week", ("center", "week"))
            + unique_index("shift_eligibility", ("shift_type", "staff"))
            + unique_index("hours_exception", ("center", "day"))
            + unique_index("staff", ("ical_token",))
            + [
                "CREATE INDEX IF NOT EXISTS assignment_center_day ON assignment (center, day)",
                "CREATE INDEX IF NOT EXISTS assignment_staff_day ON assignment (staff, day)",
                "CREATE INDEX IF NOT EXISTS leave_staff_start ON leave (staff, start)",
            ]
            + append_only(engine_type, "roster_change")
        )

    manager.add_raw(raw)
    return manager
