import asyncio

import httpx

API = "/api/v1"


async def test_create_artifact_returns_version_one_with_chunks(api, unique: str) -> None:
    content = f"Dana: where do we keep {unique}?\nSam: In the vault, always."
    artifact = await api.artifact(content, artifact_type="conversation", metadata={"run": unique})
    assert artifact["latest_version"] == 1
    [version] = artifact["versions"]
    assert version["version_number"] == 1
    assert version["content"] == content
    assert len(version["content_hash"]) == 64
    assert artifact["indexing_status"] in ("pending", "indexed")

    chunks = await api.ok("/spans", artifact_id=artifact["id"], span_type="chunk")
    [chunk] = chunks["items"]
    assert chunk["text"] == content[chunk["start_offset"] : chunk["end_offset"]]
    assert chunk["text"].startswith("Dana:")

    fetched = await api.ok(f"/artifacts/{artifact['id']}")
    assert fetched["versions"][0]["id"] == version["id"]


async def test_versions_are_append_only_and_deduplicated_by_hash(
    api, mimir_client: httpx.AsyncClient, unique: str
) -> None:
    artifact = await api.artifact(f"first {unique}")
    url = f"{API}/artifacts/{artifact['id']}/versions"

    second = await mimir_client.post(url, json={"content": f"second {unique}"})
    assert second.status_code == 201
    assert second.json()["version_number"] == 2

    again = await mimir_client.post(url, json={"content": f"first {unique}"})
    assert again.status_code == 200
    assert again.json()["id"] == artifact["versions"][0]["id"]
    assert again.json()["version_number"] == 1

    detail = await api.ok(f"/artifacts/{artifact['id']}")
    assert [v["version_number"] for v in detail["versions"]] == [1, 2]
    assert detail["latest_version"] == 2


async def test_unknown_artifact_is_404_and_bad_body_is_422(
    api, mimir_client: httpx.AsyncClient
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    response = await mimir_client.get(f"{API}/artifacts/{missing}")
    assert response.status_code == 404
    assert api.code(response) == "NOT_FOUND"
    response = await mimir_client.post(f"{API}/artifacts/{missing}/versions", json={"content": "x"})
    assert response.status_code == 404
    response = await mimir_client.get(f"{API}/artifacts/{missing}/relations")
    assert response.status_code == 404
    response = await mimir_client.post(
        f"{API}/artifacts", json={"artifact_type": "video", "source": "x", "content": "y"}
    )
    assert response.status_code == 422
    assert api.code(response) == "VALIDATION_ERROR"


async def test_an_external_id_names_one_artifact_of_its_source(
    api, mimir_client: httpx.AsyncClient, unique: str
) -> None:
    body = {
        "artifact_type": "conversation",
        "source": f"export-{unique}",
        "external_id": "conv-1",
        "content": "Dana: ship it on Friday.",
        "metadata": {"team": "checkout"},
    }
    sent = await asyncio.gather(
        *(mimir_client.post(f"{API}/artifacts", json=body) for _ in range(4))
    )
    assert sorted(response.status_code for response in sent) == [200, 200, 200, 201]
    [artifact_id] = {response.json()["id"] for response in sent}
    listed = await api.ok("/artifacts", source=body["source"])
    assert [item["id"] for item in listed["items"]] == [artifact_id]

    for change, differing in (
        ({"content": "Dana: ship it on Monday."}, ["content"]),
        ({"metadata": {}}, ["metadata"]),
        ({"artifact_type": "note", "content": "other"}, ["artifact_type", "content"]),
    ):
        refused = await mimir_client.post(f"{API}/artifacts", json={**body, **change})
        assert refused.status_code == 409, refused.text
        assert api.code(refused) == "CONFLICT"
        params = refused.json()["detail"]["params"]
        assert params == {"artifact_id": artifact_id, "differing": differing}

    versions = f"{API}/artifacts/{artifact_id}/versions"
    added = await mimir_client.post(versions, json={"content": "Dana: ship it on Monday."})
    assert added.status_code == 201
    for content in (body["content"], "Dana: ship it on Monday."):  # any of its versions
        again = await mimir_client.post(f"{API}/artifacts", json={**body, "content": content})
        assert again.status_code == 200
        assert (again.json()["id"], again.json()["latest_version"]) == (artifact_id, 2)
    elsewhere = await mimir_client.post(
        f"{API}/artifacts", json={**body, "source": f"other-{unique}"}
    )
    assert elsewhere.status_code == 201  # an external id is one source's
