"""Statements compiled once: a Piccolo query built with named placeholders (`Param`), run with new values; and
the one raw reader of plain tuples (why each exists: the docstring of center.db)."""

from __future__ import annotations

import inspect
from typing import Any, Callable

from piccolo.engine.sqlite import dict_factory
from piccolo.querystring import QueryString

from center.db.engines import PooledSQLiteEngine, engine


class Param:
    """A named placeholder where a statement's value goes: Piccolo keeps it, untouched, among the query's
    arguments, and Prepared finds it there by identity (no sample value can collide with a real one)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


class Prepared:
    """A Piccolo query (select, insert, update) built and compiled once per engine type; each call binds new values.

        OPEN_CASES = Prepared(lambda center: Case.select(...).where(Case.center == center))
        rows = await OPEN_CASES.rows(center=3)

    The builder is called once with a `Param` for each parameter: by default every parameter of its signature,
    or only the names given (`Prepared(build, "center")` leaves `build`'s other parameters at their defaults).
    Parameters are scalars compared or stored as they are (not lists for IN, not JSON columns, whose values
    Piccolo converts): a placeholder Piccolo did not keep is an error at the first call, naming it.
    """

    def __init__(self, build: Callable[..., Any], *names: str) -> None:
        self._build = build
        self.names: tuple[str, ...] = names or tuple(inspect.signature(build).parameters)
        self._compiled: dict[str, tuple] = {}

    def _compile(self, engine_type: str) -> tuple:
        query = self._build(**{name: Param(name) for name in self.names})
        strings = query.querystrings
        if len(strings) != 1:
            raise ValueError("Prepared supports single-statement queries")
        sql, args = strings[0].compile_string(engine_type=engine_type)
        slots = tuple((arg.name, None) if isinstance(arg, Param) else (None, arg) for arg in args)
        missing = set(self.names) - {name for name, _ in slots if name}
        if missing:
            raise ValueError(f"Piccolo did not keep the placeholder(s) {sorted(missing)} among the query's arguments")
        # Piccolo's own placeholders again ({} for each argument), for running it through the engine's querystring
        # path (transactions, PostgreSQL's pool); the query's text holds no braces of its own but escape them anyway.
        _, fragments, _ = strings[0].bundle(start_index=1, bundled=[], combined_args=[])
        template = "".join(fragment.prefix.replace("{", "{{").replace("}", "}}") + ("" if fragment.no_arg else "{}")
                           for fragment in fragments)
        compiled = (template, slots, query, sql)
        self._compiled[engine_type] = compiled
        return compiled

    def bound(self, engine_type: str, **values: Any) -> tuple[str, list]:
        """The SQL for this engine type and its arguments for these values (for EXPLAIN in tests)."""
        _, slots, _, sql = self._compiled.get(engine_type) or self._compile(engine_type)
        return sql, [values[name] if name else const for name, const in slots]

    async def rows(self, **values: Any) -> list[dict]:
        db = engine()
        template, slots, query, sql = self._compiled.get(db.engine_type) or self._compile(db.engine_type)
        args = [values[name] if name else const for name, const in slots]
        # `_process_results` is Piccolo's private step from raw rows to its answer (types, JSON, `.first()`); the
        # pins in pyproject.toml and tests/db/test_db_pins.py watch it.
        if (isinstance(db, PooledSQLiteEngine) and db.current_transaction.get() is None
                and not db.inline_connection().in_transaction):  # never inside another task's point write
            return await query._process_results(db.run_inline(sql, args))
        return await query._process_results(await db.run_querystring(QueryString(template, *args)))

    async def first(self, **values: Any) -> dict | None:
        rows = await self.rows(**values)
        return rows[0] if rows else None


async def fetch_tuples(template: str, *args: Any) -> list[tuple]:
    """Rows as plain tuples, in the order the SELECT names them: for reads of tens of thousands of rows (the year's
    figures), where making a dict of each costs more than the query. `template` uses Piccolo's `{}` placeholders."""
    db = engine()
    querystring = QueryString(template, *args)
    if isinstance(db, PooledSQLiteEngine) and db.current_transaction.get() is None:
        sql, values = querystring.compile_string(engine_type="sqlite")
        connection = await db.get_connection()
        healthy = False
        try:
            connection.row_factory = None
            rows = await connection.execute_fetchall(sql, values)
            healthy = True
            return list(rows)
        finally:
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await db.release(connection, healthy=healthy)
    return [tuple(row.values()) for row in await db.run_querystring(querystring)]
