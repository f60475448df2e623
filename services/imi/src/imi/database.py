"""Engine, session factory and the unit of work: one transaction per request or message batch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from psycopg.errors import ExclusionViolation, UniqueViolation
from sqlalchemy import Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from envelope import messaging_tables, schema_metadata
from imi.settings import ImiSettings

SCHEMA = "imi"


class Base(DeclarativeBase):
    type_annotation_map = {str: Text}
    metadata = schema_metadata(SCHEMA)


outbox_table, inbox_table = messaging_tables(Base.metadata, SCHEMA)


def create_engine(settings: ImiSettings) -> AsyncEngine:
    return create_async_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5},
    )


class UnitOfWork:
    """Opens sessions whose transaction commits on clean exit and rolls back on error.

    Services flush when they need ids; only the unit of work commits.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions.begin() as session:
            yield session


async def flush_unique(session: AsyncSession, *added: object) -> bool:
    """Flush (adding `added` first) inside a savepoint; False if a unique index refused it.

    The savepoint keeps the request's transaction usable, so the caller can look up the row
    that won and report it.
    """
    try:
        async with session.begin_nested():
            session.add_all(added)
            await session.flush()
    except IntegrityError as error:
        if isinstance(error.orig, UniqueViolation | ExclusionViolation):
            for row in added:
                if row in session:  # a refused update: drop its changes, reload on access
                    session.expire(row)
            return False
        raise
    return True
