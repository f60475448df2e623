"""Words in angle brackets are searchable: the `tsv` of spans, decisions and intents is taken
from the text with `<` and `>` read as spaces.

PostgreSQL's parser reads `<maya>` as a markup tag and leaves it out of a `tsvector`: an IRC
log's speakers, a placeholder such as `<timeout_ms>`, the `String` of `Optional<String>`
could not be found by words. Each column is dropped and added again with the new expression
(PostgreSQL 15 cannot change a generated column's expression in place), which rewrites the
table; its full-text index and the statistics target of `spans.tsv` come back as they were.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# table -> (the text its words come from, its full-text index, that index's WHERE clause)
COLUMNS = {
    "spans": ("content", "ix_spans_chunk_tsv", " WHERE span_type = 'chunk'"),
    "decisions": ("statement || ' ' || rationale", "ix_decisions_tsv", ""),
    "intents": ("statement", "ix_intents_tsv", ""),
}


def _words(text: str, brackets_as_spaces: bool) -> str:
    source = f"translate({text}, '<>', '  ')" if brackets_as_spaces else text
    return f"to_tsvector('english'::regconfig, {source})"


def _rebuild(brackets_as_spaces: bool) -> None:
    for table, (text, index, where) in COLUMNS.items():
        op.execute(f"DROP INDEX mimir.{index}")
        op.execute(f"ALTER TABLE mimir.{table} DROP COLUMN tsv")
        op.execute(
            f"ALTER TABLE mimir.{table} ADD COLUMN tsv tsvector"
            f" GENERATED ALWAYS AS ({_words(text, brackets_as_spaces)}) STORED"
        )
        op.execute(
            f"CREATE INDEX {index} ON mimir.{table} USING gin (tsv) WITH (fastupdate = off){where}"
        )
    op.execute("ALTER TABLE mimir.spans ALTER COLUMN tsv SET STATISTICS 1000")


def upgrade() -> None:
    _rebuild(brackets_as_spaces=True)


def downgrade() -> None:
    _rebuild(brackets_as_spaces=False)
