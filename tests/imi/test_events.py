"""Events leave through the outbox: after commit, with the request's correlation id."""

import asyncio
import uuid
from typing import Any

import httpx
from imi_helpers import EventLog, create_project, remote

from envelope import request_id_to_uuid


async def test_event_envelope_carries_request_id(
    api: httpx.AsyncClient, events: EventLog, outbox: Any
) -> None:
    request_id = f"req-{uuid.uuid4()}"
    response = await api.post(
        "/api/v1/projects",
        json={"name": "env", "remote_origin": remote()},
        headers={"X-Request-ID": request_id},
    )
    assert response.status_code == 201
    assert response.headers["x-request-id"] == request_id
    project_id = response.json()["id"]
    event = await events.wait_for("imi.project.registered", project_id=project_id)
    assert event["version"] == "1.0.0"
    assert event["event_type"] == "imi.project.registered"
    assert event["source"]["app"] == "imi"
    assert event["correlation_ids"] == [str(request_id_to_uuid(request_id))]
    assert outbox(request_id_to_uuid(request_id)) == ["imi.project.registered"]


async def test_rejected_requests_publish_nothing(
    api: httpx.AsyncClient, events: EventLog, outbox: Any
) -> None:
    project = await create_project(api)
    request_ids = [uuid.uuid4() for _ in range(3)]
    responses = await asyncio.gather(
        *(
            api.post(
                "/api/v1/projects",
                json={"name": "dup", "remote_origin": project["remote_origin"]},
                headers={"X-Request-ID": str(rid)},
            )
            for rid in request_ids
        )
    )
    assert [r.status_code for r in responses] == [409, 409, 409]
    concurrent_origin = remote()
    race_ids = [uuid.uuid4() for _ in range(4)]
    raced = await asyncio.gather(
        *(
            api.post(
                "/api/v1/projects",
                json={"name": "race", "remote_origin": concurrent_origin},
                headers={"X-Request-ID": str(rid)},
            )
            for rid in race_ids
        )
    )
    winner = next(rid for rid, r in zip(race_ids, raced, strict=True) if r.status_code == 201)
    # A later event of the same relay has arrived, so anything written before it would have too.
    await events.wait_for("imi.project.registered", remote_origin=concurrent_origin)
    for rid in request_ids + [rid for rid in race_ids if rid != winner]:
        assert outbox(rid) == []
        assert not [e for e in events.received if str(rid) in e["correlation_ids"]]
    assert outbox(winner) == ["imi.project.registered"]
