"""Intents (proposed, then accepted or rejected) and the groups that collect them."""
