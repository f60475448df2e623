"""The whole story against running services: ticket → work → push → PR → deploy → decision.

`make demo` runs it against `make run`'s services and prints imi's trace as a tree;
`tests/e2e` runs it against service processes with `--json` and checks every step.
Each step publishes what an outside system would (Plane, git host, CI) or calls a REST API,
then waits (bounded) for its effect, so a failure names the step that did not happen.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
import httpx

from envelope import EXCHANGE, EventEnvelope, create_envelope, request_id_to_uuid, service_source

Json = dict[str, Any]


class StoryFailed(RuntimeError):
    pass


class Story:
    def __init__(self, imi_url: str, mimir_url: str, amqp_url: str, ticket: str) -> None:
        self.story_id = uuid.uuid4()
        self.ticket = ticket
        headers = {"X-Request-ID": str(self.story_id)}
        self.imi = httpx.AsyncClient(
            base_url=imi_url,
            timeout=30,
            headers={**headers, "X-API-Key": os.environ.get("IMI_API_KEY", "")},
        )
        self.mimir = httpx.AsyncClient(
            base_url=mimir_url,
            timeout=30,
            headers={**headers, "X-API-Key": os.environ.get("MIMIR_API_KEY", "")},
        )
        self.amqp_url = amqp_url
        self.steps: list[Json] = []
        self.started = time.monotonic()

    async def call(self, client: httpx.AsyncClient, method: str, path: str, **kw: Any) -> Json:
        response = await client.request(method, path, **kw)
        if response.status_code >= 400:
            raise StoryFailed(f"{method} {path} → {response.status_code} {response.text[:300]}")
        return response.json()  # type: ignore[no-any-return]

    async def publish(self, event_type: str, payload: Json, source: str) -> EventEnvelope[Any]:
        envelope = create_envelope(
            event_type, payload, source=service_source(source), correlation_ids=[self.story_id]
        )
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await channel.get_exchange(EXCHANGE)
            message = aio_pika.Message(
                envelope.to_json(),
                message_id=str(envelope.event_id),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await exchange.publish(message, routing_key=event_type, mandatory=True)
        return envelope

    async def until(
        self, what: str, probe: Callable[[], Awaitable[Any]], within: float = 20
    ) -> Any:
        """Wait for `probe()` to return something truthy; record the step and how long it took."""
        began = time.monotonic()
        while True:
            result = await probe()
            if result:
                self.steps.append({"step": what, "seconds": round(time.monotonic() - began, 3)})
                print(f"  ✓ {what} ({time.monotonic() - began:.2f} s)", file=sys.stderr)
                return result
            if time.monotonic() - began > within:
                raise StoryFailed(f"step did not happen within {within} s: {what}")
            await asyncio.sleep(0.1)

    async def work_item(self, work_id: str) -> Json:
        return await self.call(self.imi, "GET", f"/api/v1/work/{work_id}")

    async def trace(self) -> Json:
        return await self.call(self.imi, "GET", f"/api/v1/trace/ticket/{self.ticket}")

    async def run(self) -> Json:
        suffix = uuid.uuid4().hex[:8]
        remote = f"git@example.invalid:demo/login-{suffix}.git"
        branch = f"feat/{self.ticket}-login"
        project = await self.call(
            self.imi,
            "POST",
            "/api/v1/projects",
            json={
                "name": f"login-{suffix}",
                "remote_origin": remote,
                "default_branch": "main",
            },
        )
        await self.until("imi: project registered", lambda: _value(project["id"]))
        work = await self.call(
            self.imi,
            "POST",
            "/api/v1/work",
            json={
                "project_id": project["id"],
                "branch": branch,
                "work_type": "feature",
                "source": {"type": "manual"},
                "owner_id": "agent-7",
            },
        )
        await self.until(f"imi: work started on {branch}", lambda: _value(work["id"]))

        await self.publish(
            "plane.ticket.updated",
            {
                "ticket_id": self.ticket,
                "title": "Login page",
                "status": "In Progress",
                "url": f"https://plane.example.invalid/{self.ticket}",
            },
            "plane",
        )

        async def ticket_linked() -> bool:
            links = [t for w in (await self.trace())["work_items"] for t in w["ticket_links"]]
            return any(link.get("ticket_title") == "Login page" for link in links)

        await self.until(f"plane: {self.ticket} linked to the work item", ticket_linked)

        commit, merge = uuid.uuid4().hex[:12], uuid.uuid4().hex[:12]
        await self.publish(
            "git.push",
            {
                "remote_url": remote,
                "branch": branch,
                "ahead_of_trunk": 1,
                "behind_trunk": 0,
                "commits": [{"hash": commit, "message": f"{self.ticket}: login form"}],
            },
            "git",
        )
        await self.until("git: push makes the work item ahead", lambda: self._status(work, "ahead"))

        pr = {
            "remote_url": remote,
            "number": 42,
            "title": f"{self.ticket} Login page",
            "head_branch": branch,
            "base_branch": "main",
            "url": "https://git.example.invalid/demo/pull/42",
        }
        await self.publish("git.pr.opened", pr, "git")
        await self.until("git: PR #42 opened", lambda: self._pr_state(work, "open"))
        await self.publish("git.pr.merged", {**pr, "merge_commit_hash": merge}, "git")
        await self.until(
            "git: PR #42 merged, work item merged", lambda: self._status(work, "merged")
        )

        await self.publish(
            "ci.deploy.succeeded",
            {
                "deploy_id": f"deploy-{suffix}",
                "environment": "production",
                "commit_hash": merge,
                "status": "succeeded",
                "remote_url": remote,
            },
            "ci",
        )

        async def deployed() -> bool:
            item = (await self.trace())["work_items"]
            return any(d["environment"] == "production" for w in item for d in w["deploy_links"])

        await self.until("ci: deploy to production linked", deployed)

        conversation = await self.call(
            self.mimir,
            "POST",
            "/api/v1/artifacts",
            json={
                "artifact_type": "conversation",
                "source": "design-review",
                "external_id": f"{self.ticket}-design",
                "metadata": {"ticket": self.ticket, "project_id": project["id"]},
                "content": (
                    "Dev: How should the login page keep users signed in?\n"
                    "Lead: Use short-lived signed session cookies, refreshed on activity.\n"
                    "Dev: And remember-me?\n"
                    "Lead: A separate 30-day token, revocable per device."
                ),
            },
        )
        decision = await self.call(
            self.mimir,
            "POST",
            "/api/v1/decisions",
            json={
                "statement": "Sessions use short-lived signed cookies;"
                " remember-me is a revocable token",
                "rationale": "Agreed in the login design review",
                "status": "active",
            },
        )
        for relation in (
            {
                "source_type": "decision",
                "source_id": decision["id"],
                "relation_type": "explains",
                "target_type": "imi.work_item",
                "target_id": work["id"],
            },
            {
                "source_type": "decision",
                "source_id": decision["id"],
                "relation_type": "derived_from",
                "target_type": "artifact",
                "target_id": conversation["id"],
            },
        ):
            await self.call(self.mimir, "POST", "/api/v1/relations", json=relation)
        await self.until(
            "mimir: design conversation and decision captured", lambda: _value(decision["id"])
        )

        async def decision_in_trace() -> Json | None:
            trace = await self.trace()
            return trace if any(d["id"] == decision["id"] for d in trace["decisions"]) else None

        trace = await self.until(
            f"imi: trace of {self.ticket} shows the decision", decision_in_trace
        )
        correlation = await self.correlation()
        return {
            "story_id": str(self.story_id),
            "ticket": self.ticket,
            "project": project,
            "work_item": work,
            "decision": decision,
            "artifact": conversation,
            "trace": trace,
            "correlation": correlation,
            "steps": self.steps,
            "seconds": round(time.monotonic() - self.started, 3),
        }

    async def correlation(self) -> Json:
        """Every event the story caused, in each service, found by the story's one id."""
        out: Json = {}
        for name, client in (("imi", self.imi), ("mimir", self.mimir)):
            response = await client.get(f"/api/v1/events/{request_id_to_uuid(str(self.story_id))}")
            out[name] = [e["event_type"] for e in response.json().get("caused", [])]
        return out

    async def _status(self, work: Json, status: str) -> bool:
        return bool((await self.work_item(work["id"]))["status"] == status)

    async def _pr_state(self, work: Json, state: str) -> bool:
        items = (await self.trace())["work_items"]
        return any(
            p["pr_state"] == state for w in items for p in w["pr_links"] if w["id"] == work["id"]
        )

    async def close(self) -> None:
        await self.imi.aclose()
        await self.mimir.aclose()


