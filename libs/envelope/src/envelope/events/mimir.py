"""Payload models of `mimir.*` events."""
