"""Bookings: one live booking per senior, day and meal kind; the indexes the day's list and a senior's bookings
read by."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from center.dbsql import run_all

ID = "2026-12-07T23:57:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking once per senior, day and kind; booking and menu indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        await run_all([
            "CREATE UNIQUE INDEX IF NOT EXISTS booking_live_once ON booking (senior, day, kind) "
            "WHERE state <> 'cancelled'",
            "CREATE INDEX IF NOT EXISTS booking_canteen_day ON booking (canteen, day)",
            "CREATE INDEX IF NOT EXISTS booking_senior_day ON booking (senior, day)",
            "CREATE INDEX IF NOT EXISTS menu_dish_canteen_day ON menu_dish (canteen, day)",
        ])

    manager.add_raw(raw)
    return manager
