"""Unique (job, period) for job runs; the audit log refuses UPDATE and DELETE."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import append_only, run_all, unique_index

ID = "2026-11-23T18:46:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "job_run (job, period) unique; audit_log append-only"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        engine_type = engine_finder().engine_type
        await run_all(
            unique_index("job_run", ("job", "period"))
            + ["CREATE INDEX IF NOT EXISTS login_attempt_username_at ON login_attempt (username, at)"]
            + append_only(engine_type, "audit_log")
        )

    manager.add_raw(raw)
    return manager
