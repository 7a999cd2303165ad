"""Hall queue keys: one code per center, one window number per center, one counter per queue and day, one ticket
number per center and day; the calls are append-only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import APPEND_ONLY_KEYS, append_only, no_replace, run_all, unique_index

ID = "2026-12-03T13:59:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "hall_queue/hall_window/ticket_counter/ticket unique keys, ticket indexes; ticket_call append-only"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        engine_type = engine_finder().engine_type
        await run_all(
            unique_index("hall_queue", ("center", "code"))
            + unique_index("hall_window", ("center", "number"))
            + unique_index("ticket_counter", ("center", "queue_code", "day"))
            + unique_index("ticket", ("center", "day", "ticket_no"))
            + [
                "CREATE INDEX IF NOT EXISTS ticket_center_day_state ON ticket (center, day, state)",
                "CREATE INDEX IF NOT EXISTS ticket_queue_finished ON ticket (queue, finished_at)",
                "CREATE INDEX IF NOT EXISTS ticket_call_center_at ON ticket_call (center, at)",
                "CREATE INDEX IF NOT EXISTS ticket_client_taken ON ticket (client, taken_at)",
            ]
            + append_only(engine_type, "ticket_call")
            + no_replace(engine_type, "ticket_call", APPEND_ONLY_KEYS["ticket_call"])
        )

    manager.add_raw(raw)
    return manager
