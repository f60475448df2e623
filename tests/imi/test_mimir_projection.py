"""mimir's events onto the exchange, read back in imi's trace (queue `imi.mimir_events`)."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from harness import Database
from imi_helpers import Bus, create_project, eventually, start_work

import envelope

QUEUE = "imi.mimir_events"


async def publish(
    bus: Bus,
    event_type: str,
    payload: dict[str, Any],
    *,
    event_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> uuid.UUID:
    """Publish a mimir event as mimir does: a validated envelope, routing key = event type."""
    event = envelope.create_envelope(
        event_type, payload, source=envelope.service_source("mimir"), event_id=event_id
    )
    if at is not None:
        event = event.model_copy(update={"timestamp": at})
    await bus.publish_raw(event_type, event.model_dump_json().encode())
    return event.event_id


async def record(bus: Bus, statement: str, **fields: Any) -> uuid.UUID:
    decision_id = uuid.uuid4()
    payload = {"decision_id": str(decision_id), "statement": statement, "rationale": "because"}
    await publish(bus, "mimir.decision.recorded", {**payload, "status": "active", **fields})
    return decision_id


async def relate(
    bus: Bus, source: tuple[str, Any], target: tuple[str, Any], relation_type: str = "explains"
) -> uuid.UUID:
    relation_id = uuid.uuid4()
    await publish(
        bus, "mimir.relation.created", relation(relation_id, source, target, relation_type)
    )
    return relation_id


def relation(
    relation_id: uuid.UUID,
    source: tuple[str, Any],
    target: tuple[str, Any],
    relation_type: str = "explains",
) -> dict[str, Any]:
    return {
        "relation_id": str(relation_id),
        "source_type": source[0],
        "source_id": str(source[1]),
        "relation_type": relation_type,
        "target_type": target[0],
        "target_id": str(target[1]),
    }


def count(database: Database, query: str, **params: Any) -> int:
    with psycopg.connect(database.admin_conninfo()) as conn:
        row = conn.execute(query, params).fetchone()
    return int(row[0]) if row else 0


async def consumed(database: Database, event_id: uuid.UUID) -> None:
    """Wait until imi's inbox holds the event: it has been handled and committed."""

    async def probe() -> bool:
        query = "SELECT count(*) FROM imi.inbox WHERE event_id = %(e)s"
        return count(database, query, e=event_id) == 1

    await eventually(probe)


@pytest.fixture
async def chain(api: httpx.AsyncClient) -> dict[str, Any]:
    """A project, a work item on ticket key, and its PR."""
    key = f"MI{uuid.uuid4().int % 10**8}-{uuid.uuid4().int % 1000}"
    project = await create_project(api)
    item = await start_work(api, project["id"], branch_name=f"feat/{key}-sso")
    pr_number = uuid.uuid4().int % 10**6 + 1
    pr = await api.post(
        "/api/v1/links/pr", json={"work_item_id": item["id"], "pr_number": pr_number}
    )
    traced = (await api.get(f"/api/v1/trace/work/{item['id']}")).json()
    return {
        "key": key,
        "project": project,
        "item": item,
        "pr": pr.json(),
        "ticket_link": traced["work_items"][0]["ticket_links"][0],
        "traces": [
            f"work/{item['id']}",
            f"ticket/{key}",
            f"pr/{pr_number}?project_id={project['id']}",
        ],
    }


