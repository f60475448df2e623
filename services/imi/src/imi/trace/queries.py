"""The trace as one statement: the chain's size, then (within the limit) its work items with
their links and the related mimir entities, built as JSON by PostgreSQL.

One round trip instead of one per table, and the JSON goes straight into the response models
(`validate_json`) without ORM objects in between. The statements differ only in their `seeds`,
the work items the reference names directly; every lookup is by an indexed key
(docs/trace-plans.md shows each plan, `tests/imi/test_trace_plans.py` checks them).
"""

from __future__ import annotations

from typing import NamedTuple

from pydantic import BaseModel
from sqlalchemy import FromClause, TextClause, select, text

from imi.database import Base
from imi.links.models import DeployLink, PrLink, TicketLink
from imi.links.schemas import DeployLinkOut, PrLinkOut, TicketLinkOut
from imi.mimir.models import MimirEntity, MimirRelation
from imi.mimir.schemas import MimirEntityOut, MimirRelationOut
from imi.work.models import WorkItem
from imi.work.schemas import WorkItemOut

# Each way of finding the work items a reference names directly. A commit prefix is a LIKE
# pattern with `/` as its escape (`commit_prefix`).
SEEDS = {
    "ticket": "SELECT work_item_id AS id FROM imi.ticket_links WHERE plane_ticket_id = :ref",
    "work": "SELECT id FROM imi.work_items WHERE id = :id",
    "pr": "SELECT work_item_id AS id FROM imi.pr_links WHERE pr_number = :number",
    "pr_in_project": """
        SELECT pr.work_item_id AS id FROM imi.pr_links AS pr
        JOIN imi.work_items AS item ON item.id = pr.work_item_id
        WHERE pr.pr_number = :number AND item.project_id = :project_id""",
    "commit": """
        SELECT work_item_id AS id FROM imi.deploy_links WHERE commit_hash LIKE :prefix ESCAPE '/'
        UNION ALL
        SELECT id FROM imi.work_items WHERE last_commit_hash LIKE :prefix ESCAPE '/'
        UNION ALL
        SELECT id FROM imi.work_items WHERE merge_commit_hash LIKE :prefix ESCAPE '/'""",
    "deploy": "SELECT work_item_id AS id FROM imi.deploy_links WHERE deploy_id = :ref",
    "deploy_or_id": """
        SELECT work_item_id AS id FROM imi.deploy_links WHERE deploy_id = :ref
        UNION ALL
        SELECT work_item_id FROM imi.deploy_links WHERE id = :id""",
}


def commit_prefix(ref: str) -> str:
    """The LIKE pattern of the commits starting with `ref`, its wildcards escaped."""
    return ref.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


class Links(NamedTuple):
    field: str  # of `TracedWorkItem`
    model: type[Base]
    schema: type[BaseModel]
    order: str
    imi_type: str  # as mimir's relations name it


LINKS = (
    Links("ticket_links", TicketLink, TicketLinkOut, "created_at", "ticket"),
    Links("pr_links", PrLink, PrLinkOut, "created_at", "pr"),
    Links("deploy_links", DeployLink, DeployLinkOut, "deployed_at", "deploy"),
)


def _columns(table: FromClause, schema: type[BaseModel], alias: str) -> str:
    """The table's columns its response model reads, as `alias.column`."""
    return ", ".join(
        f"{alias}.{column.name}" for column in table.columns if column.name in schema.model_fields
    )


def _chain_links(links: Links) -> str:
    """CTEs `chain_<field>`, the chain's rows as the response model reads them, and
    `<field>_by_item`, the same rows as one JSON array per work item."""
    columns = _columns(links.model.__table__, links.schema, "link")
    return f"""
chain_{links.field} AS (
    SELECT {columns} FROM imi.{links.model.__tablename__} AS link
    WHERE link.work_item_id = ANY((SELECT ids FROM loaded)::uuid[])
),
{links.field}_by_item AS (
    SELECT link.work_item_id, json_agg(link ORDER BY link.{links.order}, link.id) AS list
    FROM chain_{links.field} AS link GROUP BY link.work_item_id
)"""


def _related(imi_type: str, ids: str) -> str:
    """The live mimir relations to the imi entities of `imi_type` whose ids `ids` returns."""
    return f"""
    SELECT {_columns(MimirRelation.__table__, MimirRelationOut, "relation")},
           relation.mimir_id, relation.created_at
    FROM imi.mimir_relations AS relation
    WHERE relation.imi_type = '{imi_type}' AND relation.imi_id = ANY(ARRAY({ids}))
      AND relation.deleted_at IS NULL"""


