"""The psycopg pool and the unit of work: one transaction per request and per message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from mimir.settings import MimirSettings


def create_pool(settings: MimirSettings) -> AsyncConnectionPool[AsyncConnection[dict[str, Any]]]:
    return AsyncConnectionPool(
        settings.conninfo,
        min_size=1,
        max_size=settings.db_pool_size,
        timeout=settings.db_pool_timeout,
        kwargs={"row_factory": dict_row, "connect_timeout": 5},
        open=False,
        check=AsyncConnectionPool.check_connection,
    )


class UnitOfWork:
    """Yields a connection inside a transaction: commit on clean exit, rollback on error."""

    def __init__(self, pool: AsyncConnectionPool[AsyncConnection[dict[str, Any]]]) -> None:
        self.pool = pool

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncConnection[dict[str, Any]]]:
        async with self.pool.connection() as conn, conn.transaction():
            yield conn
