"""Generated hostile requests against both OpenAPI documents: never a 5xx, every 4xx shaped.

schemathesis derives requests from each running service's own OpenAPI document, including
values outside the documented schemas; a bounded number of examples per operation keeps the
run short.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from harness import ServiceProcess
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.e2e

EXAMPLES = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx: Any, value: Any) -> bytes:
    """Bulk uploads: a generated list is one JSON document per line, anything else one line."""
    del ctx
    lines = value if isinstance(value, list) else [value]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def check(case: Any) -> None:
    response = case.call(timeout=30)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
    if response.status_code >= 400:
        detail = response.json()["detail"]
        assert set(detail) == {"code", "message", "params"}, response.text[:300]


def fuzz(url: str) -> list[str]:
    """Run every operation of the service's OpenAPI document; return the failures."""
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:

        @given(case=operation.as_strategy())
        @EXAMPLES
        def run(case: Any) -> None:
            check(case)

        try:
            run()
        except AssertionError as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    return failures


def test_imi_survives_generated_requests(imi_process: ServiceProcess) -> None:
    assert fuzz(imi_process.url) == []


def test_mimir_survives_generated_requests(mimir_process: ServiceProcess) -> None:
    assert fuzz(mimir_process.url) == []
