"""Settings every service shares: database role, broker account, API key, secret checks."""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

import yarl
from psycopg.conninfo import make_conninfo
from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)
from sqlalchemy.engine import URL

from envelope._limits import DEFAULT_MAX_BODY_BYTES
from envelope._outbox import INBOX_RETENTION, OUTBOX_RETENTION

Purpose = Literal["serve", "migrate"]
EXAMPLE_SECRET = "change-me-to-a-generated-secret"  # noqa: S105 - the value we refuse
MIN_SECRET_LENGTH = 16
CPU_QUOTA = Path("/sys/fs/cgroup/cpu.max")  # cgroup v2: "<quota> <period>" or "max <period>"


def cores() -> int:
    """CPUs this process may use: its CPU affinity, capped by a container's CPU quota."""
    count = len(os.sched_getaffinity(0))
    with contextlib.suppress(OSError, ValueError):
        quota, period = CPU_QUOTA.read_text().split()
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    return count


class InsecureSettings(RuntimeError):
    """A required secret is missing, too short or the example value. Names variables only."""


class ProfileSource(YamlConfigSettingsSource):
    """`<config_dir>/<ENVIRONMENT>.yaml`: non-secret settings per environment profile."""

    def __init__(self, settings_cls: type[ServiceSettings]) -> None:
        self.path = settings_cls.profile_path()
        super().__init__(settings_cls, yaml_file=self.path if self.path.is_file() else None)
        secret_fields = {
            name
            for name, field in settings_cls.model_fields.items()
            if field.annotation is SecretStr
        }
        secrets = secret_fields & set(self.yaml_data)
        if secrets:
            raise InsecureSettings(
                f"{self.path} must not hold secrets: {', '.join(sorted(secrets))}"
            )


