"""Throwaway infrastructure for one test or benchmark run: a database with its roles, a broker
vhost, the services as processes.

Everything is named after the run id and removed afterwards, so the shared PostgreSQL and
RabbitMQ are left as they were found and concurrent runs never meet. A package of the
repository's root, so that both `tests/` (pytest's `pythonpath`) and `bench/` (run with
`python -m bench` from the root) import it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg import sql

from envelope import EXCHANGE, Topology, declare_topology
from harness.servers import in_container, provide

provide()  # containers for the servers this host has not got (see servers.py)
ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
PROVISION_SQL = ROOT / "deploy" / "postgres" / "provision.sql"
PG_CONTAINER, RABBITMQ_CONTAINER = "TEST_PG_CONTAINER", "TEST_RABBITMQ_CONTAINER"


def _superuser_password() -> str:
    """POSTGRES_PASSWORD from the environment or .env: on a host bootstrap installed, the
    postgres role logs in over TCP with it (a trust setup ignores it)."""
    if "POSTGRES_PASSWORD" in os.environ:
        return os.environ["POSTGRES_PASSWORD"]
    env_file = ROOT / ".env"
    lines = env_file.read_text().splitlines() if env_file.exists() else []
    values = dict(line.split("=", 1) for line in lines if "=" in line and line[:1] != "#")
    return values.get("POSTGRES_PASSWORD", "")


PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN") or psycopg.conninfo.make_conninfo(
    "postgresql://postgres@127.0.0.1:5432/postgres", password=_superuser_password() or None
)
AMQP_HOST = os.environ.get("TEST_AMQP_HOST", "127.0.0.1:5672")
MANAGEMENT_URL = os.environ.get("TEST_MANAGEMENT_URL", "http://127.0.0.1:15672")


def run_id() -> str:
    return uuid.uuid4().hex[:10]


@dataclass
class Database:
    """A fresh database provisioned like production: schemas imi/mimir, each owned by its
    migrator role, and a DML-only runtime role per service."""

    name: str
    admin_dsn: str
    roles: dict[str, str] = field(default_factory=dict)  # service -> runtime role
    passwords: dict[str, str] = field(default_factory=dict)  # service -> its password
    migrators: dict[str, str] = field(default_factory=dict)  # service -> migrator role
    migrator_passwords: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return psycopg.conninfo.conninfo_to_dict(self.admin_dsn).get("host", "127.0.0.1")  # type: ignore[return-value]

    @property
    def port(self) -> int:
        return int(psycopg.conninfo.conninfo_to_dict(self.admin_dsn).get("port", 5432))  # type: ignore[arg-type]

    def admin_conninfo(self) -> str:
        return psycopg.conninfo.make_conninfo(self.admin_dsn, dbname=self.name)

    def service_conninfo(self, service: str) -> str:
        return self.conninfo(self.roles[service], self.passwords[service])

    def migrator_conninfo(self, service: str) -> str:
        return self.conninfo(self.migrators[service], self.migrator_passwords[service])

    def conninfo(self, user: str, password: str) -> str:
        return psycopg.conninfo.make_conninfo(
            self.admin_dsn, dbname=self.name, user=user, password=password
        )

    @classmethod
    def create(cls, rid: str, **variables: str) -> Database:
        """`variables` go to provision.sql (e.g. statement_timeout="1s")."""
        db = cls(name=f"test_{rid}", admin_dsn=PG_ADMIN_DSN)
        for service in ("imi", "mimir"):
            db.roles[service] = f"{service}_test_{rid}"
            db.passwords[service] = secrets.token_urlsafe(24)
            db.migrators[service] = f"{service}_migrator_test_{rid}"
            db.migrator_passwords[service] = secrets.token_urlsafe(24)
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.name)))
        db.provision(db.name, **variables)
        return db

    def provision(self, dbname: str, **variables: str) -> None:
        """Run deploy/postgres/provision.sql in `dbname` with this run's roles."""
        values = {
            **{f"{s}_role": role for s, role in self.roles.items()},
            **{f"{s}_migrator": role for s, role in self.migrators.items()},
            **variables,
        }
        passwords = {
            **{f"{s.upper()}_DB_PASSWORD": pw for s, pw in self.passwords.items()},
            **{f"{s.upper()}_MIGRATOR_PASSWORD": pw for s, pw in self.migrator_passwords.items()},
        }
        args = [arg for name, value in values.items() for arg in ("-v", f"{name}={value}")]
        target = psycopg.conninfo.make_conninfo(self.admin_dsn, dbname=dbname)
        if os.environ.get(PG_CONTAINER):  # psql inside the container, over its own socket
            target = f"dbname={dbname} user=postgres"
        command = ["psql", "-X", "-q", target, "-f", "-", *args]
        subprocess.run(
            in_container(PG_CONTAINER, command, **passwords),
            input=PROVISION_SQL.read_text(),
            env={**os.environ, **passwords},
            text=True,
            check=True,
            capture_output=True,
        )

    def drop(self) -> None:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
            for role in [*self.roles.values(), *self.migrators.values()]:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


