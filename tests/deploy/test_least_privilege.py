"""Each service role owns its schema and cannot read or write the other's."""

from __future__ import annotations

import psycopg
import pytest
from harness import Database
from psycopg import errors


@pytest.mark.parametrize(("service", "other"), [("imi", "mimir"), ("mimir", "imi")])
def test_a_role_cannot_touch_the_other_schema(
    database: Database, imi_env: dict[str, str], mimir_env: dict[str, str], service: str, other: str
) -> None:
    with psycopg.connect(database.service_conninfo(service), autocommit=True) as conn:
        for statement in (
            f"SELECT count(*) FROM {other}.outbox",
            f"INSERT INTO {other}.inbox (event_id, event_type, queue) "
            "VALUES (gen_random_uuid(), 'x', 'y')",
            f"CREATE TABLE {other}.intruder (id int)",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)  # type: ignore[call-overload]
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE public.intruder (id int)")
        own = conn.execute(f"SELECT count(*) >= 0 FROM {service}.outbox")  # type: ignore[call-overload]
        assert own.fetchone() == (True,)


def test_services_cannot_create_extensions(database: Database, imi_env: dict[str, str]) -> None:
    with (
        psycopg.connect(database.service_conninfo("imi"), autocommit=True) as conn,
        pytest.raises(errors.InsufficientPrivilege),
    ):
        conn.execute("CREATE EXTENSION IF NOT EXISTS hstore")
