"""Request and response bodies of /api/v1/embedding-spaces."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Provider = Literal["local", "openai", "client"]
Distance = Literal["cosine", "l2", "inner_product"]
SpaceStatus = Literal["ready", "reembedding"]
LocalModel = Literal["all-MiniLM-L6-v2-int8", "multilingual-e5-small-q4"]

PROVIDER = (
    "local (a bundled 384-d model: all-MiniLM-L6-v2-int8 or multilingual-e5-small-q4), openai "
    "(MIMIR_OPENAI_* endpoint) or client (the caller uploads vectors)"
)


class SpaceCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "minilm", "provider": "local"},
                {"name": "client-768", "provider": "client", "model": "e5-base", "dimensions": 768},
            ]
        }
    )

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$", description="Unique space name")
    provider: Provider = Field("local", description=PROVIDER)
    model: str | None = Field(None, description="Model name; defaults per provider")
    dimensions: int | None = Field(
        None, ge=1, le=2000, description="Vector size; fixed to 384 for local"
    )
    distance: Distance = Field("cosine", description="Distance the HNSW index and search use")


class Reembed(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"provider": "local", "model": "multilingual-e5-small-q4"},
                {"provider": "openai", "model": "text-embedding-3-small"},
            ]
        }
    )

    provider: Literal["local", "openai"] = Field(
        description="Provider of the new vectors (`openai` needs MIMIR_OPENAI_BASE_URL set)"
    )
    model: str | None = Field(None, description="New model; defaults per provider")
    dimensions: int | None = Field(None, ge=1, le=2000, description="New vector size")


class Space(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70",
                    "name": "minilm",
                    "provider": "local",
                    "model": "all-MiniLM-L6-v2-int8",
                    "dimensions": 384,
                    "distance": "cosine",
                    "status": "ready",
                    "created_at": "2026-02-11T10:00:00Z",
                    "embedding_count": 1250,
                }
            ]
        }
    )

    id: UUID = Field(description="Space id")
    name: str = Field(description="Unique space name; `space` in semantic and hybrid search")
    provider: Provider = Field(description=PROVIDER)
    model: str = Field(description="The model whose vectors the space holds")
    dimensions: int = Field(description="Numbers per vector")
    distance: Distance = Field(description="Distance the HNSW index and search use")
    status: SpaceStatus = Field(
        description="reembedding while the worker (re)computes vectors for existing chunks"
    )
    created_at: datetime = Field(description="When the space was created")
    embedding_count: int = Field(0, description="Vectors stored in the space")


class VectorItem(BaseModel):
    span_id: UUID = Field(description="A chunk span (`span_type` chunk)")
    vector: list[float] = Field(
        min_length=1, max_length=2000, description="Its vector: exactly the space's dimensions"
    )


class VectorUpload(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"span_id": "5d3c1a8e-2b7f-4f0e-9c61-0a9d8b7c6e54", "vector": [0.1, 0.2]}
                    ]
                }
            ]
        }
    )

    items: list[VectorItem] = Field(
        min_length=1,
        max_length=1000,
        description="1 to 1000 chunk vectors; a chunk that has one in the space is replaced",
    )


class UploadResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"stored": 1}]})

    stored: int = Field(description="Vectors stored or replaced")


BULK_LINE_EXAMPLE = '{"span_id": "5d3c1a8e-2b7f-4f0e-9c61-0a9d8b7c6e54", "vector": [0.1, 0.2]}'


class BulkUploadResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"lines": 20000, "stored": 20000, "index": "deferred"}]}
    )

    lines: int = Field(description="Vector lines read (blank lines are skipped)")
    stored: int = Field(
        description="Vectors stored or replaced: one per distinct span (a span on several lines "
        "keeps its last line's vector)"
    )
    index: Literal["maintained", "deferred"] = Field(
        description="maintained: the space's HNSW index took each vector as it was stored; "
        "deferred: the index was dropped for the load and the index builder rebuilds it "
        "CONCURRENTLY (searches of the space scan exactly until it is back)"
    )