async def _value(value: Any) -> Any:
    return value


def render(result: Json) -> str:
    """imi's trace as a tree, with the correlation chain under it."""
    trace = result["trace"]
    lines = [f"{result['ticket']}  (trace from imi, story {result['story_id']})"]
    for item in trace["work_items"]:
        title = next((t["ticket_title"] for t in item["ticket_links"] if t["ticket_title"]), "")
        lines.append(f"└── ticket {result['ticket']} {title}")
        lines.append(f"    └── work {item['branch_name']} [{item['work_type']}, {item['status']}]")
        for pr in item["pr_links"]:
            lines.append(
                f"        ├── PR #{pr['pr_number']} {pr['pr_title'] or ''} [{pr['pr_state']}]"
            )
        for deploy in item["deploy_links"]:
            lines.append(
                f"        ├── deploy {deploy['environment']} @ {deploy['commit_hash'][:10]}"
            )
        for decision in trace["decisions"]:
            why = ", ".join(r["relation_type"] for r in decision["relations"])
            lines.append(
                f'        └── decision "{decision["title"]}" [{decision["status"]}] ({why})'
            )
    for service, events in result["correlation"].items():
        lines.append(f"correlation {result['story_id']} in {service}: {', '.join(events)}")
    lines.append(f"story took {result['seconds']:.2f} s")
    return "\n".join(lines)


def amqp_url_from_env() -> str:
    base = os.environ.get("BLOODBANK_URL", "amqp://127.0.0.1:5672/")
    user = os.environ.get("BLOODBANK_USER", "bloodbank")
    password = os.environ.get("BLOODBANK_PASSWORD", "")
    scheme, rest = base.split("://", 1)
    return f"{scheme}://{user}:{password}@{rest}"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--imi", default=os.environ.get("IMI_URL", "http://127.0.0.1:8400"))
    parser.add_argument("--mimir", default=os.environ.get("MIMIR_URL", "http://127.0.0.1:38000"))
    parser.add_argument("--ticket", default=f"PROJ-{uuid.uuid4().int % 9000 + 1000}")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    story = Story(args.imi, args.mimir, amqp_url_from_env(), args.ticket)
    try:
        result = await story.run()
    except (StoryFailed, httpx.HTTPError, aio_pika.exceptions.AMQPError, OSError) as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    finally:
        await story.close()
    print(json.dumps({**result, "tree": render(result)}, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
