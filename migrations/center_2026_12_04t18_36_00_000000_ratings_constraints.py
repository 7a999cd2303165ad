"""Ratings: the district's starting list of reasons; ratings and their follow-up events are append-only; the
indexes the figures, the rate limit and the pads read by."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from center.dbsql import APPEND_ONLY_KEYS, append_only, no_replace, run_all

ID = "2026-12-04T18:36:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rating_reason seeds; rating/rating_event append-only; rating indexes"

# As in center.domain.ratings.DEFAULT_REASONS when this migration was written (a migration does not follow the code).
REASONS = (
    ("attitude", "服务态度"),
    ("efficiency", "办事效率"),
    ("notice", "一次性告知不到位"),
    ("trips", "多次跑腿"),
    ("facilities", "环境设施"),
    ("waiting", "等候时间长"),
    ("rules", "政策规定不合理"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="center", description=DESCRIPTION)

    async def raw():
        engine_type = engine_finder().engine_type
        seeds = [
            f"INSERT INTO rating_reason (code, label, sort_order, active) SELECT '{code}', '{label}', {n}, TRUE "
            f"WHERE NOT EXISTS (SELECT 1 FROM rating_reason WHERE code = '{code}')"
            for n, (code, label) in enumerate(REASONS)
        ]
        await run_all(
            seeds
            + [
                "CREATE INDEX IF NOT EXISTS rating_center_at ON rating (center, at)",
                "CREATE INDEX IF NOT EXISTS rating_case ON rating (\"case\")",
                "CREATE INDEX IF NOT EXISTS rating_followup_center_state ON rating_followup (center, state)",
                "CREATE INDEX IF NOT EXISTS rating_event_followup ON rating_event (followup)",
                "CREATE INDEX IF NOT EXISTS rating_attempt_key_at ON rating_attempt (key, at)",
                "CREATE INDEX IF NOT EXISTS rating_pad_center_window ON rating_pad (center, \"window\")",
            ]
            + append_only(engine_type, "rating")
            + no_replace(engine_type, "rating", APPEND_ONLY_KEYS["rating"])
            + append_only(engine_type, "rating_event")
            + no_replace(engine_type, "rating_event", APPEND_ONLY_KEYS["rating_event"])
        )

    manager.add_raw(raw)
    return manager
