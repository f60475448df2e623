import httpx
from harness import settled_health


async def test_health_reports_database_broker_and_backlog(mimir_client: httpx.AsyncClient) -> None:
    body = await settled_health(mimir_client)
    assert (body["service"], body["status"]) == ("mimir", "ok")
    assert (body["database"], body["broker"]) == ("up", "up")
    assert (body["outbox_backlog"], body["outbox_oldest_age_s"]) == (0, None)
    assert body["tasks"]["outbox-relay"]["state"] == "running"
    head = await mimir_client.head("/health")  # a probe reading the status alone
    assert (head.status_code, head.content) == (200, b"")
