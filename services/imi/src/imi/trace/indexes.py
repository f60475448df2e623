"""The work items' commit-prefix indexes (migration `0008`), declared beside the lookups
that read them: the trace from a commit and `WorkRepository.at_commit`.

`last_commit_hash LIKE 'abc1234%'` can use a plain b-tree only under the C collation;
`text_pattern_ops` makes it an index range scan whatever the database's collation.
"""

from __future__ import annotations

from sqlalchemy import Index

from imi.work.models import WorkItem

COMMIT_PREFIX_INDEXES = tuple(
    Index(
        f"ix_work_items_{name}_prefix",
        column,
        postgresql_ops={column.name: "text_pattern_ops"},
    )
    for name, column in (
        ("last_commit", WorkItem.__table__.c.last_commit_hash),
        ("merge_commit", WorkItem.__table__.c.merge_commit_hash),
    )
)
