"""Helpers of the CLI tests: running a Typer app in-process, and git in a test repository."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import typer
from typer.testing import CliRunner, Result

Run = Callable[..., Result]


def cli_runner(app: typer.Typer, env: dict[str, str]) -> Run:
    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(app, list(args), env=env, input=input)

    return run


def git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(path), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit(path: Path, name: str, text: str = "x\n") -> str:
    (path / name).write_text(text)
    git(path, "add", name)
    git(path, "commit", "-q", "-m", f"add {name}")
    return git(path, "rev-parse", "HEAD")
