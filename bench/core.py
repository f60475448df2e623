"""What every benchmark shares: its throwaway infrastructure, figures and the report."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import statistics
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


@dataclass
class Figure:
    """One measured value beside its baseline from the same run."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None
    notes: str = ""
    skipped: bool = False
    samples: list[float] = field(default_factory=list, repr=False)

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.value / self.baseline

    def line(self) -> str:
        if self.skipped:
            return f"{self.name}: skipped ({self.notes})"
        ratio = f"  ratio {self.ratio:.2f}" if self.ratio is not None else ""
        base = f" (baseline {self.baseline:,.1f} {self.unit})" if self.baseline else ""
        verdict = {True: "  target met", False: "  TARGET MISSED", None: ""}[self.met]
        return f"{self.name}: {self.value:,.1f} {self.unit}{base}{ratio}{verdict}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_summary(samples_ms: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(samples_ms, 50),
        "p95": percentile(samples_ms, 95),
        "p99": percentile(samples_ms, 99),
        "mean": statistics.fmean(samples_ms) if samples_ms else float("nan"),
    }


def write_report(figures: list[Figure], plots: list[Path]) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": _cpus(),
        "when": datetime.now(UTC).isoformat(),
    }
    data = {
        "machine": machine,
        "figures": [
            {**{k: v for k, v in asdict(f).items() if k != "samples"}, "ratio": f.ratio}
            for f in figures
        ],
    }
    json_path = RESULTS / f"{stamp}.json"
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    rows = [
        "| figure | value | baseline | ratio | target | met | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        baseline = f"{f.baseline:,.1f} ({f.baseline_name})" if f.baseline else "—"
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[f.met]
        value = "skipped" if f.skipped else f"{f.value:,.1f} {f.unit}"
        rows.append(
            f"| {f.name} | {value} | {baseline} | {ratio} | {f.target} | {met} | {f.notes} |"
        )
    images = "\n".join(f"![{p.stem}]({p.name})" for p in plots)
    md_path = RESULTS / f"{stamp}.md"
    md_path.write_text(
        f"# Benchmark results {stamp}\n\n"
        f"Machine: {machine['cpus']} CPUs, {machine['machine']}, Python {machine['python']}. "
        "Each figure was measured beside its baseline in the same run on the same servers.\n\n"
        + "\n".join(rows)
        + "\n\n"
        + images
        + "\n"
    )
    return json_path, md_path


def _cpus() -> int:
    return os.cpu_count() or 0


def plot_latencies(name: str, series: dict[str, list[float]]) -> Path:
    """A PNG of latency percentiles (p50..p99) per series, for the markdown summary."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    quantiles = [50, 75, 90, 95, 99]
    figure, axes = plt.subplots(figsize=(6, 3.5))
    for label, samples in series.items():
        axes.plot(quantiles, [percentile(samples, q) for q in quantiles], marker="o", label=label)
    axes.set_xlabel("percentile")
    axes.set_ylabel("latency (ms)")
    axes.set_title(name)
    axes.grid(alpha=0.3)
    axes.legend()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-{name.replace(' ', '-')}.png"
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def copy_rows(cur: Any, table: str, columns: tuple[str, ...], rows: Iterable[Any]) -> None:
    """COPY `rows` into `table` ("schema.table" or "table") through a psycopg cursor."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a service's processes (its workers too) have used so far."""
    import psutil

    total = 0.0
    for member in process_tree(pid):
        times = psutil.Process(member).cpu_times()
        total += times.user + times.system
    return total


def process_tree(pid: int) -> list[int]:
    """A service's process and its children (its worker processes)."""
    import psutil

    process = psutil.Process(pid)
    return [pid, *(child.pid for child in process.children(recursive=True))]


def rss_mb(pid: int) -> float:
    """Resident set size of a service's processes together, in MB."""
    import psutil

    return float(sum(psutil.Process(p).memory_info().rss for p in process_tree(pid))) / 1e6


@contextlib.asynccontextmanager
async def autovacuums(conninfo: str) -> AsyncIterator[set[str]]:
    """The autovacuum and analyze work seen in this database while the block runs (sampled
    each 0.1 s), so that a figure that misses can say what ran beside it."""
    import psycopg

    seen: set[str] = set()
    done = asyncio.Event()

    async def sample() -> None:
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
            while not done.is_set():
                cursor = await conn.execute(
                    "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
                    " AND backend_type = 'autovacuum worker'"
                )
                seen.update(row[0].removeprefix("autovacuum: ") for row in await cursor.fetchall())
                await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    try:
        yield seen
    finally:
        done.set()
        await sampler


def vacuum_note(seen: set[str]) -> str:
    return "autovacuum meanwhile: " + (", ".join(sorted(seen)) or "none")
