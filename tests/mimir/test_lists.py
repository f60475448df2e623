"""The list machinery: filters and operators, keyset cursors, offsets, sparse fieldsets."""

from __future__ import annotations

from typing import Any

API = "/api/v1"


async def test_filters_by_field_and_operator(api: Any, unique: str) -> None:
    for index, kind in enumerate(("note", "document", "note")):
        await api.artifact(
            f"{unique} {index}",
            artifact_type=kind,
            source=f"src-{unique}",
            metadata={"n": index, "run": unique},
        )
    notes = await api.ok("/artifacts", source=f"src-{unique}", artifact_type="note")
    assert len(notes["items"]) == 2
    docs = await api.ok("/artifacts", source=f"src-{unique}", artifact_type__ne="note")
    assert [a["artifact_type"] for a in docs["items"]] == ["document"]
    both = await api.ok("/artifacts", source=f"src-{unique}", artifact_type__in="note,document")
    assert len(both["items"]) == 3
    by_meta = await api.ok("/artifacts", metadata__contains=f'{{"run": "{unique}", "n": 1}}')
    assert [a["metadata"]["n"] for a in by_meta["items"]] == [1]
    fuzzy = await api.ok("/artifacts", source__icontains=unique.upper())
    assert len(fuzzy["items"]) == 3
    no_external = await api.ok("/artifacts", source=f"src-{unique}", external_id__isnull="true")
    assert len(no_external["items"]) == 3
    newest = both["items"][0]["created_at"]
    before = await api.ok("/artifacts", source=f"src-{unique}", created_at__lt=newest)
    assert len(before["items"]) == 2
    searched = await api.ok("/artifacts", q=f"{unique}", source=f"src-{unique}")
    assert len(searched["items"]) == 3


async def test_unknown_filter_field_or_operator_is_400(api: Any) -> None:
    for params in (
        {"colour": "red"},
        {"source__regex": "x"},
        {"metadata__gt": "{}"},
        {"created_at__gte": "yesterday"},
        {"id": "not-a-uuid"},
    ):
        response = await api.client.get(f"{API}/artifacts", params=params)
        assert response.status_code == 400, params
        assert api.code(response) == "BAD_REQUEST"
    response = await api.client.get(f"{API}/decisions", params={"statement__isnull": "maybe"})
    assert response.status_code == 400


async def test_a_value_outside_a_fields_enumeration_is_400(api: Any, unique: str) -> None:
    """An artifact type or status mimir does not have would match nothing; it is refused."""
    for path, params in (
        ("/artifacts", {"artifact_type": "video"}),
        ("/artifacts", {"artifact_type__in": "note,video"}),
        ("/intents", {"status__ne": "maybe"}),
        ("/external-entities", {"entity_type": "imi.branch"}),
    ):
        response = await api.client.get(f"{API}{path}", params=params)
        assert response.status_code == 400, params
        assert response.json()["detail"]["params"]["allowed"], params
    refused = await api.client.get(f"{API}/artifacts", params={"artifact_type": "video"})
    assert refused.json()["detail"]["params"]["allowed"] == ["conversation", "document", "note"]
    assert refused.json()["detail"]["params"]["given"] == ["video"]
    await api.created("/intents", {"statement": unique, "proposed_by": "human"})
    listed = await api.ok("/intents", status="proposed", statement=unique)
    assert [i["statement"] for i in listed["items"]] == [unique]


async def test_an_empty_fieldset_is_refused(api: Any) -> None:
    response = await api.client.get(f"{API}/artifacts", params={"fields": " , "})
    assert response.status_code == 400
    assert response.json()["detail"]["message"] == "fields names no field"


async def test_a_misspelt_search_filter_is_refused_not_dropped(api: Any) -> None:
    for filters in ({"artifact_types": ["document"]}, {"bogus": 1}):
        response = await api.client.post(
            f"{API}/search/text", json={"query": "retry", "filters": filters}
        )
        assert response.status_code == 422, filters
        [error] = response.json()["detail"]["params"]["errors"]
        assert error["loc"] == ["body", "filters", *filters], error
        assert error["type"] == "extra_forbidden"


async def test_cursor_and_offset_pagination(api: Any, unique: str) -> None:
    ids = [
        (await api.created("/intents", {"statement": f"{unique} {i}", "proposed_by": "h"}))["id"]
        for i in range(5)
    ]
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params = {"statement__contains": unique, "limit": 2, "order": "created_at"}
        if cursor:
            params["cursor"] = cursor
        page = await api.ok("/intents", **params)
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids

    newest_first = await api.ok("/intents", statement__contains=unique, limit=2, offset=1)
    assert [i["id"] for i in newest_first["items"]] == [ids[3], ids[2]]
    both = await api.client.get(
        f"{API}/intents", params={"cursor": page["next_cursor"] or "x", "offset": 1}
    )
    assert both.status_code == 400
    garbage = await api.client.get(f"{API}/intents", params={"cursor": "%%%"})
    assert garbage.status_code == 400
    assert (await api.client.get(f"{API}/intents", params={"limit": 0})).status_code == 422


async def test_sparse_fieldsets(api: Any, unique: str) -> None:
    artifact = await api.artifact(unique, source=f"sparse-{unique}")
    page = await api.ok("/artifacts", source=f"sparse-{unique}", fields="id,source")
    assert page["items"] == [{"id": artifact["id"], "source": f"sparse-{unique}"}]
    assert set(page) == {"items", "next_cursor", "limit", "offset"}
    detail = await api.ok(f"/artifacts/{artifact['id']}", fields="id,latest_version")
    assert detail == {"id": artifact["id"], "latest_version": 1}
    bad = await api.client.get(f"{API}/artifacts", params={"fields": "id,password"})
    assert bad.status_code == 400
    assert bad.json()["detail"]["params"]["unknown"] == ["password"]
    none = await api.client.post(
        f"{API}/search/hybrid", json={"query": "retry", "lexical_weight": 0, "semantic_weight": 0}
    )
    assert none.status_code == 422  # nothing would rank the hits