USAGE_ERROR = 64


def rabbitmqctl(*args: str, stdin: str | None = None) -> str:
    """Run a rabbitmqctl command; its output. Under load from concurrent runs the CLI now and
    then exits with a spurious usage error, which is retried."""
    for attempt in range(3):
        command = in_container(RABBITMQ_CONTAINER, ["rabbitmqctl", "-q", *args])
        result = subprocess.run(command, input=stdin, text=True, capture_output=True, check=False)
        if result.returncode != USAGE_ERROR:
            break
        time.sleep(0.5 * (attempt + 1))
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {args[0]} failed: {result.stderr.strip()[:500]}")
    return result.stdout


BROKER_PERMISSIONS = ROOT / "deploy" / "rabbitmq" / "permissions"


def broker_permissions() -> dict[str, tuple[str, str, str, str]]:
    """account -> (configure, write, read, topic write), as deploy/rabbitmq/permissions says."""
    rows = {}
    for line in BROKER_PERMISSIONS.read_text().splitlines():
        if line and not line.startswith("#"):
            account, configure, write, read, topic = line.split("\t")
            rows[account] = (configure, write, read, topic)
    return rows


@dataclass
class Broker:
    """A vhost on the local RabbitMQ with an operator's user (everything) and one account per
    service and for outside producers, each with the permissions production gives it."""

    vhost: str
    user: str
    password: str
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # -> (user, password)

    @property
    def url(self) -> str:
        """Without credentials, as services take it (`BLOODBANK_URL`)."""
        return f"amqp://{AMQP_HOST}/{self.vhost}"

    @property
    def amqp_url(self) -> str:
        return f"amqp://{self.user}:{self.password}@{AMQP_HOST}/{self.vhost}"

    async def declare(self, topology: Topology) -> None:
        """The topology step, as the run's operator."""
        await declare_topology(topology, self.amqp_url, MANAGEMENT_URL)

    def account_url(self, account: str) -> str:
        user, password = self.accounts[account]
        return f"amqp://{user}:{password}@{AMQP_HOST}/{self.vhost}"

    @classmethod
    def create(cls, rid: str) -> Broker:
        if shutil.which("rabbitmqctl") is None and not os.environ.get(RABBITMQ_CONTAINER):
            raise RuntimeError("tests need rabbitmqctl to make a throwaway vhost")
        broker = cls(vhost=f"test_{rid}", user=f"test_{rid}", password=secrets.token_urlsafe(24))
        try:
            rabbitmqctl("add_vhost", broker.vhost)
            broker.add_user(broker.user, broker.password, (".*", ".*", ".*", ".*"))
            rabbitmqctl("set_user_tags", broker.user, "policymaker")
            for account, permissions in broker_permissions().items():
                if account != "admin":  # the run's own user stands in for the operator
                    user, password = f"{account}_test_{rid}", secrets.token_urlsafe(24)
                    broker.accounts[account] = (user, password)
                    broker.add_user(user, password, permissions)
        except BaseException:
            broker.drop()
            raise
        return broker

    def add_user(self, user: str, password: str, permissions: tuple[str, str, str, str]) -> None:
        configure, write, read, topic = permissions
        rabbitmqctl("add_user", user, stdin=password + "\n")
        rabbitmqctl("set_permissions", "-p", self.vhost, user, configure, write, read)
        rabbitmqctl("set_topic_permissions", "-p", self.vhost, user, EXCHANGE, topic, ".*")

    def drop(self) -> None:
        """Remove the vhost and every user made for it (after a failed `create`, those that
        were made)."""
        users = {line.split("\t")[0] for line in rabbitmqctl("list_users").splitlines()}
        if self.vhost in rabbitmqctl("list_vhosts").split():
            rabbitmqctl("delete_vhost", self.vhost)
        for user in [self.user, *(user for user, _ in self.accounts.values())]:
            if user in users:
                rabbitmqctl("delete_user", user)


