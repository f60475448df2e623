"""The psycopg pool and the unit of work: one transaction per request or message batch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from mimir.search.queries import configure_session as configure_search
from mimir.settings import MimirSettings
from mimir.sql import Conn


def create_pool(settings: MimirSettings) -> AsyncConnectionPool[AsyncConnection[dict[str, Any]]]:
    async def configure(conn: AsyncConnection[dict[str, Any]]) -> None:
        await configure_session(conn, settings)

    return AsyncConnectionPool(
        settings.conninfo,
        min_size=1,
        max_size=settings.db_pool_size + settings.db_pool_overflow,
        timeout=settings.db_pool_timeout,
        kwargs={"row_factory": dict_row, "connect_timeout": 5},
        open=False,
        check=AsyncConnectionPool.check_connection,
        configure=configure,
    )


async def configure_session(conn: Conn, settings: MimirSettings) -> None:
    """Search settings, once per connection rather than once per search: every statement
    is planned with its own values (a generic plan cannot tell a rare term from a common
    one, nor match a space's partial index); sequential scans start at a table's first page,
    since a scan that joins one already running elsewhere starts where it is, and a query
    of common words only, whose candidates are the first matches found, would get other
    hits each time; and HNSW scans go on past `ef_search` when filters drop candidates."""
    await configure_search(conn, settings.hnsw_ef_search)
    await conn.commit()


class UnitOfWork:
    """Yields a connection inside a transaction: commit on clean exit, rollback on error."""

    def __init__(self, pool: AsyncConnectionPool[AsyncConnection[dict[str, Any]]]) -> None:
        self.pool = pool

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncConnection[dict[str, Any]]]:
        async with self.pool.connection() as conn, conn.transaction():
            yield conn
