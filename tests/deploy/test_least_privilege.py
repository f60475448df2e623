"""Each runtime role reads and writes its own schema's rows only; its migrator owns the schema;
statements and idle transactions of a runtime role are bounded by settings on the role."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
from harness import Database, run_id
from psycopg import errors


@pytest.mark.parametrize(("service", "other"), [("imi", "mimir"), ("mimir", "imi")])
def test_a_role_cannot_touch_the_other_schema(
    database: Database, imi_env: dict[str, str], mimir_env: dict[str, str], service: str, other: str
) -> None:
    for conninfo in (database.service_conninfo(service), database.migrator_conninfo(service)):
        with psycopg.connect(conninfo, autocommit=True) as conn:
            for statement in (
                f"SELECT count(*) FROM {other}.outbox",
                f"INSERT INTO {other}.inbox (event_id, event_type, queue) "
                "VALUES (gen_random_uuid(), 'x', 'y')",
                f"CREATE TABLE {other}.intruder (id int)",
                "CREATE TABLE public.intruder (id int)",
            ):
                with pytest.raises(errors.InsufficientPrivilege):
                    conn.execute(statement)  # type: ignore[call-overload]
            own = conn.execute(f"SELECT count(*) >= 0 FROM {service}.outbox")  # type: ignore[call-overload]
            assert own.fetchone() == (True,)


@pytest.mark.parametrize("service", ["imi", "mimir"])
def test_the_runtime_role_has_rows_only_and_the_migrator_owns_the_schema(
    database: Database, imi_env: dict[str, str], mimir_env: dict[str, str], service: str
) -> None:
    with psycopg.connect(database.service_conninfo(service), autocommit=True) as conn:
        for statement in (
            f"CREATE TABLE {service}.intruder (id int)",
            f"ALTER TABLE {service}.outbox ADD COLUMN intruder int",
            f"CREATE INDEX intruder ON {service}.outbox (id)",
            f"TRUNCATE {service}.inbox",
            f"DROP TABLE {service}.inbox",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)  # type: ignore[call-overload]
        with conn.transaction(force_rollback=True):
            conn.execute(
                f"INSERT INTO {service}.inbox (event_id, event_type, queue) "  # type: ignore[call-overload]
                "VALUES (gen_random_uuid(), 'x', 'y')"
            )
        settings = conn.execute(
            "SELECT current_setting('statement_timeout'), "
            "current_setting('idle_in_transaction_session_timeout')"
        ).fetchone()
        assert settings == ("30s", "1min")
    with psycopg.connect(database.migrator_conninfo(service)) as conn:
        owner = conn.execute(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s", (service,)
        ).fetchone()
        assert owner == (database.migrators[service],)
        conn.execute(f"CREATE TABLE {service}.scratch (id int)")  # type: ignore[call-overload]
        conn.rollback()


def test_services_cannot_create_extensions(database: Database, imi_env: dict[str, str]) -> None:
    with (
        psycopg.connect(database.service_conninfo("imi"), autocommit=True) as conn,
        pytest.raises(errors.InsufficientPrivilege),
    ):
        conn.execute("CREATE EXTENSION IF NOT EXISTS hstore")


@pytest.fixture(scope="module")
def short_timeouts() -> Iterator[Database]:
    """A database of its own, provisioned with one-second bounds on the runtime roles."""
    db = Database.create(run_id(), statement_timeout="1s", idle_timeout="1s")
    try:
        yield db
    finally:
        db.drop()


def test_a_slow_statement_is_cancelled_by_the_role_timeout(short_timeouts: Database) -> None:
    with psycopg.connect(short_timeouts.service_conninfo("imi")) as conn:
        with pytest.raises(errors.QueryCanceled, match="statement timeout"):
            conn.execute("SELECT pg_sleep(5)")
        conn.rollback()
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with psycopg.connect(short_timeouts.migrator_conninfo("imi")) as conn:
        # The migrator is not bounded: an index build may take as long as it takes.
        assert conn.execute("SELECT pg_sleep(1.5)").fetchone() == ("",)


def test_an_idle_transaction_is_ended_by_the_role_timeout(short_timeouts: Database) -> None:
    with psycopg.connect(short_timeouts.service_conninfo("mimir")) as conn:
        conn.execute("SELECT 1")  # opens the transaction
        time.sleep(2.5)
        with pytest.raises(errors.IdleInTransactionSessionTimeout):
            conn.execute("SELECT 1")
