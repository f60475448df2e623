"""Deterministic imi data sets, copied straight into the tables (setup, never timed)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg

from bench.core import copy_rows

WORK_COLUMNS = ("id", "project_id", "branch_name", "work_type", "owner_id", "last_commit_hash")


@dataclass
class WorkSet:
    """What a benchmark needs to address the loaded rows."""

    projects: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # id, remote
    items: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)  # id, remote, branch
    tickets: list[str] = field(default_factory=list)


def load_work(conninfo: str, items: int, per_project: int, seed: int, tag: str) -> WorkSet:
    """`items` active work items over `items / per_project` projects; every 4th item has a
    ticket link (shared by two items, so traces fan out) and every 8th a PR link."""
    rng = random.Random(seed)
    data = WorkSet()
    work_rows, ticket_rows, pr_rows = [], [], []
    for p in range(max(1, items // per_project)):
        project_id = uuid.UUID(int=rng.getrandbits(128))
        remote = f"git@example.com:{tag}/repo-{p}.git"
        data.projects.append((project_id, remote))
        for b in range(per_project):
            item_id = uuid.UUID(int=rng.getrandbits(128))
            branch = f"feature/{tag}-{p}-{b}"
            data.items.append((item_id, remote, branch))
            work_rows.append(
                (
                    item_id,
                    project_id,
                    branch,
                    "feature",
                    f"dev{b % 50}",
                    f"{rng.getrandbits(160):040x}",
                )
            )
            n = len(work_rows)
            if n % 4 == 0:
                key = f"{tag.upper()}-{n // 8 + 1}"
                ticket_rows.append((uuid.UUID(int=rng.getrandbits(128)), item_id, key))
                if n % 8 == 0:
                    data.tickets.append(key)
                    pr_rows.append((uuid.UUID(int=rng.getrandbits(128)), item_id, n % 100000 + 1))
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        copy_rows(
            cur,
            "imi.projects",
            ("id", "name", "remote_origin"),
            ((pid, remote.rsplit("/", 1)[1], remote) for pid, remote in data.projects),
        )
        copy_rows(cur, "imi.work_items", WORK_COLUMNS, work_rows)
        copy_rows(cur, "imi.ticket_links", ("id", "work_item_id", "plane_ticket_id"), ticket_rows)
        copy_rows(cur, "imi.pr_links", ("id", "work_item_id", "pr_number"), pr_rows)
        conn.commit()
        conn.execute("ANALYZE")
    return data


def load_mimir(conninfo: str, data: WorkSet, every: int, seed: int) -> int:
    """A decision related to every `every`-th loaded work item and an artifact to every
    project, as imi's projection of mimir holds them; the number of relations."""
    rng = random.Random(seed)
    entities, relations = [], []

    def relate(kind: str, imi_type: str, imi_id: uuid.UUID, title: str) -> None:
        entity_id = uuid.UUID(int=rng.getrandbits(128))
        entities.append(
            (entity_id, kind, title, "active" if kind == "decision" else None, entity_id)
        )
        relation_id = uuid.UUID(int=rng.getrandbits(128))
        relations.append(
            (relation_id, entity_id, imi_type, imi_id, "explains", "from_mimir", relation_id)
        )

    for i, (item_id, _, branch) in enumerate(data.items):
        if i % every == 0:
            relate("decision", "work_item", item_id, f"why {branch}")
    for project_id, remote in data.projects:
        relate("artifact", "project", project_id, remote)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        copy_rows(
            cur, "imi.mimir_entities", ("id", "kind", "title", "status", "last_event_id"), entities
        )
        copy_rows(
            cur,
            "imi.mimir_relations",
            (
                "relation_id",
                "mimir_id",
                "imi_type",
                "imi_id",
                "relation_type",
                "direction",
                "last_event_id",
            ),
            relations,
        )
        conn.commit()
        conn.execute("ANALYZE imi.mimir_entities, imi.mimir_relations")
    return len(relations)


def load_deploys(conninfo: str, data: WorkSet, every: int, seed: int) -> int:
    """A staging deploy of every `every`-th loaded work item's last commit; the number of
    deploy links."""
    rng = random.Random(seed)
    deployed = datetime(2026, 11, 1, tzinfo=UTC)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        commits = dict(cur.execute("SELECT id, last_commit_hash FROM imi.work_items").fetchall())
        rows = [
            (uuid.UUID(int=rng.getrandbits(128)), item_id, f"deploy-{i}", commits[item_id])
            for i, (item_id, _, _) in enumerate(data.items)
            if i % every == 0
        ]
        copy_rows(
            cur,
            "imi.deploy_links",
            ("id", "work_item_id", "deploy_id", "commit_hash", "environment", "deployed_at"),
            ((*row, "staging", deployed) for row in rows),
        )
        conn.commit()
        conn.execute("ANALYZE imi.deploy_links")
    return len(rows)
