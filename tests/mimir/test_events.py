"""Events reach the bus through the outbox, only for committed changes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from mimir_helpers import next_event

from mimir.decisions import service as decisions
from mimir.decisions.schemas import DecisionCreate
from mimir.work import Work

API = "/api/v1"


async def test_every_mutation_publishes_its_event(api: Any, mimir_events: Any, unique: str) -> None:
    request_id = str(uuid.uuid4())
    artifact = await api.created(
        "/artifacts",
        {"artifact_type": "note", "source": unique, "content": f"note {unique}"},
        headers={"X-Request-ID": request_id},
    )
    event = await next_event(mimir_events, "mimir.artifact.created", artifact_id=artifact["id"])
    assert event["payload"]["version_id"] == artifact["versions"][0]["id"]
    assert event["correlation_ids"] == [request_id]
    assert event["source"]["app"] == "mimir"

    version = await api.created(f"/artifacts/{artifact['id']}/versions", {"content": unique})
    await next_event(mimir_events, "mimir.artifact.version_added", version_id=version["id"])

    intent = await api.created("/intents", {"statement": unique, "proposed_by": "human"})
    await next_event(mimir_events, "mimir.intent.proposed", intent_id=intent["id"])
    await api.client.patch(f"{API}/intents/{intent['id']}", json={"status": "rejected"})
    rejected = await next_event(mimir_events, "mimir.intent.rejected", intent_id=intent["id"])
    assert rejected["payload"]["previous_status"] == "proposed"

    old = await api.created("/decisions", {"statement": f"old {unique}", "status": "active"})
    new = await api.created("/decisions", {"statement": f"new {unique}"})
    await next_event(mimir_events, "mimir.decision.recorded", decision_id=new["id"])
    await api.client.patch(
        f"{API}/decisions/{old['id']}",
        json={"status": "superseded", "superseded_by_id": new["id"]},
    )
    await next_event(
        mimir_events, "mimir.decision.superseded", decision_id=old["id"], superseded_by_id=new["id"]
    )
    await api.client.patch(f"{API}/decisions/{new['id']}", json={"status": "active"})
    activated = await next_event(mimir_events, "mimir.decision.activated", decision_id=new["id"])
    assert activated["payload"]["statement"] == f"new {unique}"

    relation = await api.created(
        "/relations",
        {
            "source_type": "decision",
            "source_id": new["id"],
            "relation_type": "derived_from",
            "target_type": "artifact",
            "target_id": artifact["id"],
        },
    )
    created = await next_event(mimir_events, "mimir.relation.created", relation_id=relation["id"])
    assert created["payload"]["target_type"] == "artifact"
    await api.client.delete(f"{API}/relations/{relation['id']}")
    deleted = await next_event(mimir_events, "mimir.relation.deleted", relation_id=relation["id"])
    assert deleted["payload"]["source_id"] == new["id"]


async def test_a_rolled_back_change_publishes_nothing(
    api: Any, mimir_app: FastAPI, mimir_events: Any, unique: str
) -> None:
    state = mimir_app.state

    async def record_then_fail() -> None:
        async with state.uow() as conn:
            work = Work(conn, state.bus, state.settings)
            await decisions.record(work, DecisionCreate(statement=f"rolled back {unique}"))
            raise RuntimeError("abort the unit of work")

    with pytest.raises(RuntimeError):
        await record_then_fail()

    committed = await api.created("/decisions", {"statement": f"committed {unique}"})
    seen = []
    async with asyncio.timeout(20):
        while True:
            event = await mimir_events.get()
            seen.append(event["payload"].get("statement"))
            if event["payload"].get("decision_id") == committed["id"]:
                break
    assert f"rolled back {unique}" not in seen
    listing = await api.ok("/decisions", statement__contains=unique)
    assert [d["id"] for d in listing["items"]] == [committed["id"]]
