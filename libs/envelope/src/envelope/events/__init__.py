"""Payload models of every event on the bus, registered in `envelope.registry` on import.

One module per producer: `imi` and `mimir` (our services), and the external producers whose
events they consume (`git`, `plane`, `ci`, `hookd`).
"""

from envelope.events import ci, git, hookd, imi, mimir, plane

__all__ = ["ci", "git", "hookd", "imi", "mimir", "plane"]
