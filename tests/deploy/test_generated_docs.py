"""Generated documents stay in sync with the code they describe (`make docs` rewrites them)."""

import importlib.util
import json

from harness import ROOT

spec = importlib.util.spec_from_file_location("generate", ROOT / "docs" / "generate.py")
assert spec is not None
assert spec.loader is not None
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)


async def test_every_generated_document_is_up_to_date() -> None:
    files = await generate.documents()
    assert [str(p.relative_to(ROOT)) for p in generate.stale(files)] == []


async def test_the_registry_entries_name_every_queue_and_what_they_bind() -> None:
    files = await generate.documents()
    asyncapi = json.loads(files[ROOT / "docs" / "asyncapi" / "imi.json"])
    assert asyncapi["x-queues"]["imi.git_events"] == [
        "git.pr.closed",
        "git.pr.merged",
        "git.pr.opened",
        "git.push",
    ]
    registry = files[ROOT / "deploy" / "bloodbank" / "registry.yaml"]
    assert "imi.mimir_events:" in registry
    assert "asyncapi: http://127.0.0.1:38000/asyncapi.json" in registry
