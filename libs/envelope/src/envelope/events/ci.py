"""Payload models of `ci.*` events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from envelope._registry import registry
from envelope.limits import IDENTIFIER_LENGTH, KEY_LENGTH, URL_LENGTH, CommitHash

SUCCESSFUL_DEPLOY_STATUSES = frozenset({"success", "succeeded", "completed", "deployed"})


class DeployFinished(BaseModel):
    """`ci.deploy.<anything>`: a pipeline deployed `commit_hash` to `environment`.

    Only a successful `status` creates deploy links (in imi, on every work item whose last or
    merge commit starts with `commit_hash`; a `deploy_id` already recorded there is not linked
    twice). `remote_url`, when given, narrows the match to one project.
    """

    model_config = ConfigDict(extra="allow")

    deploy_id: str | None = Field(
        default=None,
        max_length=IDENTIFIER_LENGTH,
        validation_alias=AliasChoices("deploy_id", "id"),
    )
    environment: str = Field(min_length=1, max_length=KEY_LENGTH)
    commit_hash: CommitHash = Field(validation_alias=AliasChoices("commit_hash", "commit", "sha"))
    status: str = "succeeded"
    deployed_at: datetime | None = None
    remote_url: str | None = Field(None, max_length=URL_LENGTH)
    url: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status.lower() in SUCCESSFUL_DEPLOY_STATUSES


registry.register(
    "ci.deploy.*",
    DeployFinished,
    producer="ci",
    summary="A CI/CD pipeline deployed a commit to an environment.",
)
