"""Payload models of `git.*` events (pushes and pull requests, relayed from the git host).

A repository is named by `remote_url`, the same string a project registers as its
`remote_origin` (a trailing `.git` is ignored when matching).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from envelope._registry import registry
from envelope.limits import REF_LENGTH, URL_LENGTH, CommitHash

BRANCH_REF_PREFIX = "refs/heads/"
INT32_MAX = 2**31 - 1


def _strip_ref(data: Any, field: str) -> Any:
    if isinstance(data, dict) and isinstance(data.get(field), str):
        data = {**data, field: data[field].removeprefix(BRANCH_REF_PREFIX)}
    return data


class GitCommit(BaseModel):
    model_config = ConfigDict(extra="allow")

    hash: CommitHash = Field(validation_alias=AliasChoices("hash", "id", "sha"))
    message: str = ""
    timestamp: datetime | None = None


class GitPush(BaseModel):
    """`git.push`: commits pushed to a branch. The last commit in `commits` (or `after`) is head.

    `ahead_of_trunk` / `behind_trunk`, when the relay knows them, update the work item's
    git state; otherwise only the last commit changes. `branch` also accepts `ref`
    (`refs/heads/<branch>`).
    """

    model_config = ConfigDict(extra="allow")

    remote_url: str = Field(min_length=1, max_length=URL_LENGTH)
    branch: str = Field(
        validation_alias=AliasChoices("branch", "ref"), min_length=1, max_length=REF_LENGTH
    )
    before: str | None = None
    after: CommitHash | None = None
    commits: list[GitCommit] = Field(default_factory=list)
    ahead_of_trunk: int | None = Field(default=None, ge=0, le=INT32_MAX)
    behind_trunk: int | None = Field(default=None, ge=0, le=INT32_MAX)
    pusher: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _branch_from_ref(cls, data: Any) -> Any:
        return _strip_ref(_strip_ref(data, "ref"), "branch")

    @property
    def head(self) -> GitCommit | None:
        if self.commits:
            return self.commits[-1]
        return GitCommit(hash=self.after) if self.after else None


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _from_host_webhook(data: Any) -> Any:
    """Fields of GitHub's `pull_request` or GitLab's `merge_request` webhook body, under our
    names; a field the body names itself wins."""
    if not isinstance(data, dict):
        return data
    if isinstance(data.get("pull_request"), dict):  # GitHub
        found = {
            "remote_url": _dig(data, "repository", "clone_url"),
            "number": _dig(data, "pull_request", "number"),
            "title": _dig(data, "pull_request", "title"),
            "url": _dig(data, "pull_request", "html_url"),
            "head_branch": _dig(data, "pull_request", "head", "ref"),
            "base_branch": _dig(data, "pull_request", "base", "ref"),
            "merge_commit_hash": _dig(data, "pull_request", "merge_commit_sha"),
            "merged": _dig(data, "pull_request", "merged"),
            "author": _dig(data, "pull_request", "user", "login"),
        }
    elif data.get("object_kind") == "merge_request":  # GitLab
        found = {
            "remote_url": _dig(data, "project", "git_http_url"),
            "number": _dig(data, "object_attributes", "iid"),
            "title": _dig(data, "object_attributes", "title"),
            "url": _dig(data, "object_attributes", "url"),
            "head_branch": _dig(data, "object_attributes", "source_branch"),
            "base_branch": _dig(data, "object_attributes", "target_branch"),
            "merge_commit_hash": _dig(data, "object_attributes", "merge_commit_sha"),
            "author": _dig(data, "user", "username"),
        }
    else:
        return data
    aliases = {
        "number": ("pr_number",),
        "url": ("html_url",),
        "merge_commit_hash": ("merge_commit_sha",),
    }
    given = {k for k in found if k in data or any(a in data for a in aliases.get(k, ()))}
    return {**data, **{k: v for k, v in found.items() if v is not None and k not in given}}


class GitPullRequest(BaseModel):
    """`git.pr.opened|merged|closed`: a pull request from `head_branch` changed state.

    For `git.pr.merged`, `merge_commit_hash` becomes the work item's merge commit. The body of
    GitHub's pull-request webhook (`pull_request.head.ref`, `repository.clone_url`, ...) and
    of GitLab's merge-request webhook (`object_attributes.source_branch`, ...) is accepted as
    the relay sends it.
    """

    model_config = ConfigDict(extra="allow")

    remote_url: str = Field(min_length=1, max_length=URL_LENGTH)
    number: int = Field(validation_alias=AliasChoices("number", "pr_number"), gt=0, le=INT32_MAX)
    title: str | None = None
    url: str | None = Field(default=None, validation_alias=AliasChoices("url", "html_url"))
    head_branch: str = Field(min_length=1, max_length=REF_LENGTH)
    base_branch: str | None = None
    merge_commit_hash: CommitHash | None = Field(
        default=None, validation_alias=AliasChoices("merge_commit_hash", "merge_commit_sha")
    )
    author: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _branch_from_ref(cls, data: Any) -> Any:
        return _strip_ref(_from_host_webhook(data), "head_branch")


registry.register(
    "git.push", GitPush, producer="git", summary="Commits were pushed to a branch of a remote."
)
for _action in ("opened", "merged", "closed"):
    registry.register(
        f"git.pr.{_action}",
        GitPullRequest,
        producer="git",
        summary=f"A pull request was {_action}.",
    )
