"""Named SQL statements, loaded once from this package's `*.sql` files.

Each statement starts with `-- name: verb_noun` and a comment saying what it returns.
Statements are `psycopg.sql.SQL` objects; the few with `{placeholders}` are completed
with `sql.Identifier`/`sql.SQL`/`sql.Literal` from allow-lists before they run.

Only each domain's `queries` module names statements: it wraps them in typed functions
with these helpers (`fetch_one_as`/`fetch_all_as` build each row with `class_row`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar

from psycopg import AsyncConnection, sql
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from envelope import NotFound

Row = dict[str, Any]
Conn = AsyncConnection[Row]
Params = Mapping[str, Any] | Sequence[Any]
T = TypeVar("T")
PageQuery = Callable[
    [Conn, sql.Composable, sql.Composable, Mapping[str, Any]], Awaitable[list[Row]]
]
"""A list statement run with its composed `{where}` and `{order}` and their parameters."""

_HEADER = re.compile(r"^-- name: ([a-z][a-z0-9_]*)\s*$", re.MULTILINE)


def _parse(filename: str, text: str) -> dict[str, sql.SQL]:
    parts = _HEADER.split(text)
    if parts[0].strip():
        raise ValueError(f"{filename}: text before the first '-- name:' header")
    statements: dict[str, sql.SQL] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        lines = body.strip().splitlines()
        comment = 0
        while comment < len(lines) and lines[comment].startswith("-- "):
            comment += 1
        if comment == 0 or comment == len(lines):
            raise ValueError(f"{filename}: {name} needs a comment, then its statement")
        statements[name] = sql.SQL("\n".join(lines[comment:]).rstrip(";\n "))
    return statements


def _load() -> Mapping[str, sql.SQL]:
    queries: dict[str, sql.SQL] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        for name, statement in _parse(entry.name, entry.read_text("utf-8")).items():
            if name in queries:
                raise ValueError(f"query {name} is defined twice")
            queries[name] = statement
    return MappingProxyType(queries)


QUERIES: Mapping[str, sql.SQL] = _load()


def query(name: str, **parts: sql.Composable) -> sql.SQL | sql.Composed:
    """The named statement, with its `{placeholders}` (if any) filled by `parts`."""
    statement = QUERIES[name]
    return statement.format(**parts) if parts else statement


async def fetch_one(
    conn: Conn, name: str, params: Params = (), **parts: sql.Composable
) -> Row | None:
    cursor = await conn.execute(query(name, **parts), params)
    return await cursor.fetchone()


async def fetch_one_as(
    conn: Conn, row: type[T], name: str, params: Params = (), **parts: sql.Composable
) -> T | None:
    """The statement's first row as a `row` (a dataclass or model built from its columns)."""
    async with conn.cursor(row_factory=class_row(row)) as cursor:
        await cursor.execute(query(name, **parts), params)
        return await cursor.fetchone()


async def fetch_all_as(
    conn: Conn, row: type[T], name: str, params: Params = (), **parts: sql.Composable
) -> list[T]:
    """Every row of the statement, each as a `row`."""
    async with conn.cursor(row_factory=class_row(row)) as cursor:
        await cursor.execute(query(name, **parts), params)
        return await cursor.fetchall()


async def insert_as(conn: Conn, row: type[T], name: str, params: Params) -> T:
    """The row an `INSERT ... RETURNING` statement wrote, as a `row`."""
    written = await fetch_one_as(conn, row, name, params)
    if written is None:
        raise RuntimeError(f"{name} returned no row")
    return written


def required(row: T | None, entity: str, entity_id: object) -> T:
    """`row`, or NotFound (404) naming `entity` and its id when there is none."""
    if row is None:
        raise NotFound(f"{entity} not found", id=str(entity_id))
    return row


def body_params(body: BaseModel) -> dict[str, Any]:
    """A request body as statement parameters, with JSON objects wrapped for jsonb."""
    return {k: Jsonb(v) if isinstance(v, dict) else v for k, v in body.model_dump().items()}


async def fetch_all(
    conn: Conn, name: str, params: Params = (), **parts: sql.Composable
) -> list[Row]:
    cursor = await conn.execute(query(name, **parts), params)
    return await cursor.fetchall()


async def execute(conn: Conn, name: str, params: Params = (), **parts: sql.Composable) -> int:
    """Run a statement that returns no rows; the number of rows it touched."""
    cursor = await conn.execute(query(name, **parts), params)
    return cursor.rowcount


async def execute_many(conn: Conn, name: str, rows: Sequence[Params]) -> None:
    async with conn.cursor() as cursor:
        await cursor.executemany(query(name), rows)


def page_query(name: str) -> PageQuery:
    """The list statement `name` (with `{where}` and `{order}`) as a PageQuery."""

    async def run(
        conn: Conn, where: sql.Composable, order: sql.Composable, params: Mapping[str, Any]
    ) -> list[Row]:
        return await fetch_all(conn, name, params, where=where, order=order)

    return run
