"""Following an event through mimir: what a request caused, and the AsyncAPI document."""

import uuid

import httpx
from harness import eventually

from envelope import request_id_to_uuid


async def test_a_request_id_leads_to_the_events_it_caused(mimir_client: httpx.AsyncClient) -> None:
    request_id = str(uuid.uuid4())
    created = await mimir_client.post(
        "/api/v1/decisions",
        json={"statement": f"decide {request_id}", "rationale": "because", "status": "active"},
        headers={"X-Request-ID": request_id},
    )
    assert created.status_code == 201
    history = (await mimir_client.get(f"/api/v1/events/{request_id_to_uuid(request_id)}")).json()
    assert [e["event_type"] for e in history["caused"]] == ["mimir.decision.recorded"]
    event_id = history["caused"][0]["event_id"]

    async def published() -> bool:
        body = (await mimir_client.get(f"/api/v1/events/{event_id}")).json()
        return body["emitted"]["published_at"] is not None

    await eventually(published)


async def test_asyncapi_lists_what_mimir_sends(mimir_client: httpx.AsyncClient) -> None:
    document = (await mimir_client.get("/asyncapi.json")).json()
    assert document["operations"]["send_mimir_decision_recorded"]["action"] == "send"
    assert "send_imi_work_started" not in document["operations"]
