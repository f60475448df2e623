"""`make bench`: every benchmark against its raw baseline, in one run, on throwaway servers.

`python -m bench [name ...]` runs only the named benchmarks; `BENCH_SCALE` (default 1.0)
multiplies every data set and run size (0.1 for a quick run).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import harness

from bench import (
    bulk_vectors,
    embedding,
    imi_api,
    imi_consumer,
    ingest,
    mimir_memory,
    mimir_search,
    post_to_event,
    projection,
    relay,
)
from bench.core import Figure, write_report
from bench.services import SCALE, Services
from envelope import Topology

PLOTS: list[Path] = []
BENCHMARKS = {
    "relay": relay.run,
    "post_to_event": post_to_event.run,
    "imi_consumer": imi_consumer.run,
    "imi_api": imi_api.run,
    "mimir_memory": mimir_memory.run,
    "mimir_search": mimir_search.run,
    "ingest": ingest.run,
    "bulk_vectors": bulk_vectors.run,
    "embedding": embedding.run,
    "projection": projection.run,
}


async def main(selected: list[str]) -> list[Figure]:
    rid = harness.run_id()
    database, broker = harness.Database.create(rid), harness.Broker.create(rid)
    services = Services(database, broker)
    figures: list[Figure] = []
    try:
        await broker.declare(Topology.installed())
        env = {
            "database": database,
            "broker": broker,
            "amqp_url": broker.amqp_url,
            "conninfo": harness.scratch_messaging_schema(database, "bench"),
            "schema": "bench",
            "services": services,
            "plots": PLOTS,
        }
        services.start()
        print(f"BENCH_SCALE={SCALE}; service logs in {services.logs}", flush=True)
        for name, benchmark in BENCHMARKS.items():
            if selected and name not in selected:
                continue
            print(f"== {name}", flush=True)
            for figure in await benchmark(env):
                print("  " + figure.line(), flush=True)
                figures.append(figure)
        print("== memory", flush=True)
        for figure in services.memory():
            print("  " + figure.line(), flush=True)
            figures.append(figure)
    finally:
        services.stop()
        database.drop()
        broker.drop()
    return figures


if __name__ == "__main__":
    results = asyncio.run(main(sys.argv[1:]))
    json_path, md_path = write_report(results, plots=PLOTS)
    print(f"results: {json_path} and {md_path}")
