"""The whole story, as `make demo` tells it, against both services running as processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from harness import ROOT, Broker, ServiceProcess

pytestmark = pytest.mark.e2e

IMI_EVENTS = [
    "imi.project.registered",
    "imi.work.started",
    "imi.link.ticket_linked",
    "imi.work.git_state_updated",
    "imi.pr.created",
    "imi.pr.merged",
    "imi.work.completed",
    "imi.deploy.completed",
]


@pytest.fixture(scope="module")
def story(imi_process: ServiceProcess, mimir_process: ServiceProcess, broker: Broker) -> dict:  # type: ignore[type-arg]
    env = {
        **os.environ,
        "IMI_URL": imi_process.url,
        "MIMIR_URL": mimir_process.url,
        "BLOODBANK_URL": broker.url,
        # The demo publishes as an outside producer, with the producer's account.
        "BLOODBANK_USER": broker.accounts["producer"][0],
        "BLOODBANK_PASSWORD": broker.accounts["producer"][1],
        "IMI_API_KEY": "",
        "MIMIR_API_KEY": "",
    }
    run = subprocess.run(
        [sys.executable, str(ROOT / "deploy/demo/story.py"), "--json", "--ticket", "PROJ-7"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def test_the_trace_from_the_ticket_holds_the_whole_chain(story: dict) -> None:  # type: ignore[type-arg]
    trace = story["trace"]
    assert trace["kind"] == "ticket"
    assert trace["tickets"] == ["PROJ-7"]
    (item,) = trace["work_items"]
    assert item["branch_name"] == "feat/PROJ-7-login"
    assert item["status"] == "merged"
    assert [t["plane_ticket_id"] for t in item["ticket_links"]] == ["PROJ-7"]
    assert [(p["pr_number"], p["pr_state"]) for p in item["pr_links"]] == [(42, "merged")]
    assert [d["environment"] for d in item["deploy_links"]] == ["production"]
    (decision,) = trace["decisions"]
    assert decision["id"] == story["decision"]["id"]
    assert decision["status"] == "active"
    assert [(r["relation_type"], r["imi_id"]) for r in decision["relations"]] == [
        ("explains", item["id"])
    ]


def test_one_correlation_id_runs_through_both_services(story: dict) -> None:  # type: ignore[type-arg]
    assert story["correlation"]["imi"] == IMI_EVENTS
    assert sorted(story["correlation"]["mimir"]) == [
        "mimir.artifact.created",
        "mimir.decision.recorded",
        "mimir.relation.created",
        "mimir.relation.created",
    ]


def test_the_demo_prints_a_readable_tree(story: dict) -> None:  # type: ignore[type-arg]
    tree = story["tree"]
    assert "└── work feat/PROJ-7-login [feature, merged]" in tree
    assert "PR #42" in tree
    assert "deploy production" in tree
    assert 'decision "Sessions use short-lived signed cookies' in tree


def test_mimir_logs_the_request_id_for_the_imi_events_it_consumes(
    story: dict,  # type: ignore[type-arg]
    mimir_process: ServiceProcess,
) -> None:
    consumed = [
        line
        for line in mimir_process.logs()
        if line.get("message") == "event consumed"
        and str(line.get("event_type", "")).startswith("imi.")
        and story["story_id"] in line.get("correlation_ids", [])  # type: ignore[operator]
    ]
    assert {line["event_type"] for line in consumed} >= {"imi.work.started", "imi.pr.merged"}
    assert {line["queue"] for line in consumed} == {"mimir.imi_events"}
