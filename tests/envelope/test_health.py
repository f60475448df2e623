"""/health says 503 when the database cannot be reached, and the service keeps serving."""

from harness import running

from imi.main import create_app
from imi.settings import ImiSettings


async def test_health_is_503_when_the_database_is_unreachable(imi_settings: ImiSettings) -> None:
    broken = imi_settings.model_copy(update={"db_port": 1})
    async with running(create_app(broken)) as client:
        response = await client.get("/health")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert response.json()["database"] == "down"
        again = await client.get("/health")
        assert again.status_code == 503
