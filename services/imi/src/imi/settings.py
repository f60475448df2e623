"""imi's settings: `IMI_*` variables, plus the shared `BLOODBANK_*` broker address."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from envelope import ServiceSettings


class ImiSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IMI_", extra="ignore")
    config_dir = Path(__file__).resolve().parents[2] / "config"

    port: int = 8400
    db_user: str = "imi"
    migrator_user: str = "imi_migrator"
    broker_user: str = "imi"
    db_schema: str = "imi"
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="Largest request body; larger answers 413"
    )
    trace_max_rows: int = Field(
        2000, ge=10, description="Most work items plus links one trace may hold; more is a 400"
    )
