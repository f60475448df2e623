"""The /api/v1 tree: every domain router and the tags, in reading order."""

from __future__ import annotations

from typing import Any

from mimir.artifacts.router import router as artifacts
from mimir.decisions.router import router as decisions
from mimir.embedding.router import router as embedding_spaces
from mimir.external.router import router as external
from mimir.intents.router import router as intents
from mimir.provenance.router import router as provenance
from mimir.relations.router import router as relations
from mimir.search.router import router as search
from mimir.spans.router import router as spans

TAGS: list[dict[str, Any]] = [
    {
        "name": "artifacts",
        "description": "Conversations, documents and notes with append-only, deduplicated "
        "versions. New versions are chunked and embedded in the background.",
    },
    {
        "name": "intents",
        "description": "Intents proposed by people or models, accepted or rejected, and "
        "the groups that collect them.",
    },
    {
        "name": "decisions",
        "description": "Decisions with rationale: tentative, active, superseded by a named "
        "successor, with the supersession chain.",
    },
    {"name": "spans", "description": "Character ranges of an artifact version, quoted."},
    {
        "name": "relations",
        "description": "Typed relations between any entities, including external ones "
        "(imi.project, imi.work_item, ...), with multi-hop traversal.",
    },
    {
        "name": "search",
        "description": "Full-text, semantic and hybrid search over chunks, and the "
        "embedding spaces behind semantic search.",
    },
    {
        "name": "external",
        "description": "imi's projects, work items, PRs, deploys and tickets, as mimir "
        "learns them from imi's events.",
    },
    {"name": "provenance", "description": "Which model, prompt and pipeline produced what."},
    {"name": "events", "description": "What mimir did with an event: emitted, consumed, caused."},
    {"name": "health", "description": "Liveness and dependencies; no API key needed."},
]


ROUTERS = (
    artifacts,
    intents,
    decisions,
    spans,
    relations,
    search,
    embedding_spaces,
    external,
    provenance,
)
