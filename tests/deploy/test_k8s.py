"""deploy/k8s: each overlay builds, production passes checkov, core kinds match their schemas,
and the broker topology and accounts match what the services declare in code."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from harness import ROOT, broker_permissions

from envelope import Topology, registry

K8S = ROOT / "deploy" / "k8s"
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
# Offline: no guideline download, the Kubernetes checks only.
CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_FRAMEWORK": "kubernetes", "PATH": "/usr/bin:/bin"}
KUBERNETES_VERSION = "1.32"
OUTSIDE_PRODUCERS = {"git", "plane", "ci", "hookd", "orchestrator", "agents"}

needs_kubectl = pytest.mark.skipif(
    shutil.which("kubectl") is None,
    reason="kubectl is not installed: the kustomize overlays cannot be built here",
)


def build(overlay: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["kubectl", "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def production() -> list[dict[str, Any]]:
    return build("production")


@pytest.fixture(scope="module")
def development() -> list[dict[str, Any]]:
    return build("development")


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [doc for doc in of_kind(docs, kind) if doc["metadata"]["name"] == name]
    return found


async def declared_registry() -> dict[str, Any]:
    """The registry as docs/generate.py derives it from the running services' code now."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "docs" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    files: dict[Path, str] = await generate.documents()
    document: dict[str, Any] = yaml.safe_load(files[ROOT / "deploy/bloodbank/registry.yaml"])
    return document


@needs_kubectl
def test_production_holds_every_kind_the_system_needs(production: list[dict[str, Any]]) -> None:
    kinds = {doc["kind"] for doc in production}
    assert kinds >= {
        "Cluster",
        "ScheduledBackup",
        "RabbitmqCluster",
        "Exchange",
        "Queue",
        "Binding",
        "Policy",
        "User",
        "Permission",
        "TopicPermission",
        "Deployment",
        "Job",
        "Service",
        "Ingress",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ScaledObject",
        "TriggerAuthentication",
    }
    assert named(production, "Cluster", "bloodbank-pg")["spec"]["instances"] == 3
    assert named(production, "Cluster", "bloodbank-pg")["spec"]["backup"]["barmanObjectStore"]
    assert named(production, "RabbitmqCluster", "bloodbank-rabbitmq")["spec"]["replicas"] == 3
    assert all(d["spec"]["replicas"] >= 2 for d in of_kind(production, "Deployment"))
    assert "Secret" not in kinds


@needs_kubectl
def test_development_fits_one_small_cluster(development: list[dict[str, Any]]) -> None:
    assert named(development, "Cluster", "bloodbank-pg")["spec"]["instances"] == 1
    assert named(development, "RabbitmqCluster", "bloodbank-rabbitmq")["spec"]["replicas"] == 1
    assert {d["spec"]["replicas"] for d in of_kind(development, "Deployment")} == {1}
    kinds = {doc["kind"] for doc in development}
    assert not kinds & {"ScaledObject", "ScheduledBackup", "PodDisruptionBudget"}


def is_core(api_version: str) -> bool:
    """`v1`, `apps/v1`, `networking.k8s.io/v1`: Kubernetes' own API groups."""
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


@needs_kubectl
@pytest.mark.parametrize("overlay", ["production", "development"])
def test_core_kinds_validate_against_their_schemas(overlay: str) -> None:
    # Operator kinds (CloudNativePG, RabbitMQ, KEDA) have no schema in the package.
    core = [doc for doc in build(overlay) if is_core(doc["apiVersion"])]
    assert {doc["kind"] for doc in core} >= {"Deployment", "Job", "NetworkPolicy", "Service"}
    for doc in core:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@needs_kubectl
