"""Building each embedding space's HNSW index, as the schema's owner, without blocking writes.

The service's role may not run DDL, so a space created (or re-sized) by a request has no index
until this runs: `python -m mimir.embedding.indexes` once (the migration step does) or with
`--watch SECONDS` beside the service. Each index is built `CONCURRENTLY`, so inserts and
searches go on meanwhile; an index left invalid by a failed build, or built for other
dimensions, is dropped and built again; the index of a deleted space is dropped. A space
whose bulk load deferred its index (`index_deferred_until` in the future) is left without one
until the load ends.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import psycopg
import structlog
from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row

from envelope import InsecureSettings, configure_logging
from mimir.embedding import queries
from mimir.embedding.pgvector import OPCLASSES, dimensions_literal, index_name
from mimir.embedding.schemas import Space
from mimir.settings import MimirSettings
from mimir.sql import Conn
from mimir.tables import HNSW_INDEX_PREFIX

log = structlog.get_logger("mimir.indexes")

# Candidates kept while an HNSW index is built: at pgvector's default (64) two builds over
# 100k clustered 384-d vectors found 0.904 and 0.948 of the exact top 10, at 128 0.992 and
# 0.988, whatever the search's `hnsw.ef_search`; the build takes about 1.4 times as long.
EF_CONSTRUCTION = 128


def wanted_definition(space: Space) -> tuple[str, str, str]:
    """Fragments the space's index definition must contain: its cast, operator class and
    build parameter (an index built before them is built again)."""
    return (
        f"vector({int(space.dimensions)})",
        OPCLASSES[space.distance],
        f"ef_construction='{EF_CONSTRUCTION}'",
    )


async def build_space_indexes(conn: Conn) -> list[str]:
    """Make every space's index exist, valid and current; the names of those (re)built.

    `conn` must be in autocommit mode (CONCURRENTLY cannot run in a transaction) and log in
    as the schema's owner.
    """
    spaces = {HNSW_INDEX_PREFIX + space.id.hex: space for space in await queries.list_spaces(conn)}
    kept = set()
    for index in await queries.list_hnsw_indexes(conn, HNSW_INDEX_PREFIX):
        space = spaces.get(index.name)
        if (
            space is not None
            and index.valid
            and all(part in index.definition for part in wanted_definition(space))
        ):
            kept.add(index.name)
        else:
            await queries.drop_hnsw_index(conn, sql.Identifier(index.name))
    # A space under a bulk load that deferred its index gets it back when the load ends.
    deferred = await queries.list_deferred_spaces(conn)
    built = []
    for name, space in spaces.items():
        if name in kept or space.id in deferred:
            continue
        log.info("building space index", space=space.name, index=name)
        await queries.create_hnsw_index(
            conn,
            index=index_name(space.id),
            dimensions=dimensions_literal(space.dimensions),
            opclass=sql.SQL(OPCLASSES[space.distance]),
            space_id=sql.Literal(space.id),
            ef_construction=sql.Literal(EF_CONSTRUCTION),
        )
        built.append(name)
    return built


async def build_once(settings: MimirSettings) -> list[str]:
    conn = await AsyncConnection.connect(
        settings.migrator_conninfo, autocommit=True, row_factory=dict_row
    )
    async with conn:
        return await build_space_indexes(conn)


async def run(settings: MimirSettings, watch: float | None) -> None:
    """Once (failing loudly), or every `watch` seconds (logging failures and going on)."""
    if watch is None:
        await build_once(settings)
        return
    while True:
        try:
            await build_once(settings)
        except (OSError, psycopg.OperationalError) as error:  # the database is away
            log.warning("index build failed; retrying", error=repr(error))
        await asyncio.sleep(watch)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m mimir.embedding.indexes", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--watch", type=float, metavar="SECONDS", help="keep going, checking this often"
    )
    args = parser.parse_args(argv)
    try:
        settings = MimirSettings.load("migrate")
    except InsecureSettings as error:
        print(f"refusing to start: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings.log_level)
    asyncio.run(run(settings, args.watch))


if __name__ == "__main__":
    main()
