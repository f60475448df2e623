"""A search query as PostgreSQL sees it: units that any chunk may match, and exclusions.

Web-style syntax: words, "quoted phrases", `-excluded` words or phrases, and `OR` (which
changes nothing, since a chunk matching any unit is a match). Each unit is stemmed with
PostgreSQL's English configuration so that ranking and matching use the index's lexemes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mimir.search import queries
from mimir.sql import Conn

TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Unit:
    query: str  # tsquery text of one word or phrase
    lexemes: tuple[str, ...]


@dataclass(frozen=True)
class LexicalQuery:
    units: tuple[Unit, ...]
    exclusions: tuple[str, ...]  # tsquery texts

    @property
    def lexemes(self) -> list[str]:
        return list(dict.fromkeys(lexeme for unit in self.units for lexeme in unit.lexemes))

    @property
    def excluded(self) -> str | None:
        """A tsquery matching what holds any exclusion; None without exclusions."""
        return " | ".join(f"({excluded})" for excluded in self.exclusions) or None

    def tsquery(self, units: tuple[Unit, ...] | None = None) -> str:
        """Any of `units` (default: all), and none of the exclusions."""
        chosen = self.units if units is None else units
        text = " | ".join(f"({unit.query})" for unit in chosen)
        return f"({text})" + "".join(f" & !({excluded})" for excluded in self.exclusions)


def split(text: str) -> list[tuple[str, bool]]:
    """The query's words and phrases, each with whether it is excluded."""
    parts: list[tuple[str, bool]] = []
    for match in TOKEN.finditer(text):
        minus, phrase, word = match.groups()
        if phrase is not None:
            parts.append((phrase, bool(minus)))
        elif word == "OR":
            continue
        elif word.startswith("-") and len(word) > 1:
            parts.append((word[1:], True))
        else:
            parts.append((word, False))
    return [(part, negated) for part, negated in parts if part.strip()]


async def parse(conn: Conn, text: str) -> LexicalQuery:
    parts = split(text)
    rows = await queries.list_query_units(conn, [p for p, _ in parts], [n for _, n in parts])
    units = tuple(Unit(r.query, tuple(r.lexemes)) for r in rows if not r.negated)
    exclusions = tuple(r.query for r in rows if r.negated)
    return LexicalQuery(units, exclusions)
