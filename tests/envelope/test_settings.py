"""Services refuse weak secrets at start, naming the variable and never the value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from envelope import InsecureSettings
from imi.settings import ImiSettings
from mimir.settings import MimirSettings

STRONG = "k3Vq9-strong-enough-secret"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "IMI_DB_PASSWORD",
        "MIMIR_DB_PASSWORD",
        "IMI_BROKER_PASSWORD",
        "MIMIR_BROKER_PASSWORD",
        "IMI_API_KEY",
        "ENVIRONMENT",
        "IMI_CONFIG_DIR",
        "MIMIR_CONFIG_DIR",
        "IMI_DB_POOL_SIZE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IMI_BROKER_PASSWORD", STRONG)
    monkeypatch.setenv("MIMIR_BROKER_PASSWORD", STRONG)
    return monkeypatch


def test_a_short_password_is_refused(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("IMI_DB_PASSWORD", "short-secret")
    with pytest.raises(InsecureSettings) as caught:
        ImiSettings.load()
    assert str(caught.value) == "IMI_DB_PASSWORD must be at least 16 characters"
    assert "short-secret" not in str(caught.value)


def test_the_example_value_is_refused(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("MIMIR_DB_PASSWORD", "change-me-to-a-generated-secret")
    with pytest.raises(InsecureSettings, match="MIMIR_DB_PASSWORD must not be the example value"):
        MimirSettings.load()


def test_missing_secrets_are_named(environment: pytest.MonkeyPatch) -> None:
    environment.delenv("IMI_BROKER_PASSWORD")
    environment.setenv("IMI_API_KEY", "tiny")
    with pytest.raises(InsecureSettings) as caught:
        ImiSettings.load()
    message = str(caught.value)
    assert "IMI_DB_PASSWORD is required" in message
    assert "IMI_BROKER_PASSWORD is required" in message
    assert "IMI_API_KEY must be at least 16 characters" in message


def test_strong_secrets_are_accepted_and_never_shown(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("IMI_DB_PASSWORD", STRONG)
    settings = ImiSettings.load()
    assert STRONG not in repr(settings)
    assert settings.amqp_url.startswith("amqp://imi:")
    assert settings.sqlalchemy_url.password == STRONG


def test_the_service_exits_with_a_one_line_message(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from envelope import serve

    environment.setenv("IMI_DB_PASSWORD", "short-secret")
    with pytest.raises(SystemExit) as caught:
        serve(ImiSettings, "imi.main:create_app")
    assert caught.value.code == 2
    assert capsys.readouterr().err == (
        "refusing to start: IMI_DB_PASSWORD must be at least 16 characters\n"
    )


def test_the_profile_follows_environment_and_variables_override_it(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "production.yaml").write_text("db_pool_size: 33\nlog_level: WARNING\n")
    (tmp_path / "development.yaml").write_text("db_pool_size: 4\n")
    environment.setenv("IMI_CONFIG_DIR", str(tmp_path))
    environment.setenv("IMI_DB_PASSWORD", STRONG)
    environment.setenv("IMI_API_KEY", STRONG)
    assert ImiSettings.load().db_pool_size == 4
    environment.setenv("ENVIRONMENT", "production")
    production = ImiSettings.load()
    assert (production.environment, production.db_pool_size) == ("production", 33)
    assert production.log_level == "WARNING"
    environment.setenv("IMI_DB_POOL_SIZE", "7")
    assert ImiSettings.load().db_pool_size == 7


def test_a_profile_must_not_hold_secrets(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "development.yaml").write_text("db_password: a-secret-that-is-long-enough\n")
    environment.setenv("MIMIR_CONFIG_DIR", str(tmp_path))
    with pytest.raises(InsecureSettings, match="must not hold secrets: db_password"):
        MimirSettings.load()


@pytest.mark.parametrize("service", ["imi", "mimir"])
def test_shipped_profiles_load(environment: pytest.MonkeyPatch, service: str) -> None:
    settings_class = {"imi": ImiSettings, "mimir": MimirSettings}[service]
    environment.setenv(f"{service.upper()}_DB_PASSWORD", STRONG)
    environment.setenv(f"{service.upper()}_API_KEY", STRONG)
    for profile in ("development", "production"):
        environment.setenv("ENVIRONMENT", profile)
        assert settings_class.profile_path().is_file()
        assert settings_class.load().environment == profile


@pytest.mark.parametrize("service", ["imi", "mimir"])
def test_production_refuses_to_start_without_an_api_key(service: str, tmp_path: Path) -> None:
    """`python -m <service>` as `make run` starts it, with every secret but the API key."""
    prefix = service.upper()
    env = {
        "PATH": os.environ["PATH"],
        "ENVIRONMENT": "production",
        "ENV_FILE": "",  # not this checkout's .env, which holds a key
        f"{prefix}_DB_PASSWORD": STRONG,
        f"{prefix}_BROKER_PASSWORD": STRONG,
        f"{prefix}_PORT": "1",  # never bound: the process must stop before serving
    }
    result = subprocess.run(
        [sys.executable, "-m", service], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr == f"refusing to start: {prefix}_API_KEY is required\n"
    # The same settings pass in development, where an empty key turns authentication off.
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import {service}.settings as s; s.{prefix.title()}Settings.load()",
        ],
        env={**env, "ENVIRONMENT": "development"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr


def test_the_service_reads_its_env_file_below_the_environment_and_never_the_migrator(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "service.env"
    env_file.write_text(
        f"IMI_DB_PASSWORD={STRONG}\nIMI_DB_NAME=from_file\nIMI_LOG_LEVEL=WARNING\n"
        f"IMI_MIGRATOR_PASSWORD={STRONG}\nMIMIR_DB_NAME=not_imis\n"
    )
    environment.setenv("ENV_FILE", str(env_file))
    environment.setenv("IMI_LOG_LEVEL", "ERROR")
    settings = ImiSettings.load()
    assert settings.db_password.get_secret_value() == STRONG
    assert (settings.db_name, settings.log_level) == ("from_file", "ERROR")
    assert settings.migrator_password.get_secret_value() == ""


def test_single_urls_stand_for_the_split_variables(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("IMI_DB_PASSWORD", STRONG)
    environment.setenv("IMI_DATABASE_URL", f"postgresql://imi_app:{STRONG}x@db.internal:6432/prod")
    environment.setenv("IMI_RABBITMQ_URL", f"amqp://imi_bus:{STRONG}y@mq.internal:5671/bloodbank")
    settings = ImiSettings.load()
    url = settings.sqlalchemy_url
    assert (url.username, url.host, url.port, url.database) == (
        "imi_app",
        "db.internal",
        6432,
        "prod",
    )
    assert url.password == STRONG, "a split variable that is set wins over the URL"
    assert settings.bloodbank_url == "amqp://mq.internal:5671/bloodbank"
    # IMI_BROKER_PASSWORD is set too (by the fixture), so it wins over the URL's.
    assert settings.amqp_url == f"amqp://imi_bus:{STRONG}@mq.internal:5671/bloodbank"
    assert STRONG not in repr(settings)


async def test_cors_origins_are_allowed_when_configured(
    environment: pytest.MonkeyPatch,
) -> None:
    import httpx

    from imi.main import create_app

    environment.setenv("IMI_DB_PASSWORD", STRONG)
    environment.setenv("IMI_CORS_ORIGINS", '["https://console.example"]')
    app = create_app(ImiSettings.load())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        preflight = {"Origin": "https://console.example", "Access-Control-Request-Method": "GET"}
        allowed = await c.options("/api/v1/projects", headers=preflight)
        other = await c.options(
            "/api/v1/projects", headers={**preflight, "Origin": "https://x.example"}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://console.example"
    assert "access-control-allow-origin" not in other.headers


def test_pool_overflow_reaches_both_pools(environment: pytest.MonkeyPatch) -> None:
    from imi.database import create_engine
    from mimir.database import create_pool

    for name in ("IMI_DB_PASSWORD", "MIMIR_DB_PASSWORD"):
        environment.setenv(name, STRONG)
    environment.setenv("IMI_DB_POOL_OVERFLOW", "4")
    environment.setenv("MIMIR_DB_POOL_OVERFLOW", "4")
    engine = create_engine(ImiSettings.load())
    assert (engine.pool.size(), engine.pool._max_overflow) == (10, 4)  # type: ignore[attr-defined]
    assert create_pool(MimirSettings.load()).max_size == 14


def test_workers_default_to_the_cores_a_container_may_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from envelope import _settings

    affinity = len(os.sched_getaffinity(0))
    quota = tmp_path / "cpu.max"
    monkeypatch.setattr(_settings, "CPU_QUOTA", quota)
    assert _settings.cores() == affinity  # no cgroup file: the affinity
    quota.write_text("max 100000\n")
    assert _settings.cores() == affinity
    quota.write_text("50000 100000\n")
    assert _settings.cores() == 1  # half a core still gets a process
    quota.write_text(f"{affinity * 200000} 100000\n")
    assert _settings.cores() == affinity  # a quota above the CPUs there changes nothing


@pytest.mark.parametrize(
    ("workers", "threads", "expected"),
    [(0, 0, 1), (1, 0, 4), (2, 0, 2), (8, 0, 1), (0, 3, 3)],
)
def test_the_model_threads_split_the_cores_among_the_server_processes(
    environment: pytest.MonkeyPatch, tmp_path: Path, workers: int, threads: int, expected: int
) -> None:
    from envelope import _settings

    environment.setattr(_settings, "CPU_QUOTA", tmp_path / "no-quota")
    environment.setattr(_settings.os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    environment.setenv("MIMIR_DB_PASSWORD", STRONG)
    environment.setenv("MIMIR_WORKERS", str(workers))
    environment.setenv("MIMIR_EMBEDDING_THREADS", str(threads))
    assert MimirSettings.load().model_threads == expected
