"""A fake Debian host for the set-up scripts: a temp root and a PATH of our choosing.

The scripts under test (deploy/local/prerequisites, doctor, run) are the real ones, run by
the real bash; only the host around them is made up. `root` stands in for / (PREREQ_ROOT),
`bin` is the whole PATH: real coreutils and python3 linked in, plus stand-ins for what the
host may or may not have. The stand-in apt-get "installs" a package by creating the files the
scripts look for, so a run can be checked twice: what it asked for, and that it then finds
everything. Every call to apt-get, sudo and docker is recorded in `calls`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from harness import ROOT

REAL_TOOLS = (
    "bash", "env", "cat", "sort", "head", "tail", "awk", "sed", "grep", "find", "xargs",
    "basename", "dirname", "timeout", "mkdir", "touch", "chmod", "ls", "rm", "true",
)  # fmt: skip
PYTHON = Path(sys.executable).resolve()

# Files a package leaves behind that the scripts look for ("bin/x" lands on PATH).
PACKAGE_FILES = {
    "postgresql": ["bin/pg_ctlcluster", "etc/postgresql/{major}/main/postgresql.conf"],
    "rabbitmq-server": ["usr/sbin/rabbitmq-server", "usr/sbin/rabbitmqctl"],
    "dpkg-dev": ["bin/dpkg-source"],
    "make": ["bin/make"],
    "gcc": ["bin/gcc"],
    "git": ["bin/git"],
    "shellcheck": ["bin/shellcheck"],
    "postgresql-server-dev-{major}": ["usr/include/postgresql/{major}/server/postgres.h"],
    "postgresql-{major}-pgvector": ["usr/share/postgresql/{major}/extension/vector.control"],
}

STUBS = {
    "id": 'case "$1" in -u) echo "${FAKE_UID:-0}" ;; *) echo "uid=${FAKE_UID:-0}" ;; esac',
    "sudo": (
        'echo "sudo $*" >> "$FAKE_CALLS"\n'
        '[ "${FAKE_SUDO:-no}" = yes ] || { echo "sudo: a password is required" >&2; exit 1; }\n'
        '[ "$1" = -n ] && shift\nexec "$@"'
    ),
    "docker": (
        'echo "docker $*" >> "$FAKE_CALLS"\n'
        'if [ "$1" = info ]; then exit "${FAKE_DOCKER_INFO:-1}"; fi'
    ),
    "apt-cache": (
        'case "$1" in\n'
        '  depends) echo "postgresql"; echo "  Depends: postgresql-${FAKE_DISTRO_MAJOR:-15}" ;;\n'
        '  policy) case " ${FAKE_CANDIDATES:-} " in *" $2 "*) echo "  Candidate: 1.0" ;;'
        ' *) echo "  Candidate: (none)" ;; esac ;;\n'
        "esac"
    ),
}


def apt_get_stub() -> str:
    """Records the call; `install` creates each named package's files (see PACKAGE_FILES)."""
    cases = []
    for package, files in PACKAGE_FILES.items():
        paths = " ".join(
            f'"$FAKE_BIN/{name[4:]}"' if name.startswith("bin/") else f'"$PREREQ_ROOT/{name}"'
            for name in files
        )
        cases.append(f"    {package.format(major='$m')}) files=({paths.format(major='$m')}) ;;")
    return "\n".join([
        'while [ "$1" = -o ]; do shift 2; done',
        'echo "apt-get $*" >> "$FAKE_CALLS"',
        '[ "$1" = install ] || exit 0',
        "# a fresh image knows no package until the lists are fetched",
        'if [ -n "${FAKE_NO_LISTS:-}" ] && ! grep -q "^apt-get update" "$FAKE_CALLS"; then',
        '  echo "E: Unable to locate package $2" >&2; exit 100',
        "fi",
        'm=${FAKE_DISTRO_MAJOR:-15}',
        'for package in "$@"; do',
        '  files=()',
        '  case "$package" in',
        *cases,
        "  esac",
        '  for file in "${files[@]}"; do',
        '    mkdir -p "$(dirname "$file")"',
        '    printf "#!/bin/sh\\nexit 0\\n" > "$file"; chmod 755 "$file"',
        "  done",
        "done",
    ])  # fmt: skip


@dataclass
class FakeHost:
    base: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.base / "root"

    @property
    def bin(self) -> Path:
        return self.base / "bin"

    @property
    def calls_file(self) -> Path:
        return self.base / "calls"

    @classmethod
    def create(cls, base: Path) -> FakeHost:
        host = cls(base)
        host.bin.mkdir(parents=True)
        host.root.mkdir()
        host.calls_file.touch()
        for tool in REAL_TOOLS:
            real = shutil.which(tool)
            assert real is not None, tool
            (host.bin / tool).symlink_to(real)
        (host.bin / "python3").symlink_to(PYTHON)
        for name, body in {**STUBS, "apt-get": apt_get_stub()}.items():
            host.stub(name, body)
        host.env = {
            "PATH": str(host.bin),
            "PREREQ_ROOT": str(host.root),
            "FAKE_CALLS": str(host.calls_file),
            "FAKE_BIN": str(host.bin),
            "TOOLS_DIR": str(base / "tools"),
            "HOME": str(base),
        }
        return host

    def stub(self, name: str, body: str) -> None:
        path = self.bin / name
        path.unlink(missing_ok=True)
        path.write_text(f"#!{shutil.which('bash')}\n{body}\n")
        path.chmod(0o755)

    def install(self, *packages: str, major: str = "15") -> None:
        for package in packages:
            install_files(package, self.root, self.bin, major)

    def calls(self, program: str) -> list[list[str]]:
        lines = self.calls_file.read_text().splitlines()
        return [line.split()[1:] for line in lines if line.split()[0] == program]

    def run(self, script: str, **env: str) -> subprocess.CompletedProcess[str]:
        """bash with prerequisites sourced, then `script`; env adds FAKE_* settings."""
        command = f'. "{ROOT}/deploy/local/prerequisites"\n{script}'
        return self.run_file("-c", command, **env)

    def run_file(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / "bash"), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=self.base,
        )


def install_files(package: str, root: Path, bin_dir: Path, major: str) -> None:
    for pattern, files in PACKAGE_FILES.items():
        if pattern.format(major=major) != package:
            continue
        for name in files:
            path = name.format(major=major)
            target = bin_dir / path[4:] if path.startswith("bin/") else root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("#!/bin/sh\nexit 0\n")
            target.chmod(0o755)
