"""Events reach the bus through the outbox, only for committed changes."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest
from fastapi import FastAPI

from mimir.decisions import service as decisions
from mimir.decisions.schemas import DecisionCreate
from mimir.deps import Work

API = "/api/v1"


@pytest.fixture
async def mimir_events(broker: Any, mimir_settings: Any) -> AsyncIterator[asyncio.Queue[Any]]:
    """Every `mimir.#` message on the run's vhost, from a test queue bound for this test."""
    connection = await aio_pika.connect_robust(broker.amqp_url)
    received: asyncio.Queue[Any] = asyncio.Queue()
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            mimir_settings.bloodbank_exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, "mimir.#")

        async def collect(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                received.put_nowait(json.loads(message.body))

        await queue.consume(collect)
        yield received


async def next_event(received: asyncio.Queue[Any], event_type: str, **match: Any) -> Any:
    """The first event of `event_type` whose payload has the `match` values (bounded wait)."""
    async with asyncio.timeout(20):
        while True:
            event = await received.get()
            payload = event["payload"]
            if event["event_type"] == event_type and all(
                payload.get(k) == v for k, v in match.items()
            ):
                return event


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
