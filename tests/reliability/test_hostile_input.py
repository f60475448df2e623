"""Hostile input over the bus and in queries: refused or harmless, and the services go on."""

from __future__ import annotations

import json
import uuid

import aio_pika
import httpx
import pytest
from harness import Broker, Database, ServiceProcess, eventually, publish, rabbitmqctl, scalar

from envelope import EXCHANGE, create_envelope, service_source
from envelope.limits import MAX_JSON_DEPTH

pytestmark = pytest.mark.e2e

INJECTIONS = [
    "'; DROP TABLE mimir.artifacts; --",
    "x' OR '1'='1",
    '") UNION SELECT password FROM pg_shadow --',
    "%' AND pg_sleep(5) IS NULL --",
]


async def dead_letters(broker: Broker, queue: str) -> int:
    out = rabbitmqctl("list_queues", "-p", broker.vhost, "name", "messages")
    counts = dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)
    return int(counts.get(f"{queue}.dlq", "0"))


FITTING = {  # a payload each queue would apply
    "git.push": {"remote_url": "git@example.invalid:h/none.git", "branch": "main"},
    "imi.project.registered": {
        "project_id": str(uuid.uuid4()),
        "name": "hostile",
        "remote_origin": "git@example.invalid:h/hostile.git",
        "default_branch": "main",
    },
}


