"""The outbox takes a SQLAlchemy AsyncSession too, writing in the session's own transaction."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from envelope import Outbox, create_envelope, service_source


async def test_events_added_through_a_session_commit_and_roll_back_with_it(
    conninfo: str, schema: str, unique: str
) -> None:
    engine = create_async_engine(
        "postgresql+psycopg://", async_creator=lambda: psycopg.AsyncConnection.connect(conninfo)
    )
    sessions = async_sessionmaker(engine)
    outbox = Outbox(schema)
    kept = create_envelope(
        "test.thing.happened", {"name": f"{unique}-kept"}, source=service_source("t")
    )
    dropped = create_envelope(
        "test.thing.happened", {"name": f"{unique}-dropped"}, source=service_source("t")
    )

    async with sessions.begin() as session:
        await outbox.add(session, kept)

    async def failing() -> None:
        async with sessions.begin() as session:
            await outbox.add(session, dropped)
            raise RuntimeError("request failed")

    with pytest.raises(RuntimeError):
        await failing()
    await engine.dispose()

    async with await psycopg.AsyncConnection.connect(conninfo) as conn:
        cursor = await conn.execute(
            "SELECT event_id FROM envelope_tests.outbox WHERE event_id = ANY(%s)",
            ([kept.event_id, dropped.event_id],),
        )
        assert await cursor.fetchall() == [(kept.event_id,)]
