"""Words inside paths, addresses and dotted names are searchable: the `tsv` of spans,
decisions and intents is taken from `mimir.searchable_text(text)`, which also splits a run
such as `services/mimir/search.py`, `https://example.com/docs/api-v2`, `user@host.org`,
`README.md` or `std::vector` at its `/ . @ : \\` where a letter stands on either side.

PostgreSQL's parser reads such a run as one token (a file, URL, host or e-mail) and the
English configuration keeps it whole, so `mimir`, `search.py`, `api-v2` or `readme` found
nothing. A query's words are read through the same function (`list_query_units`, and
`list_artifacts`'s `q`), so a path typed whole matches as the phrase of its parts. Runs of
digits alone keep their form (`3.14`, `10:30`, `2026/12/03`, `v1.2.3`). The function also
holds the reading of 0012 and 0013 (`<` `>` as spaces, NFKC), so it is written once for the
columns and the queries. The columns are dropped and added again, as in 0013.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Callable

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# A separator run between two word characters, a letter on at least one side.
SEPARATORS = r"(?<=[[:alpha:]])[/.@:\\]+(?=[[:alnum:]])|(?<=[[:alnum:]])[/.@:\\]+(?=[[:alpha:]])"
# A single-statement SQL function: PostgreSQL inlines it where it is called.
SEARCHABLE_TEXT = f"""
CREATE FUNCTION mimir.searchable_text(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN regexp_replace(
    translate(CASE WHEN $1 IS NFKC NORMALIZED THEN $1 ELSE normalize($1, NFKC) END, '<>', '  '),
    '{SEPARATORS}', ' ', 'g')
"""

# table -> (the text its words come from, its full-text index, that index's WHERE clause)
COLUMNS = {
    "spans": ("content", "ix_spans_chunk_tsv", " WHERE span_type = 'chunk'"),
    "decisions": ("statement || ' ' || rationale", "ix_decisions_tsv", ""),
    "intents": ("statement", "ix_intents_tsv", ""),
}


def _before(text: str) -> str:
    nfkc = f"CASE WHEN ({text}) IS NFKC NORMALIZED THEN {text} ELSE normalize({text}, NFKC) END"
    return f"to_tsvector('english'::regconfig, translate({nfkc}, '<>', '  '))"


def _after(text: str) -> str:
    return f"to_tsvector('english'::regconfig, mimir.searchable_text({text}))"


def _rebuild(expression: Callable[[str], str]) -> None:
    for table, (text, index, where) in COLUMNS.items():
        op.execute(f"DROP INDEX mimir.{index}")
        op.execute(f"ALTER TABLE mimir.{table} DROP COLUMN tsv")
        op.execute(
            f"ALTER TABLE mimir.{table} ADD COLUMN tsv tsvector"
            f" GENERATED ALWAYS AS ({expression(text)}) STORED"
        )
        op.execute(
            f"CREATE INDEX {index} ON mimir.{table} USING gin (tsv) WITH (fastupdate = off){where}"
        )
    op.execute("ALTER TABLE mimir.spans ALTER COLUMN tsv SET STATISTICS 1000")


def upgrade() -> None:
    # as the driver's text: `[[:alpha:]]` must not be read as a bind parameter
    op.get_bind().exec_driver_sql(SEARCHABLE_TEXT)
    _rebuild(_after)


def downgrade() -> None:
    _rebuild(_before)
    op.execute("DROP FUNCTION mimir.searchable_text(text)")
