"""mimir's tools for agents at `/mcp`: capture, search, decisions, relations, reads.

Every tool is one call of mimir's REST API (`envelope.RestBridge`), with the REST request
models as input schemas; descriptions are written for the model that picks the tool.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mcp.server.mcpserver import MCPServer

from envelope import RestBridge
from mimir import __version__
from mimir.artifacts.schemas import ArtifactCreate, VersionCreate
from mimir.decisions.schemas import DecisionCreate
from mimir.intents.schemas import IntentCreate, IntentUpdate
from mimir.relations.schemas import RelationCreate
from mimir.search.schemas import HybridSearch, SemanticSearch, TextSearch

INSTRUCTIONS = """mimir is the team's durable memory: conversations, documents and notes
(artifacts, versioned), the decisions taken and the intents behind the work, linked by typed
relations. Capture what should be remembered; search before answering "what did we say or
decide about X?" and quote the passages it returns; record a decision when one is taken."""


def mcp_server(rest: RestBridge) -> MCPServer:
    server = MCPServer("mimir", version=__version__, instructions=INSTRUCTIONS)

    @server.tool()
    async def capture(artifact: ArtifactCreate) -> dict[str, Any]:
        """Store a conversation, document or note in memory, so it can be searched later.

        Use it for anything worth remembering: a design discussion, a spec, a meeting note.
        `source` and `external_id` say where it came from (search and list filters take
        `source`); with an `external_id` the same capture again returns the stored artifact,
        and other content for it is an error naming it (use `add_version`). Without one each
        capture is a new artifact.
        Returns the artifact with its first version; it becomes searchable by meaning within
        seconds (the words at once)."""
        return dict(await rest.call("POST", "/artifacts", body=artifact))

    @server.tool()
    async def add_version(artifact_id: UUID, version: VersionCreate) -> dict[str, Any]:
        """Store the new full content of an artifact captured before (a document edited, a
        conversation that went on) as its next version; searches see the newest version by
        default. Content identical to a version it has returns that version."""
        path = f"/artifacts/{artifact_id}/versions"
        return dict(await rest.call("POST", path, body=version))

    @server.tool()
    async def search_text(search: TextSearch) -> dict[str, Any]:
        """Find stored text by its words (BM25 ranking, "quoted phrases", -exclusions, OR).

        Best for names, identifiers and exact terms. Returns ranked hits with their best
        passages (character offsets into the artifact version) and, with `budget_chars`,
        a `context` of the best passages that fits the budget."""
        return dict(await rest.call("POST", "/search/text", body=search))

    @server.tool()
    async def search_semantic(search: SemanticSearch) -> dict[str, Any]:
        """Find stored text by meaning (embeddings), even when the words differ.

        Best for questions phrased unlike the text that answers them. Returns ranked hits with
        passages, like search_text. For "what did we decide about X?", search decisions:
        `target_types: ["decision"]` (or with "chunk" and "intent" for all at once)."""
        return dict(await rest.call("POST", "/search/semantic", body=search))

    @server.tool()
    async def search_hybrid(search: HybridSearch) -> dict[str, Any]:
        """Find stored text by words and meaning at once; the default choice for a question
        like "what did we say about retries?". Returns ranked hits with passages and, with
        `budget_chars`, a `context` ready to quote. `target_types` picks what is searched:
        "chunk" (stored text, the default), "decision", "intent"; each hit names its kind."""
        return dict(await rest.call("POST", "/search/hybrid", body=search))

    @server.tool()
    async def record_decision(decision: DecisionCreate) -> dict[str, Any]:
        """Record a decision the team took: its statement, rationale and status.

        Use it when a choice is made ("we use quorum queues"), so later questions can find
        it. Returns the stored decision with its id."""
        return dict(await rest.call("POST", "/decisions", body=decision))

    @server.tool()
    async def activate_decision(decision_id: UUID) -> dict[str, Any]:
        """Make a tentative decision active: record_decision stores a decision tentative
        unless told otherwise, and only an active one can be superseded. Returns the
        updated decision."""
        body = {"status": "active"}
        return dict(await rest.call("PATCH", f"/decisions/{decision_id}", body=body))

    @server.tool()
    async def supersede_decision(decision_id: UUID, superseded_by_id: UUID) -> dict[str, Any]:
        """Mark decision `decision_id` as replaced by the newer decision `superseded_by_id`
        (record the newer one first). Only an active decision can be superseded; the answer
        is the updated decision."""
        body = {"status": "superseded", "superseded_by_id": str(superseded_by_id)}
        return dict(await rest.call("PATCH", f"/decisions/{decision_id}", body=body))

    @server.tool()
    async def propose_intent(intent: IntentCreate) -> dict[str, Any]:
        """Capture an intent: what someone wants the work to achieve ("retry failed payments
        twice"), proposed by a person or a model, optionally filed in an intent group. It
        starts proposed; accept or reject it with decide_intent. Returns the intent."""
        return dict(await rest.call("POST", "/intents", body=intent))

    @server.tool()
    async def decide_intent(intent_id: UUID, decision: IntentUpdate) -> dict[str, Any]:
        """Accept or reject a proposed intent (`status`: accepted or rejected); a decided
        intent cannot change again. Returns the intent."""
        return dict(await rest.call("PATCH", f"/intents/{intent_id}", body=decision))

    @server.tool()
    async def decision_chain(decision_id: UUID) -> Any:
        """The history of a decision: the decisions it replaced and those that replaced it,
        oldest first. Use it to explain how a choice evolved."""
        return await rest.call("GET", f"/decisions/{decision_id}/chain")

    @server.tool()
    async def get_artifact(artifact_id: UUID) -> dict[str, Any]:
        """One artifact with its versions (content included), by id."""
        return dict(await rest.call("GET", f"/artifacts/{artifact_id}"))

    @server.tool()
    async def get_span(span_id: UUID) -> dict[str, Any]:
        """One span (a character range of an artifact version, e.g. a search passage) and
        its text, by id."""
        return dict(await rest.call("GET", f"/spans/{span_id}"))

    @server.tool()
    async def relate(relation: RelationCreate) -> dict[str, Any]:
        """Link two things with a typed relation (e.g. a decision `derived_from` an artifact,
        an intent `implements` an imi work item). Ids of things mimir has not seen yet (imi's)
        are accepted and resolved when they arrive. Returns the relation."""
        return dict(await rest.call("POST", "/relations", body=relation))

    return server
