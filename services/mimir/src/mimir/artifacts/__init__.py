"""Artifacts: conversations, documents and notes, with append-only versions."""
