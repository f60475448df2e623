"""The set-up's prerequisite detection and installation plan, on a fake host.

deploy/local/prerequisites runs for real under bash; the host is a temp root and a PATH
without pg_ctlcluster or rabbitmq-server (see tests/fake_host.py), with stand-ins for id,
sudo, apt-get and docker. tests/deploy/test_apt_install.py runs apt-get itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_host import FakeHost
from harness import ROOT

BUILD = ["dpkg-dev", "make", "gcc", "postgresql-server-dev-15"]
SERVERS = ["postgresql", "rabbitmq-server"]
TOOLS = ["git", "shellcheck"]
EVERYTHING = [*SERVERS, *BUILD, *TOOLS, "postgresql-15-pgvector"]


@pytest.fixture
def host(tmp_path: Path) -> FakeHost:
    return FakeHost.create(tmp_path)


def installed_packages(host: FakeHost) -> list[str]:
    """The package names of every `apt-get install` call, flags left out."""
    return [
        arg
        for call in host.calls("apt-get")
        if call[0] == "install"
        for arg in call[1:]
        if not arg.startswith("-") and "::" not in arg
    ]


def test_bare_root_host_installs_servers_build_tools_and_tools(host: FakeHost) -> None:
    result = host.run("ensure_prerequisites")
    assert result.returncode == 0, result.stderr
    assert [call[0] for call in host.calls("apt-get")] == ["install"]
    install = host.calls("apt-get")[0]
    assert {"-y", "--no-upgrade", "--no-install-recommends"} <= set(install)
    assert installed_packages(host) == [*SERVERS, *BUILD, *TOOLS]
    assert "installing with apt-get: postgresql rabbitmq-server" in result.stderr
    # Everything is found afterwards, so a second run asks apt for nothing.
    again = host.run("ensure_prerequisites; missing_packages")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert len(host.calls("apt-get")) == 1


def test_package_lists_are_fetched_when_apt_knows_no_package_yet(host: FakeHost) -> None:
    result = host.run("ensure_prerequisites", FAKE_NO_LISTS="1")
    assert result.returncode == 0, result.stderr
    assert [call[0] for call in host.calls("apt-get")] == ["install", "update", "install"]
    assert result.stderr.count("\n") == 1  # apt's complaint about the first try is not shown


def test_installed_host_is_left_alone(host: FakeHost) -> None:
    host.install(*EVERYTHING)
    result = host.run("ensure_prerequisites; runtime")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "local"
    assert result.stderr == ""
    assert host.calls("apt-get") == []
    assert host.calls("sudo") == []


def test_without_root_one_line_names_the_packages_and_both_ways(host: FakeHost) -> None:
    result = host.run("ensure_prerequisites", FAKE_UID="1000")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    expected = " ".join([*SERVERS, *BUILD, *TOOLS])
    assert f"'sudo apt-get install -y {expected}'" in lines[0]
    assert "no passwordless sudo" in lines[0]
    assert "Docker engine" in lines[0]
    assert host.calls("apt-get") == []
    assert host.calls("docker") == [["info"]]  # it looked for the other way first


def test_passwordless_sudo_installs_through_sudo(host: FakeHost) -> None:
    result = host.run("ensure_prerequisites", FAKE_UID="1000", FAKE_SUDO="yes")
    assert result.returncode == 0, result.stderr
    sudo_calls = host.calls("sudo")
    assert sudo_calls[0] == ["-n", "true"]
    assert any(call[:2] == ["-n", "env"] and "apt-get" in call for call in sudo_calls)
    assert installed_packages(host) == [*SERVERS, *BUILD, *TOOLS]


def test_without_root_only_tools_missing_is_a_warning(host: FakeHost) -> None:
    host.install(*SERVERS, "postgresql-15-pgvector")
    result = host.run("ensure_prerequisites", FAKE_UID="1000")
    assert result.returncode == 0
    assert "sudo apt-get install -y git shellcheck" in result.stderr
    assert "Docker" not in result.stderr


def test_rabbitmq_in_sbin_is_found_off_path(host: FakeHost) -> None:
    host.install("rabbitmq-server")
    assert not (host.bin / "rabbitmq-server").exists()
    result = host.run("rabbitmq_installed && find_tool rabbitmqctl")
    assert result.stdout.strip() == f"{host.root}/usr/sbin/rabbitmqctl"


def test_docker_engine_and_no_local_servers_chooses_compose(host: FakeHost) -> None:
    result = host.run("runtime; ensure_prerequisites", FAKE_UID="1000", FAKE_DOCKER_INFO="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "compose"
    assert host.calls("apt-get") == []
    assert "git shellcheck" in result.stderr  # tools are still named, servers are not
    assert "postgresql" not in result.stderr


def test_local_servers_win_over_docker(host: FakeHost) -> None:
    host.install("postgresql")
    result = host.run("runtime", FAKE_DOCKER_INFO="0")
    assert result.stdout.strip() == "local"
    assert host.calls("docker") == []  # installed servers decide before docker is asked


def test_run_with_overrides_the_choice(host: FakeHost) -> None:
    result = host.run("runtime", FAKE_DOCKER_INFO="0", RUN_WITH="local")
    assert result.stdout.strip() == "local"


def test_make_run_on_the_compose_path_says_so_and_starts_compose(host: FakeHost) -> None:
    result = host.run_file(str(ROOT / "deploy/local/run"), FAKE_UID="1000", FAKE_DOCKER_INFO="0")
    assert result.returncode == 0, result.stderr
    assert "running the compose stack" in result.stderr
    assert host.calls("docker")[-1] == ["compose", "up", "--build"]


def test_python_too_old_stops_before_anything_else(host: FakeHost) -> None:
    host.stub("python3", 'case "$*" in *version_info*) echo 3.9 ;; esac')
    result = host.run("ensure_prerequisites")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "bash: python3 is 3.9: needs Python 3.11+ (Debian 12 or newer ships it)"
    )
    assert host.calls("apt-get") == []


def test_python_without_venv_and_no_uv_adds_python3_venv(host: FakeHost) -> None:
    host.install(*EVERYTHING)
    host.stub("python3", 'case "$*" in *version_info*) echo 3.11 ;; *ensurepip*) exit 1 ;; esac')
    result = host.run("missing_packages")
    assert result.stdout.splitlines() == ["python python3-venv"]


def test_release_with_a_pgvector_package_installs_it_instead_of_building(host: FakeHost) -> None:
    result = host.run(
        "ensure_prerequisites", FAKE_DISTRO_MAJOR="17", FAKE_CANDIDATES="postgresql-17-pgvector"
    )
    assert result.returncode == 0, result.stderr
    assert installed_packages(host) == [*SERVERS, "postgresql-17-pgvector", *TOOLS]
    assert (host.root / "usr/share/postgresql/17/extension/vector.control").exists()


def test_existing_cluster_decides_the_server_headers(host: FakeHost) -> None:
    host.install("postgresql", major="16")
    result = host.run("pg_major; missing_packages")
    assert result.stdout.splitlines()[0] == "16"
    assert "server postgresql-server-dev-16" in result.stdout.splitlines()


def test_a_package_still_missing_after_apt_is_named(host: FakeHost) -> None:
    # apt "installs" PostgreSQL, but no cluster appears (one was dropped earlier, say).
    host.stub("apt-get", 'echo "apt-get $*" >> "$FAKE_CALLS"')
    host.install("rabbitmq-server", "postgresql-15-pgvector", *TOOLS)
    result = host.run("ensure_prerequisites")
    assert result.returncode == 1
    assert "still missing after apt-get: postgresql" in result.stderr
