"""Payload models of `plane.*` events."""