async def trace(api: httpx.AsyncClient, path: str) -> dict[str, Any]:
    response = await api.get(f"/api/v1/trace/{path}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def entity(body: dict[str, Any], kind: str, entity_id: uuid.UUID) -> dict[str, Any] | None:
    return next((e for e in body[f"{kind}s"] if e["id"] == str(entity_id)), None)


async def shown(
    api: httpx.AsyncClient, path: str, kind: str, entity_id: uuid.UUID, **expected: Any
) -> dict[str, Any]:
    """Wait until the trace at `path` shows the entity with the `expected` fields."""

    async def probe() -> dict[str, Any] | None:
        found = entity(await trace(api, path), kind, entity_id)
        return found if found and all(found[k] == v for k, v in expected.items()) else None

    return await eventually(probe)


async def test_decision_on_a_work_item_shows_from_work_ticket_and_pr(
    api: httpx.AsyncClient, bus: Bus, chain: dict[str, Any]
) -> None:
    decision = await record(bus, "Use OIDC for login")
    relation_id = await relate(bus, ("decision", decision), ("imi.work_item", chain["item"]["id"]))
    for path in chain["traces"]:
        found = await shown(api, path, "decision", decision, title="Use OIDC for login")
        assert found["status"] == "active"
        assert found["rationale"] == "because"
        assert found["superseded_by_id"] is None
        assert found["relations"] == [
            {
                "relation_id": str(relation_id),
                "relation_type": "explains",
                "direction": "from_mimir",
                "imi_type": "work_item",
                "imi_id": chain["item"]["id"],
            }
        ]


async def test_relations_from_imi_to_intents_and_artifacts(
    api: httpx.AsyncClient, bus: Bus, chain: dict[str, Any]
) -> None:
    explains_pr = await record(bus, "Tokens expire after an hour")
    await relate(bus, ("imi.pr", chain["pr"]["id"]), ("decision", explains_pr), "implements")
    intent = uuid.uuid4()
    await publish(
        bus,
        "mimir.intent.accepted",
        {"intent_id": str(intent), "statement": "Single sign-on", "status": "accepted"},
    )
    await relate(bus, ("intent", intent), ("imi.ticket", chain["ticket_link"]["id"]))
    artifact = uuid.uuid4()
    await publish(
        bus,
        "mimir.artifact.created",
        {
            "artifact_id": str(artifact),
            "artifact_type": "conversation",
            "source": "chat",
            "external_id": "session-42",
            "version_id": str(uuid.uuid4()),
            "content_hash": "0" * 64,
        },
    )
    await relate(bus, ("artifact", artifact), ("imi.project", chain["project"]["id"]))
    pr_trace = chain["traces"][2]
    found = await shown(api, pr_trace, "decision", explains_pr, title="Tokens expire after an hour")
    assert [(r["direction"], r["imi_type"]) for r in found["relations"]] == [("to_mimir", "pr")]
    await shown(api, pr_trace, "intent", intent, title="Single sign-on", status="accepted")
    found = await shown(api, pr_trace, "artifact", artifact, external_id="session-42")
    assert (found["artifact_type"], found["version_number"]) == ("conversation", 1)


async def test_supersession_shows_the_successor(
    api: httpx.AsyncClient, bus: Bus, chain: dict[str, Any]
) -> None:
    old = await record(bus, "Sessions in cookies", status="tentative")
    new = await record(bus, "Sessions in tokens")
    await relate(bus, ("decision", old), ("imi.pr", chain["pr"]["id"]))
    await publish(
        bus,
        "mimir.decision.superseded",
        {"decision_id": str(old), "statement": "Sessions in cookies", "superseded_by_id": str(new)},
    )
    found = await shown(api, chain["traces"][1], "decision", old, status="superseded")
    assert found["superseded_by_id"] == str(new)
    assert found["superseded_by_title"] == "Sessions in tokens"


async def test_an_activated_decision_shows_as_active(
    api: httpx.AsyncClient, bus: Bus, chain: dict[str, Any]
) -> None:
    decision = await record(bus, "Cache the trace", status="tentative")
    await relate(bus, ("decision", decision), ("imi.work_item", chain["item"]["id"]))
    await shown(api, chain["traces"][0], "decision", decision, status="tentative")
    await publish(
        bus,
        "mimir.decision.activated",
        {"decision_id": str(decision), "statement": "Cache the trace"},
    )
    await shown(api, chain["traces"][0], "decision", decision, status="active")


async def test_relation_deleted_removes_it(
    api: httpx.AsyncClient, bus: Bus, chain: dict[str, Any]
) -> None:
    decision = await record(bus, "Drop the legacy API")
    ends = (("decision", decision), ("imi.work_item", chain["item"]["id"]))
    relation_id = await relate(bus, *ends)
    await shown(api, chain["traces"][0], "decision", decision, title="Drop the legacy API")
    await publish(bus, "mimir.relation.deleted", relation(relation_id, *ends))

    async def gone() -> bool:
        return entity(await trace(api, chain["traces"][0]), "decision", decision) is None

    await eventually(gone)


async def test_relation_deleted_before_created_stays_deleted(
    api: httpx.AsyncClient, bus: Bus, database: Database, chain: dict[str, Any]
) -> None:
    decision = await record(bus, "Keep the monolith")
    relation_id = uuid.uuid4()
    ends = (("decision", decision), ("imi.work_item", chain["item"]["id"]))
    await publish(bus, "mimir.relation.deleted", relation(relation_id, *ends))
    created = await publish(bus, "mimir.relation.created", relation(relation_id, *ends))
    await consumed(database, created)
    other = await relate(bus, ("decision", decision), ("imi.pr", chain["pr"]["id"]))
    found = await shown(api, chain["traces"][0], "decision", decision, title="Keep the monolith")
    assert [r["relation_id"] for r in found["relations"]] == [str(other)]


async def test_out_of_order_relation_before_decision(
    api: httpx.AsyncClient, bus: Bus, chain: dict[str, Any]
) -> None:
    decision = uuid.uuid4()
    await relate(bus, ("decision", decision), ("imi.work_item", chain["item"]["id"]))
    pending = await shown(api, chain["traces"][0], "decision", decision)
    assert (pending["title"], pending["status"]) == (None, None)
    earlier = datetime.now(UTC) - timedelta(hours=1)
    superseded_by = uuid.uuid4()
    await publish(
        bus,
        "mimir.decision.superseded",
        {
            "decision_id": str(decision),
            "statement": "Newest",
            "superseded_by_id": str(superseded_by),
        },
    )
    await shown(api, chain["traces"][0], "decision", decision, status="superseded")
    await publish(
        bus,
        "mimir.decision.recorded",
        {"decision_id": str(decision), "statement": "Oldest", "rationale": "r", "status": "active"},
        at=earlier,
    )
    found = await shown(api, chain["traces"][0], "decision", decision, rationale="r")
    assert (found["title"], found["status"]) == ("Newest", "superseded")
    assert found["superseded_by_id"] == str(superseded_by)


async def test_duplicate_event_has_one_effect(
    api: httpx.AsyncClient, bus: Bus, chain: dict[str, Any]
) -> None:
    decision, event_id = uuid.uuid4(), uuid.uuid4()
    payload = {"decision_id": str(decision), "rationale": "r", "status": "active"}
    await publish(
        bus, "mimir.decision.recorded", {**payload, "statement": "First"}, event_id=event_id
    )
    await relate(bus, ("decision", decision), ("imi.work_item", chain["item"]["id"]))
    await shown(api, chain["traces"][0], "decision", decision, title="First")
    later = datetime.now(UTC) + timedelta(minutes=1)
    await publish(
        bus,
        "mimir.decision.recorded",
        {**payload, "statement": "Again"},
        event_id=event_id,
        at=later,
    )
    await relate(bus, ("decision", decision), ("imi.pr", chain["pr"]["id"]))

    async def both_relations() -> dict[str, Any] | None:
        found = entity(await trace(api, chain["traces"][0]), "decision", decision)
        return found if found and len(found["relations"]) == 2 else None

    found = await eventually(both_relations)
    assert found["title"] == "First"


async def test_malformed_payload_is_dead_lettered_and_consumer_keeps_going(
    api: httpx.AsyncClient, bus: Bus, chain: dict[str, Any]
) -> None:
    before = await bus.dead_letters(QUEUE)
    await bus.publish("mimir.decision.recorded", {"decision_id": "not-a-uuid"})
    await bus.publish_raw("mimir.relation.created", b"{not json")
    await bus.dead_lettered(QUEUE, before + 2)
    decision = await record(bus, "Still consuming")
    await relate(bus, ("decision", decision), ("imi.work_item", chain["item"]["id"]))
    await shown(api, chain["traces"][0], "decision", decision, title="Still consuming")


async def test_commands_and_mimir_only_relations_have_no_effect(
    bus: Bus, database: Database
) -> None:
    before = await bus.dead_letters(QUEUE)
    await bus.publish("mimir.cmd.capture_artifact", {"content": "not for imi"})
    decision, artifact, relation_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    event_id = await publish(
        bus,
        "mimir.relation.created",
        relation(relation_id, ("decision", decision), ("artifact", artifact)),
    )
    await consumed(database, event_id)
    commands = "SELECT count(*) FROM imi.inbox WHERE event_type LIKE 'mimir.cmd.%%'"
    relations = "SELECT count(*) FROM imi.mimir_relations WHERE relation_id = %(r)s"
    entities = "SELECT count(*) FROM imi.mimir_entities WHERE id IN (%(d)s, %(a)s)"
    assert count(database, commands) == 0
    assert count(database, relations, r=relation_id) == 0
    assert count(database, entities, d=decision, a=artifact) == 0
    assert await bus.dead_letters(QUEUE) == before
