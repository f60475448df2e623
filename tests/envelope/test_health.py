"""/health: 503 when the database cannot be reached, and the service keeps serving; a
background task that fails is restarted, and /health shows it meanwhile."""

from typing import Any

import httpx
from harness import eventually, running

from imi.main import create_app
from imi.settings import ImiSettings


async def test_health_is_503_when_the_database_is_unreachable(imi_settings: ImiSettings) -> None:
    broken = imi_settings.model_copy(update={"db_port": 1})
    async with running(create_app(broken)) as client:
        response = await client.get("/health")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert response.json()["database"] == "down"
        again = await client.get("/health")
        assert again.status_code == 503


async def test_a_relay_killed_by_an_unexpected_error_is_restarted_and_health_shows_it(
    imi_settings: ImiSettings,
) -> None:
    app = create_app(imi_settings)
    relay = app.state.bus.relay
    drain = relay.drain_batch
    failures = 2

    async def failing_drain(conn: Any) -> int:
        nonlocal failures
        if failures:
            failures -= 1
            raise ValueError("a bug the relay does not expect")
        return await drain(conn)

    relay.drain_batch = failing_drain
    async with running(app) as client:
        seen = await eventually(lambda: _relay_state(client, "restarting"))
        assert seen["status"] == "degraded"
        assert "a bug the relay does not expect" in seen["tasks"]["outbox-relay"]["last_error"]
        # running between the two failures too: healed is running after the second restart
        healed = await eventually(lambda: _relay_state(client, "running", restarts=2), timeout=20)
        assert healed["status"] == "ok"


async def _relay_state(
    client: httpx.AsyncClient, state: str, restarts: int | None = None
) -> dict[str, Any] | None:
    body: dict[str, Any] = (await client.get("/health")).json()
    relay = body["tasks"].get("outbox-relay", {})
    if restarts is not None and relay.get("restarts") != restarts:
        return None
    return body if relay.get("state") == state and body["broker"] == "up" else None
