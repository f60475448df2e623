"""Session fixtures: one database and one broker vhost per test run, migrated, then removed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from harness import Broker, Database, ServiceProcess, migrate, run_id, running, service_env

from envelope import ServiceSettings, Topology
from imi.settings import ImiSettings
from mimir.settings import MimirSettings

# The services read `.env` themselves; the tests' settings come from each test's environment.
os.environ["ENV_FILE"] = ""


@pytest.fixture(scope="session")
def rid() -> str:
    return run_id()


@pytest.fixture(scope="session")
def database(rid: str) -> Iterator[Database]:
    db = Database.create(rid)
    try:
        yield db
    finally:
        db.drop()


@pytest.fixture(scope="session")
def broker(rid: str) -> Iterator[Broker]:
    vhost = Broker.create(rid)
    try:
        asyncio.run(vhost.declare(Topology.installed()))
        yield vhost
    finally:
        vhost.drop()


@pytest.fixture(scope="session")
def imi_env(database: Database, broker: Broker) -> dict[str, str]:
    migrate("imi", database)
    return service_env("imi", database, broker)


@pytest.fixture(scope="session")
def mimir_env(database: Database, broker: Broker) -> dict[str, str]:
    migrate("mimir", database)
    return service_env("mimir", database, broker)


def _settings(settings_class: type[ServiceSettings], env: dict[str, str]) -> ServiceSettings:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        return settings_class.load()


@pytest.fixture(scope="session")
def imi_settings(imi_env: dict[str, str]) -> ImiSettings:
    return _settings(ImiSettings, imi_env)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def mimir_settings(mimir_env: dict[str, str]) -> MimirSettings:
    return _settings(MimirSettings, mimir_env)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def imi_app(imi_settings: ImiSettings) -> FastAPI:
    from imi.main import create_app

    return create_app(imi_settings)


@pytest.fixture(scope="session")
async def imi_client(imi_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running(imi_app) as client:
        yield client


@pytest.fixture(scope="session")
def mimir_app(mimir_settings: MimirSettings) -> FastAPI:
    from mimir.main import create_app

    return create_app(mimir_settings)


@pytest.fixture(scope="session")
async def mimir_client(mimir_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running(mimir_app) as client:
        yield client


@pytest.fixture(scope="session")
def logs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service-logs")


@pytest.fixture(scope="session")
def imi_process(imi_env: dict[str, str], logs_dir: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess("imi", imi_env, logs_dir / "imi.log").start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def mimir_process(mimir_env: dict[str, str], logs_dir: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess("mimir", mimir_env, logs_dir / "mimir.log").start()
    yield process
    process.stop()
