"""mimir's settings: `MIMIR_*` variables, plus the shared `BLOODBANK_*` broker account."""

from pydantic_settings import SettingsConfigDict

from envelope import ServiceSettings


class MimirSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MIMIR_", extra="ignore")

    port: int = 38000
    db_user: str = "mimir"
