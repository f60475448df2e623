"""Spans inside their content, relations with traversal, provenance (body and headers)."""

from __future__ import annotations

import uuid
from typing import Any

API = "/api/v1"


async def test_span_must_lie_inside_the_version(api: Any, unique: str) -> None:
    content = f"Decision: ship {unique} on Friday."
    artifact = await api.artifact(content)
    version_id = artifact["versions"][0]["id"]
    span = await api.created(
        "/spans",
        {
            "artifact_version_id": version_id,
            "start_offset": 10,
            "end_offset": 14,
            "span_type": "evidence",
        },
    )
    assert span["text"] == content[10:14] == "ship"
    assert span["artifact_id"] == artifact["id"]
    fetched = await api.ok(f"/spans/{span['id']}")
    assert fetched["text"] == "ship"
    assert (await api.ok(f"/spans/{span['id']}", fields="id,text")) == {
        "id": span["id"],
        "text": "ship",
    }

    for start, end in ((0, len(content) + 1), (5, 5), (7, 3)):
        response = await api.client.post(
            f"{API}/spans",
            json={
                "artifact_version_id": version_id,
                "start_offset": start,
                "end_offset": end,
                "span_type": "quote",
            },
        )
        assert response.status_code == 400, (start, end)
        assert api.code(response) == "BAD_REQUEST"
    whole = await api.created(
        "/spans",
        {
            "artifact_version_id": version_id,
            "start_offset": 0,
            "end_offset": len(content),
            "span_type": "quote",
        },
    )
    assert whole["text"] == content
    unknown = await api.client.post(
        f"{API}/spans",
        json={
            "artifact_version_id": str(uuid.uuid4()),
            "start_offset": 0,
            "end_offset": 1,
            "span_type": "quote",
        },
    )
    assert unknown.status_code == 400
    assert api.code(unknown) == "BAD_REFERENCE"
    assert (await api.client.get(f"{API}/spans/{uuid.uuid4()}")).status_code == 404
    for reserved in ("chunk", "passage"):  # search ranks these: a client's would be ranked too
        refused = await api.client.post(
            f"{API}/spans",
            json={
                "artifact_version_id": version_id,
                "start_offset": 0,
                "end_offset": 1,
                "span_type": reserved,
            },
        )
        assert refused.status_code == 422
        assert "made by mimir for search" in refused.text

    evidence = await api.ok("/spans", artifact_version_id=version_id, span_type__ne="chunk")
    assert {s["span_type"] for s in evidence["items"]} == {"evidence", "quote", "passage"}


def relation(source: tuple[str, str], kind: str, target: tuple[str, str]) -> dict[str, Any]:
    return {
        "source_type": source[0],
        "source_id": source[1],
        "relation_type": kind,
        "target_type": target[0],
        "target_id": target[1],
    }


