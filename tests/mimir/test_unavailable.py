"""When the database cannot be reached, requests fail fast with 503 and Retry-After."""

from __future__ import annotations

import httpx

from mimir.main import create_app
from mimir.settings import MimirSettings


async def test_database_down_is_503_in_the_error_shape(mimir_settings: MimirSettings) -> None:
    settings = mimir_settings.model_copy(
        update={"db_port": 1, "db_pool_timeout": 0.5, "embedding_worker": False}
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post(
                "/api/v1/decisions", json={"statement": "cannot be stored"}
            )
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.json()["detail"]["code"] == "SERVICE_UNAVAILABLE"
