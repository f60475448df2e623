"""mimir's settings: `MIMIR_*` variables, plus the shared `BLOODBANK_*` broker address."""

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from envelope import ServiceSettings, cores
from mimir.embedding.schemas import LocalModel


class MimirSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MIMIR_", extra="ignore")
    config_dir = Path(__file__).resolve().parents[2] / "config"

    port: int = 38000
    db_user: str = "mimir"
    migrator_user: str = "mimir_migrator"
    broker_user: str = "mimir"

    chunk_max_chars: int = Field(1200, ge=200, description="Longest chunk span, in characters")
    chunk_overlap_chars: int = Field(
        300, ge=0, description="A document chunk repeats the previous chunk's last block up to this"
    )

    embedding_worker: bool = Field(True, description="Run the background embedding worker")
    embedding_default_space: str = Field("default", description="Space created at startup")
    embedding_provider: Literal["local", "openai"] = Field(
        "local", description="Provider of the default space"
    )
    embedding_local_model: LocalModel = Field(
        "all-MiniLM-L6-v2-int8",
        description="Model of a local space that names none (the default space's, too)",
    )
    embedding_batch_size: int = Field(32, ge=1, le=512)
    embedding_max_batch_tokens: int = Field(
        1024,
        ge=256,
        description="Most padded tokens (texts x longest) per local model call",
    )
    embedding_poll_seconds: float = Field(0.5, gt=0)
    embedding_lease_seconds: float = Field(
        60, gt=0, description="A worker's claim not renewed for this long is taken by another"
    )
    embedding_threads: int = Field(
        0,
        ge=0,
        description="onnxruntime intra-op threads per process (0: the cores shared among the "
        "server processes, at least 1)",
    )
    vector_load_timeout_seconds: float = Field(
        600, gt=0, description="Longest a bulk vector load (one request) may take"
    )
    max_bulk_body_bytes: int = Field(
        1024**3,
        ge=1024,
        description="Largest NDJSON body of a bulk vector load; larger answers 413",
    )

    openai_base_url: str = Field(
        "", description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1"
    )
    openai_model: str = Field("text-embedding-3-small")
    openai_dimensions: int = Field(1536, ge=1, le=2000)
    openai_api_key: SecretStr = SecretStr("")
    openai_timeout_seconds: float = 30.0

    search_candidates: int = Field(
        1000,
        ge=10,
        le=20000,
        description="Most chunks a wide full-text search scores (those holding its rarest terms)",
    )
    search_exact_chunks: int = Field(
        2000,
        ge=0,
        le=100000,
        description="A search whose filters cover at most this many chunks weighs terms exactly",
    )
    hnsw_ef_search: int = Field(100, ge=10, le=1000)
    traversal_max_edges: int = Field(
        1000, ge=1, description="Most relations one traversal reports before it stops expanding"
    )

    @cached_property
    def model_threads(self) -> int:
        """The local model's threads in each process. Every server process embeds (its own
        worker, its own queries), so by default they split the cores rather than each taking
        all of them: two processes of two threads on two cores embedded 10 % slower. Worked
        out once: each query embedding and worker step asks for it."""
        return self.embedding_threads or max(1, cores() // self.processes())