# The computed status, in the words of the model's own SQL expression (of `imi.work_items`).
STATUS = str(
    select(WorkItem.status).selected_columns[0].compile(compile_kwargs={"literal_binds": True})
)

# The chain is the seeds and every work item sharing a ticket with them (at most `max_rows`
# + 1 of those, enough to tell that the chain is too big), as an array: each table is then
# read with `= ANY(...)` on an index, which PostgreSQL plans as index lookups whatever it
# guesses of the array's length. Its links are counted only when it has at most `max_rows`
# work items, and the rows are read only when the work items and links are within the limit
# (`loaded` is empty otherwise), so an oversized chain is refused unread. The work items come
# oldest first, each with its links; the mimir entities related to the chain's projects,
# work items and links come oldest first, each with the relations that tie it to the chain.
TRACE = """
WITH seeds AS ({seeds}),
related AS (
    SELECT work_item_id AS id FROM imi.ticket_links
    WHERE plane_ticket_id = ANY(ARRAY(
        SELECT plane_ticket_id FROM imi.ticket_links
        WHERE work_item_id = ANY(ARRAY(SELECT id FROM seeds))))
    LIMIT :max_rows + 1
),
chain AS MATERIALIZED (SELECT ARRAY(SELECT id FROM seeds UNION SELECT id FROM related) AS ids),
counted AS MATERIALIZED (
    SELECT ids, cardinality(ids) AS work_items,
        CASE WHEN cardinality(ids) <= :max_rows THEN {link_counts} ELSE 0 END AS links
    FROM chain
),
loaded AS (SELECT ids FROM counted WHERE work_items + links <= :max_rows),
chain_items AS (
    SELECT {item_columns}, {status} AS status FROM imi.work_items
    WHERE work_items.id = ANY((SELECT ids FROM loaded)::uuid[])
),{chain_links},
relations AS ({relations}
),
entities AS (
    SELECT relation.mimir_id,
           json_agg(out ORDER BY relation.created_at, relation.relation_id) AS relations
    FROM relations AS relation
    CROSS JOIN LATERAL (SELECT {relation_columns}) AS out
    GROUP BY relation.mimir_id
)
SELECT counted.work_items, counted.links,
    (
        SELECT json_agg(out ORDER BY item.created_at, item.id)
        FROM chain_items AS item{link_joins}
        CROSS JOIN LATERAL (SELECT item.*, {link_lists}) AS out
    )::text AS items,
    (
        SELECT json_agg(out ORDER BY entity.created_at, entity.id)
        FROM imi.mimir_entities AS entity
        JOIN entities ON entities.mimir_id = entity.id
        CROSS JOIN LATERAL (
            SELECT {entity_columns},
                   (SELECT successor.title FROM imi.mimir_entities AS successor
                    WHERE successor.id = entity.superseded_by_id) AS superseded_by_title,
                   entities.relations
        ) AS out
        WHERE entity.id = ANY(ARRAY(SELECT mimir_id FROM entities))
    )::text AS related
FROM counted
"""


def _statement(seeds: str) -> TextClause:
    return text(
        TRACE.format(
            seeds=seeds,
            link_counts=" + ".join(
                f"(SELECT count(*) FROM imi.{links.model.__tablename__} "
                "WHERE work_item_id = ANY(chain.ids))"
                for links in LINKS
            ),
            item_columns=_columns(WorkItem.__table__, WorkItemOut, "work_items"),
            status=STATUS,
            chain_links=",".join(map(_chain_links, LINKS)),
            relations="\n    UNION ALL".join(
                [
                    _related("work_item", "SELECT id FROM chain_items"),
                    _related("project", "SELECT DISTINCT project_id FROM chain_items"),
                    *(
                        _related(links.imi_type, f"SELECT id FROM chain_{links.field}")
                        for links in LINKS
                    ),
                ]
            ),
            relation_columns=_columns(MimirRelation.__table__, MimirRelationOut, "relation"),
            link_joins="".join(
                f"\n        LEFT JOIN {f}_by_item ON {f}_by_item.work_item_id = item.id"
                for f in (links.field for links in LINKS)
            ),
            link_lists=", ".join(
                f"COALESCE({links.field}_by_item.list, '[]') AS {links.field}" for links in LINKS
            ),
            entity_columns=_columns(MimirEntity.__table__, MimirEntityOut, "entity"),
        )
    )


STATEMENTS = {name: _statement(seeds) for name, seeds in SEEDS.items()}
"""The trace statement for each way of finding the seeds; its values are the seeds' and
`max_rows`. One row: `work_items`, `links` (the chain's size), and within the limit `items`
and `related`, JSON arrays of `TracedWorkItem` and `MimirEntityOut` (null when empty)."""
