"""Following an event through imi: what a request caused, and the AsyncAPI document."""

import uuid

import httpx
from imi_helpers import eventually, remote, unique

from envelope import request_id_to_uuid


async def test_a_request_id_leads_to_the_events_it_caused(imi_client: httpx.AsyncClient) -> None:
    request_id = f"req-{uuid.uuid4().hex[:8]}"
    created = await imi_client.post(
        "/api/v1/projects",
        json={"name": unique("proj"), "remote_origin": remote()},
        headers={"X-Request-ID": request_id},
    )
    assert created.status_code == 201
    history = await imi_client.get(f"/api/v1/events/{request_id}")  # as it was sent
    assert history.status_code == 200
    assert history.json()["event_id"] == str(request_id_to_uuid(request_id))
    caused = history.json()["caused"]
    by_uuid = await imi_client.get(f"/api/v1/events/{request_id_to_uuid(request_id)}")
    assert [e["event_id"] for e in by_uuid.json()["caused"]] == [e["event_id"] for e in caused]
    assert [event["event_type"] for event in caused] == ["imi.project.registered"]

    event_id = caused[0]["event_id"]

    async def published() -> dict[str, object] | None:
        body = (await imi_client.get(f"/api/v1/events/{event_id}")).json()
        return body if body["emitted"]["published_at"] else None

    emitted = (await eventually(published))["emitted"]
    assert emitted["correlation_ids"] == [str(request_id_to_uuid(request_id))]


async def test_an_unknown_event_is_404(imi_client: httpx.AsyncClient) -> None:
    response = await imi_client.get(f"/api/v1/events/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["detail"]["code"] == "NOT_FOUND"
    assert (await imi_client.get("/api/v1/events/never-sent")).status_code == 404
    long_id = f"req/{uuid.uuid4().hex}/" + "x" * 300  # a slash, and cut at 200 as sent
    made = await imi_client.post(
        "/api/v1/projects",
        json={"name": unique("proj"), "remote_origin": remote()},
        headers={"X-Request-ID": long_id},
    )
    assert made.status_code == 201
    followed = await imi_client.get(f"/api/v1/events/{long_id}")
    assert [e["event_type"] for e in followed.json()["caused"]] == ["imi.project.registered"]


async def test_a_request_id_in_any_script_is_echoed_and_followed(
    imi_client: httpx.AsyncClient,
) -> None:
    for request_id, sent in (
        (f"réq-{unique('x')}-日本", None),  # UTF-8, as clients send it
        (None, f"caf\xe9-{unique('x')}".encode("latin-1")),  # not UTF-8: kept byte for byte
    ):
        raw = sent if sent is not None else request_id.encode()  # type: ignore[union-attr]
        made = await imi_client.post(
            "/api/v1/projects",
            json={"name": unique("proj"), "remote_origin": remote()},
            headers=[(b"X-Request-ID", raw)],
        )
        assert made.status_code == 201
        assert (b"x-request-id", raw) in [(n.lower(), v) for n, v in made.headers.raw]
        if request_id is not None:
            followed = await imi_client.get(f"/api/v1/events/{request_id}")
            assert [e["event_type"] for e in followed.json()["caused"]] == [
                "imi.project.registered"
            ]


async def test_asyncapi_lists_what_imi_sends_and_receives(imi_client: httpx.AsyncClient) -> None:
    document = (await imi_client.get("/asyncapi.json")).json()
    operations = document["operations"]
    assert operations["send_imi_work_started"]["action"] == "send"
    assert operations["receive_git_push"]["x-queue"] == "imi.git_events"
    assert operations["receive_imi_cmd_register_project"]["x-queue"] == "imi.commands"
    assert "receive_imi_work_started" not in operations
