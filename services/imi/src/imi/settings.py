"""imi's settings: `IMI_*` variables, plus the shared `BLOODBANK_*` broker account."""

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from envelope import ServiceSettings


class ImiSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IMI_", extra="ignore")
    config_dir = Path(__file__).resolve().parents[2] / "config"

    port: int = 8400
    db_user: str = "imi"
    db_schema: str = "imi"
