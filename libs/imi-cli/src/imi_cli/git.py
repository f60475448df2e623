"""What the CLI reads from a git repository, through the `git` command."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from service_cli import CliError


def git(path: Path, *args: str, check: bool = True) -> str:
    """`git -C path args...`'s stdout, stripped; a `CliError` naming the command on failure."""
    executable = shutil.which("git")
    if executable is None:
        raise CliError("git is not installed")
    result = subprocess.run(  # noqa: S603 - fixed executable, arguments are not a shell line
        [executable, "-C", str(path), *args], capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        reason = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
        raise CliError(f"git {' '.join(args)} failed in {path}: {reason}")
    return result.stdout.strip() if result.returncode == 0 else ""


@dataclass(frozen=True)
class Repository:
    """A local clone: its top-level path and the URL of its `origin` remote."""

    path: Path
    remote: str

    @classmethod
    def at(cls, path: Path) -> Repository:
        top = git(path, "rev-parse", "--show-toplevel")
        remote = git(Path(top), "remote", "get-url", "origin", check=False)
        if not remote:
            raise CliError(f"{top} has no remote 'origin'")
        return cls(Path(top), remote)

    @property
    def name(self) -> str:
        """The remote's last path part without `.git` (`git@host:team/x.git` → `x`)."""
        tail = self.remote.rstrip("/").replace(":", "/").rsplit("/", 1)[-1]
        return tail.removesuffix(".git") or self.path.name

    def default_branch(self) -> str:
        """origin's HEAD branch if known, else a local `main` or `master`, else the current one."""
        head = git(self.path, "symbolic-ref", "--short", "refs/remotes/origin/HEAD", check=False)
        if head:
            return head.removeprefix("origin/")
        for candidate in ("main", "master"):
            if self._has(f"refs/heads/{candidate}"):
                return candidate
        return self.current_branch()

    def current_branch(self) -> str:
        branch = git(self.path, "symbolic-ref", "--short", "HEAD", check=False)
        if not branch:
            raise CliError(f"{self.path} is not on a branch (detached HEAD)")
        return branch

    def ahead_behind(self, trunk: str) -> tuple[int, int]:
        """Commits of HEAD not in the trunk, and of the trunk not in HEAD. The trunk is
        `origin/<trunk>` when that ref exists, else the local branch."""
        ref = f"origin/{trunk}" if self._has(f"refs/remotes/origin/{trunk}") else trunk
        if not self._has(ref):
            raise CliError(f"no branch {trunk!r} in {self.path} to compare with")
        behind, ahead = git(
            self.path, "rev-list", "--left-right", "--count", f"{ref}...HEAD"
        ).split()
        return int(ahead), int(behind)

    def uncommitted_files(self) -> int:
        """Changed, staged and untracked files (`git status --porcelain` lines)."""
        status = git(self.path, "status", "--porcelain")
        return len(status.splitlines()) if status else 0

    def last_commit(self) -> tuple[str, str] | None:
        """Hash and subject of HEAD; None before the first commit."""
        line = git(self.path, "log", "-1", "--format=%H%n%s", check=False)
        if not line:
            return None
        commit, _, subject = line.partition("\n")
        return commit, subject

    def _has(self, ref: str) -> bool:
        return bool(git(self.path, "rev-parse", "--verify", "--quiet", ref, check=False))
