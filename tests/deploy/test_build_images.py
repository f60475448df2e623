"""deploy/build-images asks docker buildx for both services' images on amd64 and arm64.

There is no Docker engine here: a stand-in `docker` records its arguments."""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness import ROOT


def run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    calls = tmp_path / "calls"
    docker = tmp_path / "docker"
    docker.write_text(f'#!/bin/bash\nprintf "%s\\n" "$*" >> "{calls}"\n')
    docker.chmod(0o755)
    result = subprocess.run(
        [str(ROOT / "deploy" / "build-images"), *args],
        env={"PATH": f"{tmp_path}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = calls.read_text().splitlines() if calls.exists() else []
    return result, [line.split() for line in lines]


def version(service: str) -> str:
    text = (ROOT / "services" / service / "pyproject.toml").read_text()
    return next(line.split('"')[1] for line in text.splitlines() if line.startswith("version = "))


def test_both_images_are_built_for_two_platforms(tmp_path: Path) -> None:
    result, calls = run(tmp_path, "--push", "registry.example/team/")
    assert result.returncode == 0, result.stderr
    builds = [call for call in calls if call[:2] == ["buildx", "build"]]
    assert len(builds) == 2
    for service, build in zip(("imi", "mimir"), builds, strict=True):
        assert build[build.index("--platform") + 1] == "linux/amd64,linux/arm64"
        assert build[build.index("--file") + 1] == f"{ROOT}/services/{service}/Dockerfile"
        assert f"registry.example/team/{service}:{version(service)}" in build
        assert "--push" in build
        assert build[-1] == str(ROOT)


def test_without_push_nothing_leaves_the_build_cache(tmp_path: Path) -> None:
    result, calls = run(tmp_path)
    assert result.returncode == 0, result.stderr
    builds = [call for call in calls if call[:2] == ["buildx", "build"]]
    assert builds
    assert all(
        "--push" not in build and "bloodbank/imi:latest" in " ".join(builds[0]) for build in builds
    )
