"""Decisions: statements with rationale, tentative -> active -> superseded."""
