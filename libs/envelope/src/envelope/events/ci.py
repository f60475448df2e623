"""Payload models of `ci.*` events."""
