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


async def run_all(statements: list[str]) -> None:

    from piccolo.engine.finder import engine_finder

    engine = engine_finder()
    for sql in statements:
        await engine.run_ddl(sql)
