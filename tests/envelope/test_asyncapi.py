"""AsyncAPI documents come from the registry: what a service sends and what its queues receive."""

from envelope import asyncapi_document


def test_sends_and_receives_follow_the_registry_and_the_bindings() -> None:
    doc = asyncapi_document(
        service="tests",
        version="9.9.9",
        description="test events",
        subscriptions=[("tests.inbox", ["tool.mutation.#"])],
    )
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["version"] == "9.9.9"
    operations = doc["operations"]
    assert {"send_test_thing_happened", "send_test_thing_other"} <= set(operations)
    receive = operations["receive_tool_mutation_star"]
    assert receive["action"] == "receive"
    assert receive["x-queue"] == "tests.inbox"
    assert doc["channels"]["test_thing_happened"]["address"] == "test.thing.happened"


def test_every_reference_resolves() -> None:
    doc = asyncapi_document(
        service="tests", version="1", description="", subscriptions=[("q", ["test.#"])]
    )

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    for ref in refs(doc):
        target: object = doc
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(target, dict), ref
            assert part in target, ref
            target = target[part]
    payload = doc["components"]["schemas"]["ThingEnvelope"]["properties"]["payload"]
    assert payload == {"$ref": "#/components/schemas/Thing"}