@pytest.mark.parametrize(
    ("queue", "routing_key", "other_key"),
    [
        ("imi.git_events", "git.push", "git.pr.opened"),
        ("mimir.imi_events", "imi.project.registered", "imi.project.updated"),
    ],
)
async def test_oversized_and_wrongly_typed_messages_are_dead_lettered(
    imi_process: ServiceProcess,
    mimir_process: ServiceProcess,
    broker: Broker,
    database: Database,
    queue: str,
    routing_key: str,
    other_key: str,
) -> None:
    before = await dead_letters(broker, queue)
    huge = json.dumps({"event_type": routing_key, "payload": "x" * (1024 * 1024 + 1)}).encode()
    wrong = create_envelope(
        "git.push", {"remote_url": "r", "branch": "b"}, source=service_source("t")
    ).model_dump(mode="json")
    wrong["event_type"] = routing_key
    wrong["payload"] = {"remote_url": ["not", "a", "string"], "project_id": 42}
    fitting = create_envelope(routing_key, FITTING[routing_key], source=service_source("t"))
    fits = fitting.model_dump(mode="json")
    nameless = {key: value for key, value in fits.items() if key != "event_id"}
    bodies = [
        (huge, routing_key),
        (json.dumps(wrong).encode(), routing_key),
        (b"\x00\x01 not json", routing_key),
        (b'{"payload": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", routing_key),  # too deep
        (json.dumps(nameless).encode(), routing_key),  # each copy would be a new event
        (json.dumps({**fits, "version": "2.0.0"}).encode(), routing_key),
        (json.dumps(fits).encode(), other_key),  # its event_type is not its routing key
    ]
    connection = await aio_pika.connect(broker.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(EXCHANGE)
        for body, key in bodies:
            await exchange.publish(aio_pika.Message(body), routing_key=key)

    async def dead() -> bool:
        return await dead_letters(broker, queue) == before + len(bodies)

    await eventually(dead, timeout=30)
    name = f"after-{uuid.uuid4().hex[:8]}"
    remote = f"git@example.invalid:h/{name}.git"
    async with httpx.AsyncClient(base_url=imi_process.url) as imi:
        assert (
            await imi.post("/api/v1/projects", json={"name": name, "remote_origin": remote})
        ).status_code == 201
    good = create_envelope(
        "imi.cmd.register_project",
        {"name": name + "-cmd", "remote_origin": remote + "-cmd"},
        source=service_source("t"),
    )
    await publish(broker.amqp_url, good)
    admin = database.admin_conninfo()

    async def still_consuming() -> bool:
        imi_applied = scalar(
            admin, "SELECT count(*) FROM imi.projects WHERE name = %s", name + "-cmd"
        )
        projected = scalar(
            admin, "SELECT count(*) FROM mimir.external_entities WHERE display_name = %s", name
        )
        return bool(imi_applied == 1 and projected == 1)

    await eventually(still_consuming, timeout=30)


async def test_injection_looking_filters_and_queries_change_nothing(
    imi_process: ServiceProcess, mimir_process: ServiceProcess, database: Database
) -> None:
    admin = database.admin_conninfo()
    state = (
        "SELECT concat_ws(',', (SELECT count(*) FROM pg_tables WHERE schemaname IN "
        "('imi', 'mimir')), (SELECT count(*) FROM imi.projects), "
        "(SELECT count(*) FROM mimir.artifacts))"
    )
    before = scalar(admin, state)
    async with (
        httpx.AsyncClient(base_url=imi_process.url, timeout=30) as imi,
        httpx.AsyncClient(base_url=mimir_process.url, timeout=30) as mimir,
    ):
        for text in INJECTIONS:
            exact = [
                await imi.get("/api/v1/projects", params={"remote_origin": text}),
                await mimir.get("/api/v1/artifacts", params={"source__icontains": text}),
                await mimir.get("/api/v1/decisions", params={"statement": text}),
            ]
            for response in exact:
                assert response.status_code == 200, response.text[:300]
                assert response.json()["items"] == [], response.url
            fuzzy = [
                await imi.get("/api/v1/projects", params={"q": text}),
                await imi.get(f"/api/v1/trace/{text}"),
                await mimir.get("/api/v1/artifacts", params={f"{text}__eq": "1"}),
                await mimir.post("/api/v1/search/text", json={"query": text}),
                await mimir.post("/api/v1/search/hybrid", json={"query": text}),
            ]
            for response in fuzzy:
                assert response.status_code in (200, 400, 404, 422), response.text[:300]
    assert scalar(admin, state) == before


async def test_text_holding_a_lone_surrogate_is_refused_and_the_connection_kept(
    imi_process: ServiceProcess, mimir_process: ServiceProcess, database: Database
) -> None:
    """JSON may escape a lone surrogate (`\\ud800`); no UTF-8 column or model can take it.
    Each request is a 4xx in the shared shape, stores nothing, and the client's next request
    on the same connection is answered (a 500 made the server drop the connection)."""
    mark = uuid.uuid4().hex
    bad = "x \\ud800"  # as it appears in the JSON text
    requests = {
        imi_process.url: [
            (
                "/api/v1/projects",
                f'{{"name": "{mark}", "remote_origin": "/srv/{mark}", "description": "{bad}"}}',
            ),
        ],
        mimir_process.url: [
            ("/api/v1/decisions", f'{{"statement": "{mark}", "rationale": "{bad}"}}'),
            ("/api/v1/intents/groups", f'{{"name": "{mark}", "description": "{bad}"}}'),
            ("/api/v1/search/semantic", f'{{"query": "{bad}"}}'),
            ("/api/v1/search/text", f'{{"query": "alpha", "filters": {{"source": ["{bad}"]}}}}'),
            ("/api/v1/embedding-spaces", f'{{"name": "s{mark}", "model": "{bad}"}}'),
        ],
    }
    for url, sent in requests.items():
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            for path, body in sent:
                response = await client.post(
                    path, content=body, headers={"content-type": "application/json"}
                )
                assert response.status_code in (400, 422), (path, response.text[:300])
                assert set(response.json()["detail"]) == {"code", "message", "params"}
                assert (await client.get("/health")).status_code == 200
    stored = (
        "SELECT (SELECT count(*) FROM imi.projects WHERE name = %s)"
        " + (SELECT count(*) FROM mimir.decisions WHERE statement = %s)"
        " + (SELECT count(*) FROM mimir.intent_groups WHERE name = %s)"
    )
    assert scalar(database.admin_conninfo(), stored, mark, mark, mark) == 0


def nested(levels: int) -> str:
    """A JSON object `levels` deep, as text (the encoder stops at a few hundred levels)."""
    return '{"a": ' * (levels - 1) + "{}" + "}" * (levels - 1)


async def test_json_nested_too_deep_is_refused_and_the_connection_kept(
    imi_process: ServiceProcess, mimir_process: ServiceProcess
) -> None:
    """Metadata 300 levels deep passed validation and broke the answer (a 500, which also
    closed the client's connection): free-form JSON nests at most MAX_JSON_DEPTH levels."""
    mark = uuid.uuid4().hex
    async with (
        httpx.AsyncClient(base_url=imi_process.url, timeout=30) as imi,
        httpx.AsyncClient(base_url=mimir_process.url, timeout=30) as mimir,
    ):
        sent = [
            (imi, "/api/v1/projects", {"name": mark, "remote_origin": f"/srv/{mark}"}),
            (mimir, "/api/v1/artifacts", {"artifact_type": "note", "source": mark, "content": "c"}),
            (mimir, "/api/v1/decisions", {"statement": mark, "rationale": "r"}),
        ]
        for client, path, body in sent:
            for levels, status in ((300, 422), (MAX_JSON_DEPTH, 201)):
                text = json.dumps(body)[:-1] + f', "metadata": {nested(levels)}}}'
                response = await client.post(
                    path, content=text, headers={"content-type": "application/json"}
                )
                assert response.status_code == status, (path, levels, response.text[:300])
                assert (await client.get("/health")).status_code == 200
        contains = {"metadata__contains": nested(1000)}
        listed = await mimir.get("/api/v1/artifacts", params=contains)
        assert listed.status_code == 400, listed.text[:300]
        assert (await mimir.get("/health")).status_code == 200