class EnvFileSource(DotEnvSettingsSource):
    """`.env` in the working directory (or the file `ENV_FILE` names; empty: none), read by the
    service itself, below the environment. It never supplies the migrator's account: only the
    migration step receives that, from its environment."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls, env_file=os.environ.get("ENV_FILE", ".env") or None)

    def __call__(self) -> dict[str, Any]:
        found = super().__call__()
        return {k: v for k, v in found.items() if k not in ("migrator_user", "migrator_password")}


class ServiceSettings(BaseSettings):
    """Base for `IMI_*` / `MIMIR_*` settings; the broker's address is shared (`BLOODBANK_*`).

    Precedence: environment variables, then `.env`, then the profile file chosen by
    `ENVIRONMENT` (`development` by default) from the service's `config/` folder, then the
    defaults here. `<PREFIX>DATABASE_URL` and `<PREFIX>RABBITMQ_URL` may stand for the split
    database and broker variables; a split variable that is also set wins.
    """

    model_config = SettingsConfigDict(extra="ignore")
    config_dir: ClassVar[Path | None] = None

    environment: str = Field(
        "development", validation_alias=AliasChoices("ENVIRONMENT", "environment")
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(
        0,
        ge=0,
        description="Server processes (0: one per CPU core the process may use); each has its "
        "own pool of db_pool_size connections, consumers and relay",
    )
    log_level: str = "INFO"
    api_key: SecretStr = SecretStr("")

    db_host: str = "127.0.0.1"
    db_port: int = 5432
    db_name: str = "platform"
    db_user: str = ""
    db_password: SecretStr = SecretStr("")
    db_pool_size: int = 10
    db_pool_overflow: int = Field(
        0, ge=0, description="Connections opened beyond db_pool_size under load, closed after"
    )
    db_pool_timeout: float = Field(3.0, description="Seconds to wait for a pooled connection")
    # The role that owns the schema and runs migrations; only the migration step gets these.
    migrator_user: str = ""
    migrator_password: SecretStr = SecretStr("")

    bloodbank_url: str = Field("amqp://127.0.0.1:5672/", validation_alias="BLOODBANK_URL")
    # The service's own broker account (`IMI_BROKER_USER`, ...): it may publish only its own
    # routing keys and read only its own queues.
    broker_user: str = ""
    broker_password: SecretStr = SecretStr("")
    bloodbank_exchange: str = Field("bloodbank.events.v1", validation_alias="BLOODBANK_EXCHANGE")
    consumer_prefetch: int = 32
    consumer_concurrency: int = Field(
        0,
        ge=0,
        description="Messages handled at once (0: half of db_pool_size); below db_pool_size, so "
        "a backlog never takes every pooled connection from the API",
    )
    outbox_degraded_after: float = Field(
        60.0, gt=0, description="Seconds an event may wait unpublished before /health is degraded"
    )
    outbox_retention_days: int = Field(
        OUTBOX_RETENTION.days,
        ge=1,
        description="Days the relay keeps a published outbox row (what `GET /api/v1/events/{id}` "
        "shows) before pruning it; rows not yet published are never pruned",
    )
    inbox_retention_days: int = Field(
        INBOX_RETENTION.days,
        ge=1,
        description="Days the relay keeps a consumed event id; a repeated event is a no-op only "
        "while its id is kept, so this must exceed every window in which an event can arrive "
        "again: redelivery, the relay republishing a batch, a replay from a dead-letter queue, "
        "a producer sending an event again",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API (CORS), e.g. "
        '["https://console.example"]; empty: none',
    )
    database_url: SecretStr = Field(
        SecretStr(""),
        description="postgresql://user:password@host:port/name, instead of the db_* variables",
    )
    rabbitmq_url: SecretStr = Field(
        SecretStr(""),
        description="amqp://user:password@host:port/vhost, instead of BLOODBANK_URL and the "
        "broker_* variables",
    )
    max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES, ge=1024, description="Largest request body; larger answers 413"
    )

    @model_validator(mode="after")
    def _split_urls(self) -> Self:
        """Fill the split fields a single URL names, unless they were given themselves."""
        given = self.model_fields_set
        database = self.database_url.get_secret_value()
        if database:
            url = yarl.URL(database)
            for field, value in (
                ("db_host", url.host),
                ("db_port", url.port),
                ("db_name", url.path.lstrip("/")),
                ("db_user", url.user),
                ("db_password", SecretStr(url.password or "")),
            ):
                if value and field not in given:
                    setattr(self, field, value)
        broker = self.rabbitmq_url.get_secret_value()
        if broker:
            url = yarl.URL(broker)
            if "bloodbank_url" not in given:
                self.bloodbank_url = str(url.with_user(None))
            if url.user and "broker_user" not in given:
                self.broker_user = url.user
            if url.password and "broker_password" not in given:
                self.broker_password = SecretStr(url.password)
        return self

    @model_validator(mode="after")
    def _consumers_leave_connections(self) -> Self:
        if not self.consumer_concurrency:
            self.consumer_concurrency = max(1, self.db_pool_size // 2)
        elif self.consumer_concurrency >= self.db_pool_size > 1:
            raise ValueError("consumer_concurrency must be below db_pool_size")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        del settings_cls, dotenv_settings, file_secret_settings
        return init_settings, env_settings, EnvFileSource(cls), ProfileSource(cls)

    @classmethod
    def profile_path(cls) -> Path:
        prefix = str(cls.model_config.get("env_prefix", "")).upper()
        folder = os.environ.get(f"{prefix}CONFIG_DIR") or cls.config_dir or Path("config")
        profile = os.environ.get("ENVIRONMENT", "development")
        return Path(folder) / f"{profile}.yaml"

    @classmethod
    def load(cls, purpose: Purpose = "serve") -> Self:
        """Read the environment and refuse weak secrets, naming the variable, never the value.

        `serve` needs the runtime secrets; `migrate` (the one-off migration step) needs only
        the migrator's password.
        """
        settings = cls()
        problems = settings.insecure_secrets(purpose)
        if problems:
            raise InsecureSettings("; ".join(problems))
        return settings

    def insecure_secrets(self, purpose: Purpose = "serve") -> list[str]:
        prefix = str(self.model_config.get("env_prefix", "")).upper()
        checks = (
            {f"{prefix}MIGRATOR_PASSWORD": (self.migrator_password, True)}
            if purpose == "migrate"
            else {
                f"{prefix}DB_PASSWORD": (self.db_password, True),
                f"{prefix}BROKER_PASSWORD": (self.broker_password, True),
                # Production never runs open: without a key anyone reaching the port is in.
                f"{prefix}API_KEY": (self.api_key, self.environment == "production"),
            }
        )
        problems = []
        for variable, (secret, required) in checks.items():
            value = secret.get_secret_value()
            if not value:
                if required:
                    problems.append(f"{variable} is required")
            elif len(value) < MIN_SECRET_LENGTH:
                problems.append(f"{variable} must be at least {MIN_SECRET_LENGTH} characters")
            elif value == EXAMPLE_SECRET:
                problems.append(f"{variable} must not be the example value")
        return problems

    def processes(self) -> int:
        """How many server processes the service runs: `workers`, or one per core."""
        return self.workers or cores()

    @property
    def conninfo(self) -> str:
        """libpq connection string for psycopg (holds the password: never log it)."""
        return self._conninfo(self.db_user, self.db_password)

    def _conninfo(self, user: str, password: SecretStr) -> str:
        return make_conninfo(
            host=self.db_host,
            port=self.db_port,
            dbname=self.db_name,
            user=user,
            password=password.get_secret_value(),
            application_name=str(self.model_config.get("env_prefix", "")).strip("_").lower(),
        )

    @property
    def sqlalchemy_url(self) -> URL:
        return self._url(self.db_user, self.db_password)

    @property
    def migrator_url(self) -> URL:
        """The schema owner's URL, for migrations and index builds (holds the password)."""
        return self._url(self.migrator_user, self.migrator_password)

    @property
    def migrator_conninfo(self) -> str:
        return self._conninfo(self.migrator_user, self.migrator_password)

    def _url(self, user: str, password: SecretStr) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=user,
            password=password.get_secret_value(),
            host=self.db_host,
            port=self.db_port,
            database=self.db_name,
        )

    @property
    def amqp_url(self) -> str:
        """Broker URL with the account's credentials (holds the password: never log it)."""
        url = yarl.URL(self.bloodbank_url)
        return str(
            url.with_user(self.broker_user).with_password(self.broker_password.get_secret_value())
        )
