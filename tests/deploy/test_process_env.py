"""`make run` hands each process only its own variables from .env."""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness import ROOT

ENV = """\
ENVIRONMENT=development
POSTGRES_PASSWORD=postgres-secret
IMI_DB_PASSWORD=imi-db-secret
IMI_MIGRATOR_PASSWORD=imi-migrator-secret
IMI_BROKER_PASSWORD=imi-broker-secret
IMI_API_KEY=imi-key
MIMIR_DB_PASSWORD=mimir-db-secret
MIMIR_MIGRATOR_PASSWORD=mimir-migrator-secret
MIMIR_BROKER_PASSWORD=mimir-broker-secret
MIMIR_API_KEY=mimir-key
BLOODBANK_PASSWORD=producer-secret
BLOODBANK_ADMIN_PASSWORD=admin-secret
BLOODBANK_URL=amqp://127.0.0.1:5672/
"""


def exported(call: str, env_file: Path) -> set[str]:
    """The names from .env that `call` (a function of deploy/local/env, given the file as
    `$ENV_FILE`) exports into an empty environment."""
    script = f'. "{ROOT}/deploy/local/env" && {call} && env'
    result = subprocess.run(
        ["bash", "-c", script],
        env={"PATH": "/usr/bin:/bin", "ENV_FILE": str(env_file)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names = {line.split("=", 1)[0] for line in result.stdout.splitlines() if "=" in line}
    return names & {line.split("=", 1)[0] for line in ENV.splitlines()}


def test_each_process_gets_only_its_own_secrets(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(ENV)
    shared = {"ENVIRONMENT", "BLOODBANK_URL"}
    assert exported('export_service_env "$ENV_FILE" imi', env_file) == shared | {
        "IMI_DB_PASSWORD",
        "IMI_BROKER_PASSWORD",
        "IMI_API_KEY",
    }
    assert exported('export_service_env "$ENV_FILE" mimir', env_file) == shared | {
        "MIMIR_DB_PASSWORD",
        "MIMIR_BROKER_PASSWORD",
        "MIMIR_API_KEY",
    }
    assert exported('export_migrator_env "$ENV_FILE"', env_file) == {
        "ENVIRONMENT",
        "IMI_MIGRATOR_PASSWORD",
        "MIMIR_MIGRATOR_PASSWORD",
    }
