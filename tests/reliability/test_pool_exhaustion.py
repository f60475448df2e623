"""An exhausted pool answers 503 with Retry-After after the pool timeout, not a hang."""

from __future__ import annotations

import asyncio
import time

from harness import running
from sqlalchemy import text

from imi.main import create_app
from imi.settings import ImiSettings


async def test_imi_answers_503_when_every_connection_is_taken(imi_settings: ImiSettings) -> None:
    tight = imi_settings.model_copy(update={"db_pool_size": 1, "db_pool_timeout": 0.5})
    app = create_app(tight)
    async with running(app) as client:
        release = asyncio.Event()

        async def hold_the_only_connection() -> None:
            async with app.state.uow() as session:
                await session.execute(text("SELECT 1"))
                await release.wait()

        holder = asyncio.create_task(hold_the_only_connection())
        await asyncio.sleep(0.2)
        started = time.monotonic()
        response = await client.get("/api/v1/projects")
        waited = time.monotonic() - started
        release.set()
        await holder

        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert response.json()["detail"]["code"] == "SERVICE_UNAVAILABLE"
        assert waited < 10, "the request must fail after the pool timeout, not hang"
        assert (await client.get("/api/v1/projects")).status_code == 200
