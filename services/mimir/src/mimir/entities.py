"""Entity type names used by relations and provenance, and the tables behind mimir's own."""

from __future__ import annotations

import re

TABLES = {
    "artifact": "artifacts",
    "artifact_version": "artifact_versions",
    "span": "spans",
    "intent": "intents",
    "intent_group": "intent_groups",
    "decision": "decisions",
    "relation": "relations",
    "embedding_space": "embedding_spaces",
}
EXTERNAL = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
TYPE_DESCRIPTION = (
    "One of mimir's entity types (artifact, artifact_version, span, intent, intent_group, "
    "decision, relation, embedding_space) or an external type namespaced by its service, "
    "e.g. imi.project"
)