def _database_env(prefix: str, db: Database) -> dict[str, str]:
    return {
        f"{prefix}_DB_HOST": db.host,
        f"{prefix}_DB_PORT": str(db.port),
        f"{prefix}_DB_NAME": db.name,
    }


def service_env(service: str, db: Database, broker: Broker, **extra: str) -> dict[str, str]:
    """Environment variables that point a service at the run's database and broker."""
    prefix = service.upper()
    return {
        **_database_env(prefix, db),
        f"{prefix}_DB_USER": db.roles[service],
        f"{prefix}_DB_PASSWORD": db.passwords[service],
        f"{prefix}_API_KEY": "",
        f"{prefix}_WORKERS": "1",  # one process, so a run's connections stay few
        f"{prefix}_BROKER_USER": broker.accounts[service][0],
        f"{prefix}_BROKER_PASSWORD": broker.accounts[service][1],
        "BLOODBANK_URL": broker.url,
        **extra,
    }


def migrator_env(service: str, db: Database) -> dict[str, str]:
    """What the one-off migration step of `service` gets: the schema owner's account only."""
    prefix = service.upper()
    return {
        **_database_env(prefix, db),
        f"{prefix}_MIGRATOR_USER": db.migrators[service],
        f"{prefix}_MIGRATOR_PASSWORD": db.migrator_passwords[service],
    }


def migrate(service: str, db: Database) -> None:
    """Apply `service`'s migrations as its migrator, as `make migrate` does."""
    subprocess.run(
        ["alembic", "-c", "alembic.ini", "upgrade", "head"],
        cwd=ROOT / "services" / service,
        env={**os.environ, **migrator_env(service, db)},
        check=True,
        capture_output=True,
    )


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 10.0) -> T:
    """Poll `check` until it returns something truthy, and return that; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        await asyncio.sleep(0.05)


async def settled_health(client: httpx.AsyncClient) -> dict[str, Any]:
    """`/health` once the service is connected to the broker and its outbox has drained."""

    async def settled() -> dict[str, Any] | None:
        response = await client.get("/health")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body if body["broker"] == "up" and body["outbox_backlog"] == 0 else None

    return await eventually(settled)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServiceProcess:
    """A service started as `make run` starts it (`python -m <service>`), on a free port."""

    service: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ServiceProcess:
        prefix = self.service.upper()
        env = {
            **os.environ,
            **self.env,
            f"{prefix}_HOST": "127.0.0.1",
            f"{prefix}_PORT": str(self.port),
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.service], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.service} exited: {self.log_path.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=1).json().get("broker") == "up":
                    return self
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.service} did not become healthy: {self.log_path.read_text()[-2000:]}"
        )

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def logs(self) -> list[dict[str, object]]:
        """The service's JSON log lines so far."""
        lines = []
        for line in self.log_path.read_text().splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                if isinstance(entry := json.loads(line), dict):
                    lines.append(entry)
        return lines


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan (bus, relay, consumers) running, and a client on it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def scratch_messaging_schema(db: Database, schema: str) -> str:
    """A schema with an outbox and inbox in the run's database, for library-level tests."""
    from types import SimpleNamespace

    import sqlalchemy as sa

    from envelope import create_messaging_tables

    admin = db.admin_conninfo()
    engine = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(admin))
    with engine.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
        create_messaging_tables(SimpleNamespace(get_bind=lambda: conn), schema)
    engine.dispose()
    return admin


def postgres(action: str) -> None:
    """Stop or start the local PostgreSQL cluster (the one tests run against)."""
    if os.environ.get(PG_CONTAINER):
        pytest.skip("stopping PostgreSQL needs the local cluster, not the run's container")
    major = sorted(os.listdir("/etc/postgresql"), key=int)[-1]
    args = ["pg_ctlcluster", "--skip-systemctl-redirect", major, "main", action]
    subprocess.run([*args, "-m", "fast"] if action == "stop" else args, check=True)
    if action == "start":
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(psycopg.OperationalError):
                psycopg.connect(PG_ADMIN_DSN, connect_timeout=1).close()
                return
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not come back")


async def publish(amqp_url: str, *envelopes: Any) -> None:
    """Publish envelopes as an outside producer would: persistent, confirmed, mandatory."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(EXCHANGE)
        for envelope in envelopes:
            message = aio_pika.Message(
                envelope.to_json(),
                message_id=str(envelope.event_id),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await exchange.publish(message, routing_key=envelope.event_type, mandatory=True)


def scalar(conninfo: str, query: str, *params: Any) -> Any:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(query, params).fetchone()  # type: ignore[call-overload]
    return row[0] if row else None
