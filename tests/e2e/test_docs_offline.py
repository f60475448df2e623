"""/docs and /redoc render in a real headless browser with every other host unreachable: the
Swagger UI and ReDoc assets come from the service itself, not from a CDN.

Debian's chromium is installed by this test's set-up when it is missing (as root, with
apt-get); where it cannot be, the tests are skipped and say why."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from harness import ROOT, ServiceProcess

# Every host but the service's own fails to resolve: no CDN can stand in.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        install = subprocess.run(
            ["bash", "-c", f'. "{ROOT}/deploy/local/prerequisites" && apt_install chromium'],
            capture_output=True,
            text=True,
            check=False,
        )
        found = shutil.which("chromium")
        if found is None:
            pytest.skip(f"no chromium, and installing it failed: {install.stderr.strip()[-300:]}")
    return found


def rendered(chromium: str, url: str) -> str:
    """The page's DOM after its scripts ran (virtual time lets them finish)."""
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            OFFLINE,
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_swagger_ui_lists_the_operations_offline(
    chromium: str, imi_process: ServiceProcess
) -> None:
    page = rendered(chromium, f"{imi_process.url}/docs")
    assert "opblock-summary" in page, "Swagger UI did not render the operations"
    assert "/api/v1/projects" in page
    assert "Register a project" in page


def test_redoc_renders_offline(chromium: str, mimir_process: ServiceProcess) -> None:
    page = rendered(chromium, f"{mimir_process.url}/redoc")
    assert "/api/v1/artifacts" in page
    assert "Create artifact" in page
