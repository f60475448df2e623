"""Payload models of the events imi produces and consumes: shapes producers actually send."""

from typing import Any

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
    "imi.pr.reopened",
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


GITHUB_PR = {
    "action": "closed",
    "number": 42,
    "pull_request": {
        "number": 42,
        "title": "Retry payments",
        "html_url": "https://github.com/team/shop/pull/42",
        "head": {"ref": "feature/PAY-7-retries", "sha": "c0ffee1"},
        "base": {"ref": "main"},
        "merged": True,
        "merge_commit_sha": "5eed1234",
        "user": {"login": "dana"},
    },
    "repository": {"clone_url": "https://github.com/team/shop.git"},
}
GITLAB_MR = {
    "object_kind": "merge_request",
    "user": {"username": "sam"},
    "project": {"git_http_url": "https://gitlab.example/team/shop.git"},
    "object_attributes": {
        "iid": 9,
        "title": "Retry payments",
        "url": "https://gitlab.example/team/shop/-/merge_requests/9",
        "source_branch": "feature/PAY-7-retries",
        "target_branch": "main",
        "merge_commit_sha": "5eed1234",
        "state": "merged",
    },
}


@pytest.mark.parametrize(
    ("body", "remote", "number", "url", "author"),
    [
        (
            GITHUB_PR,
            "https://github.com/team/shop.git",
            42,
            "https://github.com/team/shop/pull/42",
            "dana",
        ),
        (
            GITLAB_MR,
            "https://gitlab.example/team/shop.git",
            9,
            GITLAB_MR["object_attributes"]["url"],
            "sam",
        ),  # type: ignore[index]
    ],
    ids=["github", "gitlab"],
)
def test_pull_requests_accept_the_hosts_webhook_bodies(
    body: dict[str, Any], remote: str, number: int, url: str, author: str
) -> None:
    pr = GitPullRequest.model_validate(body)
    assert (pr.remote_url, pr.number, pr.url, pr.author) == (remote, number, url, author)
    assert (pr.head_branch, pr.base_branch) == ("feature/PAY-7-retries", "main")
    assert (pr.title, pr.merge_commit_hash) == ("Retry payments", "5eed1234")


def test_fields_the_body_names_itself_win_over_the_hosts() -> None:
    pr = GitPullRequest.model_validate({**GITHUB_PR, "remote_url": "git@github.com:team/shop"})
    assert pr.remote_url == "git@github.com:team/shop"


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
    assert ticket_keys("feature/PB-82c1-x", "OUT-0276c25c", "(AB-3)", "x_CD-4_y") == [
        "AB-3",
        "CD-4",
    ]


def test_one_text_links_fifty_keys_at_most() -> None:
    message = " ".join(f"ABC-{n}" for n in range(5000))
    assert ticket_keys(message, "OPS-1 ABC-1") == [f"ABC-{n}" for n in range(50)] + ["OPS-1"]


def test_a_key_is_no_longer_than_a_ticket_id_may_be() -> None:
    assert ticket_keys("A" * 300 + "-1", "OPS-2") == ["OPS-2"]


def test_a_long_run_of_capitals_is_read_once() -> None:
    # Tried from each of its characters, such a title took minutes (pytest-timeout stops it).
    assert ticket_keys("T" * 300_000, "T1" * 150_000) == []
    assert ticket_keys("T" * 300_000 + " OPS-3") == ["OPS-3"]


def test_deploy_status() -> None:
    assert DeployFinished.model_validate({"environment": "prod", "sha": "abcdef1"}).succeeded
    failed = DeployFinished.model_validate(
        {"environment": "prod", "commit": "abcdef1", "status": "failed"}
    )
    assert not failed.succeeded
