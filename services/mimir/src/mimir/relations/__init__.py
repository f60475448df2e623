"""Typed relations between any two entities, mimir's own or external ones."""
