"""`make bench`: every benchmark against its raw baseline, in one run, on throwaway servers."""

from __future__ import annotations

import asyncio
import sys

from bench import relay
from bench.core import Figure, harness, write_report

BENCHMARKS = {"relay": relay.run}


async def main(selected: list[str]) -> list[Figure]:
    rid = harness.run_id()
    database, broker = harness.Database.create(rid), harness.Broker.create(rid)
    figures: list[Figure] = []
    try:
        env = {
            "database": database,
            "broker": broker,
            "amqp_url": broker.amqp_url,
            "conninfo": harness.scratch_messaging_schema(database, "bench"),
            "schema": "bench",
        }
        for name, benchmark in BENCHMARKS.items():
            if selected and name not in selected:
                continue
            print(f"== {name}", flush=True)
            for figure in await benchmark(env):
                print("  " + figure.line(), flush=True)
                figures.append(figure)
    finally:
        database.drop()
        broker.drop()
    return figures


if __name__ == "__main__":
    results = asyncio.run(main(sys.argv[1:]))
    json_path, md_path = write_report(results, plots=[])
    print(f"results: {json_path} and {md_path}")
