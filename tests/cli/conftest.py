"""CLI fixtures: the CLIs in-process against the real services, and real git repositories."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from cli_helpers import Run, cli_runner, commit, git
from harness import ServiceProcess


@pytest.fixture
def imi(imi_process: ServiceProcess) -> Run:
    from imi_cli import app

    return cli_runner(app, {"IMI_URL": imi_process.url, "IMI_API_KEY": ""})


@pytest.fixture
def mimir(mimir_process: ServiceProcess) -> Run:
    from mimir_cli import app

    return cli_runner(app, {"MIMIR_URL": mimir_process.url, "MIMIR_API_KEY": ""})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A clone-like repository: `main` with one commit and an `origin` remote of its own."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.invalid")
    git(path, "config", "user.name", "Dev")
    git(path, "config", "commit.gpgsign", "false")
    git(path, "remote", "add", "origin", f"git@example.invalid:team/x-{uuid.uuid4().hex[:8]}.git")
    commit(path, "README.md", "hello\n")
    return path
