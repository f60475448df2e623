"""The installed `imi` and `mimir` scripts, run as a person runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from harness import free_port


@pytest.mark.parametrize("service", ["imi", "mimir"])
def test_script_reports_a_service_that_is_down(service: str) -> None:
    script = Path(sys.executable).parent / service
    url = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, f"{service.upper()}_URL": url}
    command = [str(script), "intents" if service == "mimir" else "projects"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == f"Error: {service} is not reachable at {url}\n"
    assert result.stdout == ""
