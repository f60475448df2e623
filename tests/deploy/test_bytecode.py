"""The services import compiled modules: bytecode is written when packages are installed
(`make setup`, the images), not by each process that imports them, which a host may forbid
(PYTHONDONTWRITEBYTECODE, a read-only environment) so that every start compiles them again."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from harness import ROOT

# Packages every worker of both services imports.
PACKAGES = ("fastapi", "starlette", "pydantic", "sqlalchemy", "psycopg", "aio_pika", "structlog")


def without_bytecode(package: str) -> list[Path]:
    spec = importlib.util.find_spec(package)
    assert spec is not None, package
    assert spec.origin is not None, package
    sources = Path(spec.origin).parent.rglob("*.py")
    return [p for p in sources if not Path(importlib.util.cache_from_source(str(p))).exists()]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_of_the_workspace_packages_is_compiled(package: str) -> None:
    # Imported or not: a cache written on first import would cover only what was imported.
    missing = without_bytecode(package)
    assert not missing, f"{len(missing)} modules of {package} without bytecode: {missing[:3]}"


@pytest.mark.parametrize("service", ["imi", "mimir"])
def test_the_images_compile_bytecode_where_the_app_user_cannot(service: str) -> None:
    text = (ROOT / "services" / service / "Dockerfile").read_text()
    [install] = re.findall(r"uv pip install[^\n]*", text)
    assert "--compile-bytecode" in install
    assert re.search(r"^USER app$", text, flags=re.M)
