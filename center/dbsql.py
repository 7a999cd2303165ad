"""Engine-specific SQL that Piccolo's schema API does not express: composite unique keys, append-only tables."""

from __future__ import annotations


def unique_index(table: str, columns: tuple[str, ...]) -> list[str]:
    name = f"{table}_{'_'.join(c.strip(chr(34)) for c in columns)}_key"
    return [f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})"]


def append_only(engine_type: str, table: str) -> list[str]:
    """Triggers that make a table refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""
    if engine_type == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION center_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION center_append_only()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION center_append_only()",
    ]


# The append-only tables and their unique keys besides the id (migrations create each key's unique index).
APPEND_ONLY_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "audit_log": (),
    "case_event": (),
    "roster_change": (),
    "ledger_txn": (("idempotency_key",), ("reverses",)),
    "ledger_posting": (),
    "meal": (("canteen", "idempotency_key"),),
    "closed_month": (("month",),),
    "closed_canteen_month": (("canteen", "month"),),
    "ticket_call": (),
    "rating": (("subject",),),
    "rating_event": (),
    "demand_event": (),
    "dining_policy": (),
    "demand_case": (("case",),),
    "home_visit": (),
}


def no_replace(engine_type: str, table: str, keys: tuple[tuple[str, ...], ...]) -> list[str]:
    """SQLite: refuse an insert whose id or unique key is taken before conflict resolution runs, so that
    `INSERT OR REPLACE` / `REPLACE INTO` cannot delete the old row (its implicit delete fires no DELETE trigger).
    The message starts like SQLite's own, so a racing idempotent insert is still told apart as a unique violation.

    PostgreSQL has no REPLACE, and `INSERT ... ON CONFLICT DO UPDATE` fires the BEFORE UPDATE trigger that
    append_only() installs, so nothing more is needed there."""
    if engine_type != "sqlite":
        return []
    conditions = [f"EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)"] + [
        "EXISTS (SELECT 1 FROM {} WHERE {})".format(table, " AND ".join(f'"{c}" = NEW."{c}"' for c in key))
        for key in keys
    ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_replace",
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {' OR '.join(conditions)} "
        f"BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: {table} is append-only, a row with this key exists'); "
        "END",
    ]


async def run_all(statements: list[str]) -> None:

    from piccolo.engine.finder import engine_finder

    engine = engine_finder()
    for sql in statements:
        await engine.run_ddl(sql)
