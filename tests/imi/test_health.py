import httpx


async def test_health_reports_database_broker_and_backlog(imi_client: httpx.AsyncClient) -> None:
    response = await imi_client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "up"
    assert body["outbox_backlog"] == 0
    assert body["service"] == "imi"
