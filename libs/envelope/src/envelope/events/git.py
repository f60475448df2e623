"""Payload models of `git.*` events."""
