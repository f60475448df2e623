import asyncio

import httpx


async def test_health_reports_database_broker_and_backlog(mimir_client: httpx.AsyncClient) -> None:
    for _ in range(100):
        response = await mimir_client.get("/health")
        assert response.status_code == 200
        body = response.json()
        if body["outbox_backlog"] == 0:
            break
        await asyncio.sleep(0.1)
    assert body["database"] == "up"
    assert body["outbox_backlog"] == 0, "the relay should drain the outbox"
    assert body["service"] == "mimir"
