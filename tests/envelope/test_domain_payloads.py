"""Payload models of the events imi produces and consumes: shapes producers actually send."""

import pytest

from envelope import InvalidPayload, registry
from envelope.events.ci import DeployFinished
from envelope.events.git import GitPullRequest, GitPush
from envelope.events.imi import StartWork, normalize_work_fields
from envelope.events.plane import PlaneWebhook, ticket_keys

IMI_EVENTS = [
    "imi.project.registered",
    "imi.project.updated",
    "imi.project.deactivated",
    "imi.work.started",
    "imi.work.git_state_updated",
    "imi.work.completed",
    "imi.link.ticket_linked",
    "imi.pr.created",
    "imi.pr.merged",
    "imi.pr.closed",
    "imi.deploy.completed",
    "imi.component.registered",
    "imi.cmd.failed",
]
CONSUMED = [
    "imi.cmd.register_project",
    "imi.cmd.start_work",
    "imi.cmd.complete_work",
    "imi.cmd.link_ticket",
    "plane.ticket.created",
    "plane.ticket.updated",
    "webhook.plane.issue.updated",
    "git.push",
    "git.pr.opened",
    "git.pr.merged",
    "git.pr.closed",
    "ci.deploy.completed",
    "tool.mutation.edit",
]


@pytest.mark.parametrize("event_type", IMI_EVENTS + CONSUMED)
def test_every_event_type_is_registered_and_documented(event_type: str) -> None:
    spec = registry.spec(event_type)
    assert spec.summary
    assert spec.producer


def test_short_forms_become_column_names() -> None:
    data = normalize_work_fields(
        {
            "branch": "b",
            "source": {"type": "plane_ticket", "ref": "P-1"},
            "ahead": 2,
            "uncommitted": 4,
        }
    )
    assert data == {
        "branch_name": "b",
        "source_type": "plane_ticket",
        "source_ref": "P-1",
        "ahead_of_trunk": 2,
        "has_uncommitted_changes": True,
        "uncommitted_files_count": 4,
    }
    assert normalize_work_fields({"branch": "short", "branch_name": "long"}) == {
        "branch_name": "long"
    }


def test_start_work_needs_a_project() -> None:
    with pytest.raises(InvalidPayload):
        registry.validate("imi.cmd.start_work", {"branch": "b"})
    command = StartWork.model_validate({"remote_origin": "r", "branch": "b"})
    assert command.source_type == "bloodbank_command"


def test_git_payloads_accept_host_spellings() -> None:
    push = GitPush.model_validate(
        {"remote_url": "r", "ref": "refs/heads/feat/x", "commits": [{"id": "abcdef1"}]}
    )
    assert push.branch == "feat/x"
    assert push.head is not None
    assert push.head.hash == "abcdef1"
    assert GitPush.model_validate({"remote_url": "r", "branch": "b", "after": "1234567"}).head
    pr = GitPullRequest.model_validate(
        {
            "remote_url": "r",
            "pr_number": 3,
            "head_branch": "refs/heads/b",
            "merge_commit_sha": "ab12",
        }
    )
    assert (pr.number, pr.head_branch, pr.merge_commit_hash) == (3, "b", "ab12")


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"identifier": "ABC-7"}, "ABC-7"),
        ({"project_detail": {"identifier": "ABC"}, "sequence_id": 8}, "ABC-8"),
        ({"project_identifier": "ABC", "sequence_id": 9}, "ABC-9"),
        ({"name": "ABC-10 broken login"}, "ABC-10"),
        ({"name": "no key"}, None),
    ],
)
def test_plane_webhook_ticket_key(data: dict[str, object], key: str | None) -> None:
    webhook = PlaneWebhook.model_validate({"event": "issue", "action": "updated", "data": data})
    assert webhook.is_issue
    assert webhook.ticket_key() == key


def test_ticket_keys_in_text() -> None:
    assert ticket_keys("feat/PROJ-12-x", None, "fix PROJ-12 and OPS-3") == ["PROJ-12", "OPS-3"]
    assert ticket_keys("lowercase proj-1") == []


def test_deploy_status() -> None:
    assert DeployFinished.model_validate({"environment": "prod", "sha": "abcdef1"}).succeeded
    failed = DeployFinished.model_validate(
        {"environment": "prod", "commit": "abcdef1", "status": "failed"}
    )
    assert not failed.succeeded