def test_services_run_hardened_with_secrets_by_reference(production: list[dict[str, Any]]) -> None:
    for workload in of_kind(production, "Deployment") + of_kind(production, "Job"):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        (container,) = pod["containers"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert {"mountPath": "/tmp", "name": "tmp"} in container["volumeMounts"]  # noqa: S108
        assert container["resources"]["limits"]["memory"]
        for variable in container["env"]:
            secret_like = re.search(r"PASSWORD|API_KEY", variable["name"])
            assert not secret_like or "secretKeyRef" in variable.get("valueFrom", {}), variable
    for deployment in of_kind(production, "Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/health"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    for job in of_kind(production, "Job"):
        env = {v["name"]: v for v in job["spec"]["template"]["spec"]["containers"][0]["env"]}
        service = job["metadata"]["name"].removesuffix("-migrate").upper()
        assert env[f"{service}_MIGRATOR_USER"]["value"].endswith("_migrator")
        assert f"{service}_DB_PASSWORD" not in env


@needs_kubectl
@pytest.mark.parametrize("overlay", ["production", "development"])
def test_each_pod_runs_one_server_process(overlay: str) -> None:
    # By default a service runs a process per CPU of its limit, each with its own pool, relay,
    # consumers and (mimir) model; the memory limits and MAX_REPLICAS's connection budget
    # count one per pod.
    for deployment in of_kind(build(overlay), "Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {v["name"]: v.get("value") for v in container["env"]}
        service = deployment["metadata"]["name"].upper()
        assert env[f"{service}_WORKERS"] == "1", deployment["metadata"]["name"]


@needs_kubectl
def test_checkov_passes_on_production_with_each_skip_explained(
    production: list[dict[str, Any]], tmp_path: Path
) -> None:
    if not CHECKOV.exists():
        pytest.skip(f"checkov is not installed at {CHECKOV.relative_to(ROOT)}: run `make setup`")
    manifest = tmp_path / "production.yaml"
    manifest.write_text(yaml.safe_dump_all(production))
    result = subprocess.run(
        [str(CHECKOV), "--quiet", "--compact", "--skip-download", "-f", str(manifest)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=CHECKOV_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Failed checks: 0," in result.stdout
    assert re.search(r"Passed checks: [1-9]", result.stdout), result.stdout
    for doc in production:
        for key, value in (doc["metadata"].get("annotations") or {}).items():
            if key.startswith("checkov.io/skip"):
                assert re.fullmatch(r"CKV_K8S_\d+=\S.{20,}", value), (key, value)


@needs_kubectl
async def test_broker_topology_is_what_the_services_declare(
    production: list[dict[str, Any]],
) -> None:
    services = (await declared_registry())["services"]
    declared = {q: set(keys) for entry in services.values() for q, keys in entry["queues"].items()}
    queues = {doc["spec"]["name"]: doc["spec"] for doc in of_kind(production, "Queue")}
    assert set(queues) == set(declared) | {f"{q}.dlq" for q in declared}
    assert {spec["type"] for spec in queues.values()} == {"quorum"}
    bound: dict[str, set[tuple[str, str]]] = {}
    for binding in of_kind(production, "Binding"):
        spec = binding["spec"]
        bound.setdefault(spec["source"], set()).add((spec["destination"], spec["routingKey"]))
    assert bound["bloodbank.events.v1"] == {(q, k) for q, keys in declared.items() for k in keys}
    assert bound["bloodbank.dlx"] == {(f"{q}.dlq", q) for q in declared}
    # The policies the topology step sets on every other host.
    policies = {
        doc["spec"]["name"]: (doc["spec"]["pattern"], doc["spec"]["definition"])
        for doc in of_kind(production, "Policy")
    }
    expected = Topology.installed().policies()
    assert policies == {p.name: (p.pattern, p.definition) for p in expected}
    assert {p.definition.get("dead-letter-routing-key") for p in expected} >= set(declared)
    scaled = {doc["metadata"]["name"]: doc for doc in of_kind(production, "ScaledObject")}
    for service, entry in services.items():
        triggers = scaled[service]["spec"]["triggers"]
        assert {t["metadata"].get("queueName") for t in triggers} == set(entry["queues"]) | {None}
        assert "cpu" in {t["type"] for t in triggers}


def may_publish(docs: list[dict[str, Any]], user: str, routing_key: str) -> bool:
    (topic,) = [d for d in of_kind(docs, "TopicPermission") if d["metadata"]["name"] == user]
    return re.match(topic["spec"]["permissions"]["write"], routing_key) is not None


@needs_kubectl
def test_each_account_publishes_only_its_own_families(production: list[dict[str, Any]]) -> None:
    by_producer: dict[str, list[str]] = {}
    for spec in registry:
        by_producer.setdefault(spec.producer, []).append(spec.event_type.replace("#", "x"))
    for own, other in (("imi", "mimir"), ("mimir", "imi")):
        assert all(may_publish(production, own, key) for key in by_producer[own])
        assert not any(may_publish(production, own, key) for key in by_producer[other])
    outside = [key for producer in OUTSIDE_PRODUCERS for key in by_producer[producer]]
    assert all(may_publish(production, "bloodbank-producer", key) for key in outside)
    assert not may_publish(production, "bloodbank-producer", "mimir.decision.recorded")
    assert not may_publish(production, "bloodbank-producer", "imi.work.started")
    table = broker_permissions()  # what the bootstrap and compose's broker grant
    for account in table.keys() - {"admin"}:
        user = account if account in ("imi", "mimir") else f"bloodbank-{account}"
        rights = named(production, "Permission", user)["spec"]["permissions"]
        topic = named(production, "TopicPermission", user)["spec"]["permissions"]
        assert (rights["configure"], rights["write"], rights["read"], topic["write"]) == table[
            account
        ]
    imi = named(production, "Permission", "imi")["spec"]["permissions"]
    assert re.match(imi["read"], "imi.git_events")
    assert not re.match(imi["read"], "mimir.commands")
    assert not re.match(imi["configure"], "mimir.imi_events")
