"""Request and response bodies of /api/v1/search."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from envelope.limits import JsonObject
from mimir.artifacts.schemas import ARTIFACT_ID, CONTENT, VERSION_ID, ArtifactType
from mimir.text import Said

END_OFFSET = "End character in the version's content (exclusive)"
PASSAGE_EXAMPLE: dict[str, Any] = {
    "passage_id": "4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e",
    "start_offset": 0,
    "end_offset": 31,
    "text": CONTENT[0:31],
    "metadata": {"speaker": "Dana"},
    "score": 1.74,
}
HIT_EXAMPLE: dict[str, Any] = {
    "target_type": "chunk",
    "target_id": "3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d",
    "span_id": "3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d",
    "artifact_id": ARTIFACT_ID,
    "version_id": VERSION_ID,
    "version_number": 1,
    "artifact_type": "conversation",
    "source": "chatgpt_export",
    "start_offset": 0,
    "end_offset": len(CONTENT),
    "text": CONTENT,
    "metadata": {"speakers": ["Dana", "Sam"], "turns": 2},
    "status": None,
    "score": 2.41,
    "snippet": "Dana: Should we <<retry>> <<payments>>?\nSam: Yes, twice.",
    "distance": None,
    "lexical_rank": 1,
    "semantic_rank": None,
    "passages": [PASSAGE_EXAMPLE],
}
SEMANTIC_HIT_EXAMPLE: dict[str, Any] = {
    **HIT_EXAMPLE,
    "score": 0.77,
    "snippet": None,
    "distance": 0.228,
    "lexical_rank": None,
    "semantic_rank": 1,
}
HYBRID_HIT_EXAMPLE: dict[str, Any] = {
    **SEMANTIC_HIT_EXAMPLE,
    "score": 1.86,
    "snippet": HIT_EXAMPLE["snippet"],
    "lexical_rank": 1,
}


class SearchFilters(BaseModel):
    # A misspelt filter (`artifact_types`) is refused (422), not dropped: dropped, the
    # search would answer from every artifact as if the filter held.
    model_config = ConfigDict(extra="forbid")

    artifact_type: list[ArtifactType] | None = Field(None, description="Any of these types")
    source: list[str] | None = Field(None, description="Any of these sources")
    artifact_id: list[UUID] | None = Field(None, description="Only these artifacts")
    metadata: JsonObject | None = Field(
        None, description="Artifact metadata must contain this JSON object (`@>`)"
    )
    created_after: AwareDatetime | None = Field(
        None, description="Artifact created at or after (with a time zone, as list filters)"
    )
    created_before: AwareDatetime | None = Field(
        None, description="Artifact created before (with a time zone)"
    )
    project_id: UUID | None = Field(
        None,
        description="Only artifacts related (either way) to this imi project, or to an imi "
        "entity (work item, PR, deploy, ticket) of that project",
    )
    latest_only: bool = Field(True, description="Only chunks of each artifact's newest version")


RecordType = Literal["decision", "intent"]  # what `record_embeddings` holds vectors of
TargetType = Literal["chunk", RecordType]


def _chunks() -> list[TargetType]:
    return ["chunk"]


class SearchBase(BaseModel):
    limit: int = Field(10, ge=1, le=100, description="Hits to return")
    target_types: list[TargetType] = Field(
        default_factory=_chunks,
        min_length=1,
        description="What to search: `chunk` (artifact text), `decision` (statement and "
        "rationale), `intent` (statement); several are ranked into one list by score",
    )
    filters: SearchFilters = Field(
        default_factory=SearchFilters,
        description="Which artifacts to search: every filter given must hold; all when empty. "
        "Decisions and intents are filtered by `metadata`, `created_*` and `project_id` only",
    )
    budget_chars: int | None = Field(
        None,
        ge=100,
        le=100_000,
        description="Also return `context`: the most relevant passages across the hits, "
        "best first, packed up to this many characters",
    )


EXAMPLE_FILTERS: dict[str, Any] = {
    "artifact_type": ["conversation"],
    "created_after": "2025-01-01T00:00:00Z",
}


class TextSearch(SearchBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"query": "retry payments -refund", "limit": 5, "filters": EXAMPLE_FILTERS}
            ]
        }
    )

    query: str = Field(
        min_length=1,
        max_length=1000,
        description='Web-style query: words, "quoted phrases", OR, -excluded. A chunk '
        "matching any word or phrase (and no exclusion) is a match; BM25 ranks them",
    )


class SemanticSearch(SearchBase):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"query": "how do we handle failed payments?", "limit": 5}]}
    )

    query: Said | None = Field(
        None, min_length=1, max_length=4000, description="Text to embed with the space's model"
    )
    vector: list[float] | None = Field(
        None, min_length=1, max_length=2000, description="A query vector instead of text"
    )
    space: str | None = Field(None, description="Embedding space name; default space if empty")

    @model_validator(mode="after")
    def _one_query(self) -> SemanticSearch:
        if (self.query is None) == (self.vector is None):
            raise ValueError("give exactly one of query and vector")
        return self


class HybridSearch(SearchBase):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"query": "payment retries backoff", "limit": 5}]}
    )

    query: Said = Field(min_length=1, max_length=1000, description="Text for both rankings")
    vector: list[float] | None = Field(
        None, min_length=1, max_length=2000, description="Vector for the dense side, if given"
    )
    space: str | None = Field(None, description="Embedding space name; default space if empty")
    lexical_weight: float = Field(
        1.0,
        ge=0,
        le=10,
        description="Weight of the full-text side (BM25 over the query's term weights)",
    )
    semantic_weight: float = Field(
        1.0, ge=0, le=10, description="Weight of the vector side (distance scaled within the query)"
    )

    @model_validator(mode="after")
    def _some_weight(self) -> HybridSearch:
        if not (self.lexical_weight > 0 or self.semantic_weight > 0):
            raise ValueError("at least one of lexical_weight and semantic_weight must be above 0")
        return self


class Passage(BaseModel):
    passage_id: UUID = Field(description="The passage span (or the chunk, for older versions)")
    start_offset: int = Field(description="Offsets into the version, like the hit's")
    end_offset: int = Field(description=END_OFFSET)
    text: str = Field(description="content[start_offset:end_offset]")
    metadata: dict[str, Any] = Field(description="Speaker and timestamp of a turn, heading, ...")
    score: float = Field(
        description="The hit's share (its score over the best hit's), plus the passage's words' "
        "(BM25 over the query's term weights) and meaning's (distance scaled within the passages)"
    )


class ContextPassage(Passage):
    artifact_id: UUID = Field(description="The artifact the passage is from")
    version_id: UUID = Field(description="The artifact version the offsets index into")
    span_id: UUID = Field(description="The hit (chunk) the passage lies in")


class Hit(BaseModel):
    target_type: TargetType = Field("chunk", description="What the hit is")
    target_id: UUID = Field(description="The chunk span, decision or intent")
    span_id: UUID | None = Field(None, description="The chunk span (chunks only)")
    artifact_id: UUID | None = Field(None, description="The artifact the chunk is from")
    version_id: UUID | None = Field(
        None, description="The artifact version the offsets index into (chunks only)"
    )
    version_number: int | None = Field(None, description="That version's number (chunks only)")
    artifact_type: ArtifactType | None = Field(
        None, description="conversation, document or note (chunks only)"
    )
    source: str | None = Field(None, description="Where the artifact came from (chunks only)")
    start_offset: int | None = Field(
        None, description="content[start_offset:end_offset] == text (chunks only)"
    )
    end_offset: int | None = Field(None, description=END_OFFSET + " (chunks only)")
    text: str = Field(
        description="The chunk's exact text; a decision's statement and rationale; "
        "an intent's statement"
    )
    metadata: dict[str, Any] = Field(
        description="Chunk metadata (speakers, heading, ...) or the decision's or intent's metadata"
    )
    status: str | None = Field(
        None, description="The decision's or intent's status (e.g. superseded)"
    )
    superseded_by_id: UUID | None = Field(
        None, description="A superseded decision's successor: the decision that holds now"
    )
    score: float = Field(
        description="Text: BM25 (a chunk's: the mean of its own and its best passage's). "
        "Semantic: similarity. Hybrid: BM25 over the query's term weights plus the distance "
        "scaled to 0..1 within the query (nearest 1, farthest 0), weighted"
    )
    snippet: str | None = Field(None, description="Matches highlighted as <<word>>")
    distance: float | None = Field(None, description="Vector distance, when ranked by vector")
    lexical_rank: int | None = Field(None, description="Rank in the full-text list")
    semantic_rank: int | None = Field(None, description="Rank in the vector list")
    passages: list[Passage] = Field(
        default_factory=list,
        description="The best-matching passages inside the chunk (turns of a conversation, "
        "blocks of a document), best first, at most three; none for decisions and intents",
    )


class SearchResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mode": "text",
                    "space": None,
                    "hits": [HIT_EXAMPLE],
                    "context": [
                        {
                            **PASSAGE_EXAMPLE,
                            "artifact_id": ARTIFACT_ID,
                            "version_id": VERSION_ID,
                            "span_id": HIT_EXAMPLE["span_id"],
                        }
                    ],
                }
            ]
        }
    )

    mode: Literal["text", "semantic", "hybrid"] = Field(description="The search that ran")
    space: str | None = Field(None, description="Embedding space used")
    hits: list[Hit] = Field(description="Chunks (and decisions, intents), best first")
    context: list[ContextPassage] | None = Field(
        None, description="With `budget_chars`: the best passages packed into that budget"
    )