async def test_relations_traversal_stops_at_cycles_and_depth(api: Any, unique: str) -> None:
    a = ("imi.work_item", str(uuid.uuid4()))
    b = ("imi.project", str(uuid.uuid4()))
    c = ("imi.ticket", str(uuid.uuid4()))
    d = ("imi.deploy", str(uuid.uuid4()))
    ab = await api.created("/relations", relation(a, f"next-{unique}", b))
    bc = await api.created("/relations", relation(b, f"next-{unique}", c))
    ca = await api.created("/relations", relation(c, f"next-{unique}", a))
    cd = await api.created("/relations", relation(c, f"next-{unique}", d))

    walk = await api.ok(
        "/relations/traverse", start_type=a[0], start_id=a[1], depth=6, direction="out"
    )
    depths = {r["id"]: r["depth"] for r in walk["relations"]}
    # The relation back to the start is reported (it is within reach) but not followed.
    assert depths == {ab["id"]: 1, bc["id"]: 2, ca["id"]: 3, cd["id"]: 3}
    assert {(n["type"], n["depth"]) for n in walk["nodes"]} == {(b[0], 1), (c[0], 2), (d[0], 3)}
    assert walk["truncated"] is False

    shallow = await api.ok(
        "/relations/traverse", start_type=a[0], start_id=a[1], depth=1, direction="both"
    )
    assert {r["id"] for r in shallow["relations"]} == {ab["id"], ca["id"]}
    too_deep = await api.client.get(
        f"{API}/relations/traverse", params={"start_type": a[0], "start_id": a[1], "depth": 99}
    )
    assert too_deep.status_code == 422
    for start_type, start_id, status in (
        ("bogus", a[1], 400),
        ("imi.bogus", a[1], 400),
        ("artifact", str(uuid.uuid4()), 404),  # one of mimir's own, not there
    ):
        walked = await api.client.get(
            f"{API}/relations/traverse", params={"start_type": start_type, "start_id": start_id}
        )
        assert walked.status_code == status, (start_type, walked.text)
    external = await api.ok(
        "/relations/traverse", start_type="imi.work_item", start_id=str(uuid.uuid4())
    )
    assert external["relations"] == []  # imi's entities are taken as given

    repeated = await api.client.post(f"{API}/relations", json=relation(a, f"next-{unique}", b))
    assert repeated.status_code == 200  # asked for again: the same relation, nothing emitted
    assert repeated.json() == ab
    other = await api.client.post(
        f"{API}/relations", json={**relation(a, f"next-{unique}", b), "metadata": {"w": 2}}
    )
    assert other.status_code == 409
    assert other.json()["detail"]["params"]["relation_id"] == ab["id"]
    by_source = await api.ok("/relations", source_type=a[0], source_id=a[1])
    assert [r["id"] for r in by_source["items"]] == [ab["id"]]
    assert (await api.client.delete(f"{API}/relations/{ab['id']}")).status_code == 204
    assert (await api.client.delete(f"{API}/relations/{ab['id']}")).status_code == 404
    assert (await api.ok("/relations", relation_type=f"next-{unique}"))["items"].__len__() == 3


async def test_relations_check_mimir_entities(api: Any, unique: str) -> None:
    artifact = await api.artifact(unique)
    missing = await api.client.post(
        f"{API}/relations",
        json=relation(("artifact", artifact["id"]), "cites", ("decision", str(uuid.uuid4()))),
    )
    assert missing.status_code == 400
    assert api.code(missing) == "BAD_REFERENCE"
    unknown_type = await api.client.post(
        f"{API}/relations",
        json=relation(("artifact", artifact["id"]), "cites", ("Widget", str(uuid.uuid4()))),
    )
    assert unknown_type.status_code == 400
    decision = await api.created("/decisions", {"statement": unique})
    made = await api.created(
        "/relations", relation(("decision", decision["id"]), "cites", ("artifact", artifact["id"]))
    )
    assert [r["id"] for r in await api.ok(f"/artifacts/{artifact['id']}/relations")] == [made["id"]]
    itself = relation(("decision", decision["id"]), "cites", ("decision", decision["id"]))
    refused = await api.client.post(f"{API}/relations", json=itself)
    assert refused.status_code == 400
    assert api.code(refused) == "BAD_REQUEST"


