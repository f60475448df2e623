"""Spans: character ranges of an artifact version, e.g. evidence, quotes, chunks."""
