"""ensure_superuser_login on a cluster set up the way Debian's package sets up a new one.

A throwaway cluster (initdb into a temp dir, its own port and socket, peer auth on the socket,
passwords over TCP) stands in for the one `apt-get install postgresql` creates; the machine's
own cluster is not touched. Needs root, for `runuser -u postgres`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from harness import ROOT, free_port

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/etc/postgresql").is_dir(), reason="needs root and PostgreSQL"
)


@dataclass
class Cluster:
    port: int
    socket_dir: Path

    def login(self, password: str | None) -> bool:
        try:
            psycopg.connect(
                host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                password=password or "", connect_timeout=5,
            ).close()  # fmt: skip
        except psycopg.OperationalError:
            return False
        return True

    def ensure_superuser_login(self, password: str) -> subprocess.CompletedProcess[str]:
        script = f'. "{ROOT}/deploy/local/prerequisites"\n'
        script += 'ensure_superuser_login "$1" && echo "$PGPASSWORD"'
        env = {**os.environ, "PGPORT": str(self.port), "PGHOST": str(self.socket_dir)}
        env.pop("PGPASSWORD", None)
        return subprocess.run(
            ["bash", "-c", script, "login", password],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)


@pytest.fixture
def fresh_cluster() -> Iterator[Cluster]:
    major = sorted(os.listdir("/etc/postgresql"), key=int)[-1]
    bin_dir = Path(f"/usr/lib/postgresql/{major}/bin")
    base = Path(tempfile.mkdtemp(prefix="fresh-cluster-"))
    shutil.chown(base, "postgres", "postgres")
    data, cluster = base / "data", Cluster(free_port(), base)
    as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=peer",
                "--auth-host=scram-sha-256")  # fmt: skip
    options = f"-p {cluster.port} -k {base} -c listen_addresses=127.0.0.1"
    as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
                str(base / "log"), "start")  # fmt: skip
    try:
        yield cluster
    finally:
        as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base)


def test_a_new_cluster_gets_the_password_once_and_keeps_it(fresh_cluster: Cluster) -> None:
    # One cluster for the three steps: initdb costs seconds.
    assert not fresh_cluster.login(None)
    result = fresh_cluster.ensure_superuser_login("the-first-secret-of-postgres")
    assert result.returncode == 0, result.stderr
    assert "giving the postgres role the password" in result.stderr
    assert result.stdout.strip() == "the-first-secret-of-postgres"  # exported for bootstrap
    assert fresh_cluster.login("the-first-secret-of-postgres")
    assert not fresh_cluster.login(None)

    again = fresh_cluster.ensure_superuser_login("the-first-secret-of-postgres")
    assert (again.returncode, again.stderr) == (0, "")

    # A role that has a password is never changed: a different .env is refused, not applied.
    other = fresh_cluster.ensure_superuser_login("another-secret-from-a-new-env")
    assert other.returncode == 1
    assert other.stderr.strip().endswith("put its password in .env as POSTGRES_PASSWORD")
    assert fresh_cluster.login("the-first-secret-of-postgres")
    assert not fresh_cluster.login("another-secret-from-a-new-env")