async def test_provenance_recorded_from_body_and_headers(api: Any, unique: str) -> None:
    artifact = await api.artifact(f"Evidence for {unique}.")
    version = artifact["versions"][0]
    span = await api.created(
        "/spans",
        {
            "artifact_version_id": version["id"],
            "start_offset": 0,
            "end_offset": 8,
            "span_type": "evidence",
        },
    )
    decision = await api.created(
        "/decisions",
        {"statement": unique},
        headers={"X-Provenance-Model": "gpt-4-turbo", "X-Provenance-Pipeline": "ingest@7"},
    )
    [from_headers] = await api.ok(f"/provenance/decision/{decision['id']}")
    assert from_headers["model_id"] == "gpt-4-turbo"
    assert from_headers["pipeline_version"] == "ingest@7"

    recorded = await api.created(
        "/provenance",
        {
            "target_type": "decision",
            "target_id": decision["id"],
            "prompt_version": "p3",
            "evidence_span_ids": [span["id"]],
            "metadata": {"t": 0},
        },
    )
    assert recorded["evidence_span_ids"] == [span["id"]]
    rows = await api.ok(f"/provenance/decision/{decision['id']}")
    assert [r["id"] for r in rows] == [from_headers["id"], recorded["id"]]

    bad_span = await api.client.post(
        f"{API}/provenance",
        json={
            "target_type": "decision",
            "target_id": decision["id"],
            "evidence_span_ids": [str(uuid.uuid4())],
        },
    )
    assert bad_span.status_code == 400
    assert api.code(bad_span) == "BAD_REFERENCE"
    assert await api.ok(f"/provenance/decision/{uuid.uuid4()}") == []
    unknown = await api.client.get(f"{API}/provenance/bogus/{uuid.uuid4()}")
    assert unknown.status_code == 400
    assert api.code(unknown) == "BAD_REQUEST"
    assert await api.ok(f"/provenance/artifact/{artifact['id']}") == []

    with_headers = await api.created(
        "/artifacts",
        {"artifact_type": "note", "source": unique, "content": unique},
        headers={"X-Provenance-Model": "m1"},
    )
    assert len(await api.ok(f"/provenance/artifact/{with_headers['id']}")) == 1
    version_id = with_headers["versions"][0]["id"]
    assert len(await api.ok(f"/provenance/artifact_version/{version_id}")) == 1
    recorded = await api.created(  # the headers fill what the body leaves out
        "/provenance",
        {"target_type": "artifact", "target_id": artifact["id"], "pipeline_version": "body@1"},
        headers={"X-Provenance-Model": "m2", "X-Provenance-Pipeline": "header@2"},
    )
    assert (recorded["model_id"], recorded["pipeline_version"]) == ("m2", "body@1")


async def test_offsets_count_characters_not_bytes(api: Any, unique: str) -> None:
    content = f"Café ☕ déjà vu — naïve {unique} 🙂 end"
    artifact = await api.artifact(content)
    start = content.index("naïve")
    span = await api.created(
        "/spans",
        {
            "artifact_version_id": artifact["versions"][0]["id"],
            "start_offset": start,
            "end_offset": start + len("naïve"),
            "span_type": "quote",
        },
    )
    assert span["text"] == "naïve"
    [chunk] = (await api.ok("/spans", artifact_id=artifact["id"], span_type="chunk"))["items"]
    assert chunk["end_offset"] == len(content)
    assert chunk["text"] == content


async def test_traversal_enters_each_node_once_and_stops_at_max_edges(
    api: Any, unique: str
) -> None:
    # Six nodes, every one related to every other: 30 relations and thousands of paths.
    nodes = [("imi.work_item", str(uuid.uuid4())) for _ in range(6)]
    for source in nodes:
        for target in nodes:
            if source != target:
                await api.created("/relations", relation(source, f"mesh-{unique}", target))
    start = {"start_type": nodes[0][0], "start_id": nodes[0][1], "depth": 6}
    walk = await api.ok("/relations/traverse", **start, direction="out")
    assert len(walk["relations"]) == 30
    assert len({r["id"] for r in walk["relations"]}) == 30
    assert sorted(n["depth"] for n in walk["nodes"]) == [1, 1, 1, 1, 1]
    assert {r["depth"] for r in walk["relations"]} == {1, 2}
    assert walk["truncated"] is False

    capped = await api.ok("/relations/traverse", **start, direction="both", max_edges=7)
    assert len(capped["relations"]) == 7
    assert capped["truncated"] is True
    assert capped["max_edges"] == 7

    too_many = await api.client.get(
        f"{API}/relations/traverse", params={**start, "max_edges": 10**6}
    )
    assert too_many.status_code == 400
    assert too_many.json()["detail"]["code"] == "LIMIT_EXCEEDED"
    assert too_many.json()["detail"]["params"]["limit"] == 1000
