"""One way to run a statement in the caller's transaction, whatever it holds."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from psycopg import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncSession

Transaction = AsyncSession | AsyncConnection[Any]
"""A SQLAlchemy AsyncSession on the psycopg driver, or a psycopg AsyncConnection."""


async def driver_connection(tx: Transaction) -> AsyncConnection[Any]:
    """The psycopg connection under `tx`, inside the transaction the caller already opened."""
    if isinstance(tx, AsyncConnection):
        return tx
    connection = await tx.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if not isinstance(driver, AsyncConnection):
        raise TypeError("the session must use the postgresql+psycopg driver")
    return driver


def savepoint(tx: Transaction) -> AbstractAsyncContextManager[Any]:
    """A savepoint in `tx`: what runs inside it is rolled back alone when it raises."""
    if isinstance(tx, AsyncConnection):
        return tx.transaction()
    return tx.begin_nested()
