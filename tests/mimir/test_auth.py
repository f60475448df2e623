"""With an API key configured, /api/v1 needs X-API-Key; /health stays open."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from mimir.main import create_app
from mimir.settings import MimirSettings

KEY = "a-test-key-that-is-long-enough"


async def test_api_key_guards_the_api_but_not_health(mimir_settings: MimirSettings) -> None:
    settings = mimir_settings.model_copy(
        update={"api_key": SecretStr(KEY), "embedding_worker": False}
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            missing = await client.get("/api/v1/decisions")
            assert missing.status_code == 401
            assert missing.json()["detail"]["code"] == "UNAUTHORIZED"
            wrong = await client.get("/api/v1/decisions", headers={"X-API-Key": "nope"})
            assert wrong.status_code == 401
            right = await client.get("/api/v1/decisions", headers={"X-API-Key": KEY})
            assert right.status_code == 200
            # the key is checked before the route is found or the body read
            for method, path, body in (
                ("POST", "/api/v1/artifacts", b"{bad"),
                ("PUT", "/api/v1/artifacts", b""),
                ("GET", "/api/v1/no-such-thing", b""),
            ):
                refused = await client.request(method, path, content=body)
                assert refused.status_code == 401, (method, path, refused.text)
                assert refused.json()["detail"]["code"] == "UNAUTHORIZED"
            keyed = await client.post(
                "/api/v1/artifacts", content=b"{bad", headers={"X-API-Key": KEY}
            )
            assert keyed.status_code == 422
            assert (await client.get("/health")).status_code == 200
            assert (await client.get("/openapi.json")).status_code == 200
