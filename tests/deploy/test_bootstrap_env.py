"""The bootstrap writes .env once and later only appends the secrets a newer example adds."""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness import ROOT

EXAMPLE = "change-me-to-a-generated-secret"


def bootstrap_step(step: str, env_file: Path) -> str:
    script = f'. "{ROOT}/deploy/local/bootstrap" && env_file="{env_file}" && {step}'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    return result.stderr


def values(env_file: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    return {name: value for name, value in pairs if not name.startswith("#")}


def test_a_fresh_env_gets_every_secret_generated(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    bootstrap_step("ensure_env_file", env_file)
    written = values(env_file)
    example = values(ROOT / ".env.example")
    assert written.keys() == example.keys()
    for name, value in example.items():
        if value == EXAMPLE:
            assert len(written[name]) >= 32, name
        else:
            assert written[name] == value, name
    assert env_file.stat().st_mode & 0o077 == 0


def test_an_existing_env_keeps_its_values_and_gains_new_secrets(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("IMI_DB_PASSWORD=kept-as-it-was-0123456789\nIMI_API_KEY=\n")
    log = bootstrap_step("ensure_env_file && ensure_env_secrets", env_file)
    after = values(env_file)
    assert after["IMI_DB_PASSWORD"] == "kept-as-it-was-0123456789"
    assert after["IMI_API_KEY"] == ""  # present, so left alone even when empty
    assert len(after["IMI_MIGRATOR_PASSWORD"]) >= 32
    assert len(after["MIMIR_BROKER_PASSWORD"]) >= 32
    assert "adding IMI_MIGRATOR_PASSWORD" in log
    again = bootstrap_step("ensure_env_secrets", env_file)
    assert values(env_file) == after
    assert again == ""
