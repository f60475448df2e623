import httpx
from harness import settled_health


async def test_health_reports_database_broker_and_backlog(imi_client: httpx.AsyncClient) -> None:
    body = await settled_health(imi_client)
    assert (body["service"], body["status"]) == ("imi", "ok")
    assert (body["database"], body["broker"]) == ("up", "up")
    assert (body["outbox_backlog"], body["outbox_oldest_age_s"]) == (0, None)
    assert body["tasks"]["outbox-relay"]["state"] == "running"
