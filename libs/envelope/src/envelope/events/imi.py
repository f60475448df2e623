"""Payload models of `imi.*` events."""
