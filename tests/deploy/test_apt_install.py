"""The installation path for real: deploy/local/prerequisites' apt_install runs apt-get.

Marked `packages`: it changes this host's package set (and puts it back), so a shared host
skips it with `-m "not packages"`; CI runs it as root. The running PostgreSQL and RabbitMQ
are never touched: naming their installed packages must be a no-op.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import psycopg
import pytest
from harness import PG_ADMIN_DSN, ROOT

pytestmark = [
    pytest.mark.packages,
    pytest.mark.skipif(
        shutil.which("apt-get") is None or os.geteuid() != 0, reason="needs apt-get as root"
    ),
]

# pgvector's own Debian build dependency: one small package, nothing else pulled in.
SMALL_MISSING_PACKAGE = "postgresql-server-dev-all"


def apt_install(*packages: str) -> subprocess.CompletedProcess[str]:
    script = f'. "{ROOT}/deploy/local/prerequisites"; apt_install "$@"'
    return subprocess.run(
        ["bash", "-c", script, "apt_install", *packages],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def dpkg_state(*packages: str) -> dict[str, str]:
    """package -> "<status> <version>"; packages dpkg never heard of are left out."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\t${db:Status-Abbrev}${Version}\n", *packages],
        capture_output=True,
        text=True,
        check=False,
    )
    return dict(line.split("\t", 1) for line in result.stdout.splitlines())


def installed(package: str) -> bool:
    return dpkg_state(package).get(package, "").startswith("ii")


def postmaster_started() -> object:
    with psycopg.connect(PG_ADMIN_DSN) as conn:
        return conn.execute("SELECT pg_postmaster_start_time()").fetchone()


def test_installed_server_packages_are_left_exactly_as_they_are() -> None:
    major = sorted(os.listdir("/etc/postgresql"), key=int)[-1]
    packages = ["postgresql", "rabbitmq-server", "dpkg-dev", "make", "gcc"]
    packages.append(f"postgresql-server-dev-{major}")
    assert all(installed(package) for package in packages)
    before, started = dpkg_state(*packages), postmaster_started()
    result = apt_install(*packages)
    assert result.returncode == 0, result.stderr
    assert dpkg_state(*packages) == before
    assert postmaster_started() == started  # no upgrade, no restart


def test_a_missing_package_is_installed() -> None:
    if installed(SMALL_MISSING_PACKAGE):
        pytest.skip(f"{SMALL_MISSING_PACKAGE} is already installed on this host")
    try:
        result = apt_install(SMALL_MISSING_PACKAGE)
        assert result.returncode == 0, result.stderr
        assert installed(SMALL_MISSING_PACKAGE)
    finally:
        if installed(SMALL_MISSING_PACKAGE):
            subprocess.run(
                ["apt-get", "purge", "-y", "-qq", SMALL_MISSING_PACKAGE],
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                capture_output=True,
                check=True,
            )
