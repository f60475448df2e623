"""MCP at /mcp on both services, driven by the SDK's own client over HTTP, as an agent would."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from harness import ServiceProcess
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

KEY = "an-mcp-test-key-long-enough"
PROVENANCE = {"X-Provenance-Model": "claude-test", "X-Provenance-Pipeline": "agent@3"}
MIMIR_TOOLS = {
    "capture",
    "search_text",
    "search_semantic",
    "search_hybrid",
    "add_version",
    "record_decision",
    "activate_decision",
    "supersede_decision",
    "decision_chain",
    "propose_intent",
    "decide_intent",
    "get_artifact",
    "get_span",
    "relate",
}
IMI_TOOLS = {
    "list_projects",
    "register_project",
    "start_work",
    "list_work",
    "complete_work",
    "update_git_state",
    "link_ticket",
    "link_pr",
    "set_pr_state",
    "record_deploy",
    "trace",
    "stats",
}


LOADED_MCP_MODULES = """
import sys
from imi.main import create_app as imi_app
from imi.settings import ImiSettings
from mimir.main import create_app as mimir_app
from mimir.settings import MimirSettings
secrets = {"db_password": "x" * 16, "broker_password": "x" * 16}
imi_app(ImiSettings(**secrets))
mimir_app(MimirSettings(**secrets))
print(sorted(name for name in sys.modules if name.split(".")[0] == "mcp"))
"""


IMI_MODULES = """
import sys
from imi.main import create_app
from imi.settings import ImiSettings
create_app(ImiSettings(db_password="x" * 16, broker_password="x" * 16))
print(sorted(name for name in sys.modules if name.split(".")[0] == "httpx"))
"""


def test_an_imi_worker_loads_no_http_client() -> None:
    """httpx serves the topology step and the MCP bridge only (4 MB of imi's idle RSS)."""
    run = subprocess.run([sys.executable, "-c", IMI_MODULES], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_building_either_app_leaves_the_mcp_sdk_unloaded() -> None:
    """The SDK (about 26 MB of a worker) is imported on the first request to /mcp; the tests
    below show that request answered."""
    run = subprocess.run(
        [sys.executable, "-c", LOADED_MCP_MODULES], capture_output=True, text=True, check=True
    )
    assert run.stdout.strip().splitlines()[-1] == "[]"


def keyed_process(service: str, env: dict[str, str], logs: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess(service, {**env, f"{service.upper()}_API_KEY": KEY}, logs)
    yield process.start()
    process.stop()


@pytest.fixture(scope="module")
def mimir_mcp(mimir_env: dict[str, str], logs_dir: Path) -> Iterator[ServiceProcess]:
    yield from keyed_process("mimir", mimir_env, logs_dir / "mimir-mcp.log")


@pytest.fixture(scope="module")
def imi_mcp(imi_env: dict[str, str], logs_dir: Path) -> Iterator[ServiceProcess]:
    yield from keyed_process("imi", imi_env, logs_dir / "imi-mcp.log")


@asynccontextmanager
async def agent(process: ServiceProcess, headers: dict[str, str]) -> AsyncIterator[Client]:
    """The SDK's client on the service's /mcp, with the headers an agent's configuration sets."""
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        transport = streamable_http_client(f"{process.url}/mcp", http_client=http)
        async with Client(transport) as client:
            yield client


def result(call: Any) -> dict[str, Any]:
    """A tool's answer: structured content, and the same as text a model can read."""
    assert not call.is_error, call.content
    text = json.loads(call.content[0].text)
    assert call.structured_content in (text, {"result": text})
    return dict(text)


async def test_an_agent_captures_then_finds_the_passage(mimir_mcp: ServiceProcess) -> None:
    marker = f"quorum{uuid.uuid4().hex[:8]}"
    async with agent(mimir_mcp, {"Authorization": f"Bearer {KEY}"}) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == MIMIR_TOOLS
        assert "artifact" in tools["capture"].input_schema["properties"]
        assert all(tool.description for tool in tools.values())
        captured = result(
            await client.call_tool(
                "capture",
                {
                    "artifact": {
                        "artifact_type": "note",
                        "content": f"We chose {marker} queues for every consumer.",
                        "source": "mcp-test",
                    }
                },
            )
        )
        found = result(
            await client.call_tool(
                "search_text", {"search": {"query": marker, "filters": {"source": ["mcp-test"]}}}
            )
        )
        assert [hit["artifact_id"] for hit in found["hits"]] == [captured["id"]]
        async with agent(mimir_mcp, {"X-API-Key": KEY, **PROVENANCE}) as model:
            decision = {"statement": f"Use {marker} queues", "rationale": "they survive restarts"}
            recorded = result(await model.call_tool("record_decision", {"decision": decision}))
        async with httpx.AsyncClient(base_url=mimir_mcp.url, headers={"X-API-Key": KEY}) as rest:
            made = (await rest.get(f"/api/v1/provenance/decision/{recorded['id']}")).json()
        assert [(row["model_id"], row["pipeline_version"]) for row in made] == [
            ("claude-test", "agent@3")
        ]  # the agent's provenance headers reach the REST call its tool makes
        refused = await client.call_tool("get_artifact", {"artifact_id": str(uuid.uuid4())})
        assert refused.is_error
        assert "404 NOT_FOUND" in refused.content[0].text


async def test_an_agent_registers_starts_work_and_traces_the_ticket(
    imi_mcp: ServiceProcess,
) -> None:
    ticket = f"MCP-{uuid.uuid4().int % 100000}"
    async with agent(imi_mcp, {"X-API-Key": KEY}) as client:
        assert {tool.name for tool in (await client.list_tools()).tools} == IMI_TOOLS
        remote = f"git@example.com:team/mcp-{uuid.uuid4().hex[:8]}.git"
        project = result(
            await client.call_tool(
                "register_project", {"project": {"name": "mcp", "remote_origin": remote}}
            )
        )
        work = result(
            await client.call_tool(
                "start_work",
                {
                    "work": {
                        "project_id": project["id"],
                        "branch_name": f"feature/{ticket}-queues",
                        "work_type": "feature",
                    }
                },
            )
        )
        traced = result(await client.call_tool("trace", {"ref": ticket}))
        assert work["id"] in json.dumps(traced)
        commit = uuid.uuid4().hex
        deploy_id = f"ci-run-{uuid.uuid4().hex[:6]}"  # detection reads no CI deploy id: `kind`
        deploy = {"work_item_id": work["id"], "environment": "staging", "commit_hash": commit}
        async with httpx.AsyncClient(base_url=imi_mcp.url, headers={"X-API-Key": KEY}) as rest:
            linked = await rest.post(
                "/api/v1/links/deploy", json={**deploy, "deploy_id": deploy_id}
            )
            assert linked.status_code == 201, linked.text
        shipped = result(await client.call_tool("trace", {"ref": deploy_id, "kind": "deploy"}))
        assert (shipped["kind"], shipped["work_items"][0]["id"]) == ("deploy", work["id"])
        for ref in ("../stats", "../projects?limit=1", f"{ticket}?x=1", "\u0000"):
            elsewhere = await client.call_tool("trace", {"ref": ref})  # stays a reference
            assert elsewhere.is_error, (ref, elsewhere.content)
            text = elsewhere.content[0].text
            assert ": 400 " in text or ": 404 NOT_FOUND" in text, (ref, text)


async def test_an_agent_keeps_versions_decisions_and_intents(mimir_mcp: ServiceProcess) -> None:
    marker = uuid.uuid4().hex[:8]
    async with agent(mimir_mcp, {"X-API-Key": KEY}) as client:

        async def call(tool: str, **arguments: Any) -> dict[str, Any]:
            return result(await client.call_tool(tool, arguments))

        note = {"artifact_type": "note", "content": f"Draft {marker}", "source": marker}
        captured = await call("capture", artifact=note)
        edited = await call(
            "add_version", artifact_id=captured["id"], version={"content": f"Final {marker}"}
        )
        assert edited["version_number"] == 2
        first = await call(
            "record_decision", decision={"statement": f"{marker} v1", "rationale": "r"}
        )
        assert first["status"] == "tentative"
        assert (await call("activate_decision", decision_id=first["id"]))["status"] == "active"
        second = await call(
            "record_decision", decision={"statement": f"{marker} v2", "rationale": "r"}
        )
        replaced = await call(
            "supersede_decision", decision_id=first["id"], superseded_by_id=second["id"]
        )
        assert replaced["superseded_by_id"] == second["id"]
        intent = await call(
            "propose_intent", intent={"statement": f"Ship {marker}", "proposed_by": "agent"}
        )
        assert intent["status"] == "proposed"
        accepted = await call(
            "decide_intent", intent_id=intent["id"], decision={"status": "accepted"}
        )
        assert accepted["status"] == "accepted"
        again = await client.call_tool(
            "decide_intent", {"intent_id": intent["id"], "decision": {"status": "rejected"}}
        )
        assert again.is_error
        assert "409 INVALID_TRANSITION" in again.content[0].text


async def test_an_agent_merges_deploys_and_completes_work(imi_mcp: ServiceProcess) -> None:
    async with agent(imi_mcp, {"X-API-Key": KEY}) as client:

        async def call(tool: str, **arguments: Any) -> dict[str, Any]:
            return result(await client.call_tool(tool, arguments))

        remote = f"git@example.com:team/flow-{uuid.uuid4().hex[:8]}.git"
        project = await call("register_project", project={"name": "flow", "remote_origin": remote})
        branches = ("feature/merged", "feature/dropped")
        for branch in branches:
            await call("start_work", work={"project_id": project["id"], "branch_name": branch})
        listed = await call(
            "list_work", filters={"project_id": project["id"], "branch_name": branches[0]}
        )
        [merged] = listed["items"]
        pr = await call("link_pr", link={"work_item_id": merged["id"], "pr_number": 3})
        merge = uuid.uuid4().hex[:12]
        change = {"pr_state": "merged", "merge_commit_hash": merge}
        assert (await call("set_pr_state", pr_link_id=pr["id"], change=change))[
            "pr_state"
        ] == "merged"
        deploy = {"environment": "production", "commit_hash": merge, "deploy_id": "ci-7"}
        assert (await call("record_deploy", deploy=deploy))["work_item_id"] == merged["id"]
        active = await call("list_work", filters={"project_id": project["id"], "active": True})
        [dropped] = active["items"]
        done = await call(
            "complete_work", work_item_id=dropped["id"], completion={"completion_type": "abandoned"}
        )
        assert done["status"] == "abandoned"
        assert (await call("list_work", filters={"project_id": project["id"], "active": True}))[
            "items"
        ] == []


@pytest.mark.parametrize("service", ["imi", "mimir"])
def test_mcp_without_the_key_is_refused(
    service: str, imi_mcp: ServiceProcess, mimir_mcp: ServiceProcess
) -> None:
    process = imi_mcp if service == "imi" else mimir_mcp
    for headers in ({}, {"X-API-Key": "wrong-key-of-some-length"}):
        answer = httpx.post(
            f"{process.url}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={**headers, "Accept": "application/json, text/event-stream"},
        )
        assert answer.status_code == 401
        assert answer.json()["detail"]["code"] == "UNAUTHORIZED"


def test_a_forwarded_header_that_is_not_ascii_reaches_the_api_as_sent(
    imi_mcp: ServiceProcess,
) -> None:
    """HTTP headers are bytes; one that is not ASCII made every tool call fail unexplained."""
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "list_projects", "arguments": {"limit": 1}},
    }
    answer = httpx.post(
        f"{imi_mcp.url}/mcp",
        json=call,
        headers=[
            (b"X-API-Key", KEY.encode()),
            (b"Accept", b"application/json, text/event-stream"),
            (b"X-Provenance-Model", "m\u00f6del".encode("latin-1")),
            (b"X-Request-ID", "caf\u00e9-run".encode()),
        ],
    )
    assert answer.status_code == 200
    assert not answer.json()["result"]["isError"], answer.json()
