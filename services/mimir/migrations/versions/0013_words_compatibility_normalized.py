"""Words match however their characters are composed: the `tsv` of spans, decisions and
intents is taken from the text in Unicode normalisation form NFKC, as the query's words are.

`café` typed with a precomposed é and `cafe` followed by a combining accent (as macOS and some
input methods write it) were different lexemes, so a search found only the spelling it was
typed in; NFKC also reads compatibility forms (the `ﬁ` ligature, full-width letters) as their
plain letters. The stored text keeps its own form, so offsets do not move. Each column is
dropped and added again with the new expression (PostgreSQL 15 cannot change a generated
column's expression in place), which rewrites the table; its full-text index and the
statistics target of `spans.tsv` come back as they were.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# table -> (the text its words come from, its full-text index, that index's WHERE clause)
COLUMNS = {
    "spans": ("content", "ix_spans_chunk_tsv", " WHERE span_type = 'chunk'"),
    "decisions": ("statement || ' ' || rationale", "ix_decisions_tsv", ""),
    "intents": ("statement", "ix_intents_tsv", ""),
}


def _expression(text: str, normalized: bool) -> str:
    if normalized:  # the check costs a third of normalising, and most text is in NFKC
        text = f"CASE WHEN ({text}) IS NFKC NORMALIZED THEN {text} ELSE normalize({text}, NFKC) END"
    return f"to_tsvector('english'::regconfig, translate({text}, '<>', '  '))"


def _rebuild(normalized: bool) -> None:
    for table, (text, index, where) in COLUMNS.items():
        op.execute(f"DROP INDEX mimir.{index}")
        op.execute(f"ALTER TABLE mimir.{table} DROP COLUMN tsv")
        op.execute(
            f"ALTER TABLE mimir.{table} ADD COLUMN tsv tsvector"
            f" GENERATED ALWAYS AS ({_expression(text, normalized)}) STORED"
        )
        op.execute(
            f"CREATE INDEX {index} ON mimir.{table} USING gin (tsv) WITH (fastupdate = off){where}"
        )
    op.execute("ALTER TABLE mimir.spans ALTER COLUMN tsv SET STATISTICS 1000")


def upgrade() -> None:
    _rebuild(normalized=True)


def downgrade() -> None:
    _rebuild(normalized=False)
