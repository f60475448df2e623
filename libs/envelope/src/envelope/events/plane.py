"""Payload models of Plane ticket events: `plane.ticket.*` and raw `webhook.plane.#` bodies.

A ticket is named by its key (`PROJ-123`: the Plane project identifier and sequence id).
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from envelope._registry import registry
from envelope.limits import IDENTIFIER_LENGTH

TICKET_KEY = re.compile(r"[A-Z][A-Z0-9]+-\d+")
"""A ticket key: an upper-case project prefix, a dash, a number."""

# A whole key inside a text: not part of a longer word (`PB-82c1` names no ticket). The
# look-behind lets a match start only where a run of letters and digits does, so a long run
# without a key is read once, not once from each of its characters (quadratic, seconds for
# a 20,000-character title).
KEY_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9]){TICKET_KEY.pattern}(?![A-Za-z0-9])")


MAX_KEYS_IN_TEXT = 50
"""Keys linked from one text at most: a commit message naming thousands would make every
trace through its work item too large to answer."""


def ticket_keys(*texts: str | None) -> list[str]:
    """The distinct ticket keys in `texts` (branch name, PR title, commit message), in order
    of appearance, the first `MAX_KEYS_IN_TEXT` of each text; a run longer than a ticket key
    may be (`IDENTIFIER_LENGTH`) is none."""
    found: dict[str, None] = {}
    for text in texts:
        matches = KEY_IN_TEXT.findall(text or "")
        keys = dict.fromkeys(key for key in matches if len(key) <= IDENTIFIER_LENGTH)
        found.update(dict.fromkeys(islice(keys, MAX_KEYS_IN_TEXT)))
    return list(found)


class PlaneTicket(BaseModel):
    """`plane.ticket.<action>` (`created`, `updated`, ...), as the Plane relay normalises them.

    Fields beyond the ones named here (state, priority, assignees...) are kept in the ticket
    link's metadata.
    """

    model_config = ConfigDict(extra="allow")

    ticket_id: str = Field(
        pattern=TICKET_KEY.pattern,
        max_length=IDENTIFIER_LENGTH,
        validation_alias=AliasChoices("ticket_id", "key", "plane_ticket_id"),
    )
    title: str | None = None
    url: str | None = None
    status: str | None = None


class PlaneWebhook(BaseModel):
    """A Plane webhook body as Plane sends it (`event`, `action`, `data`...), on `webhook.plane.#`.

    Only issue (work item) events carry a ticket; the key is read from `data.identifier`,
    from the project identifier (`data.project_detail.identifier` or
    `data.project_identifier`) and `data.sequence_id`, or from a key in `data.name`.
    """

    model_config = ConfigDict(extra="allow")

    event: str
    action: str | None = None
    webhook_id: str | None = None
    workspace_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    activity: dict[str, Any] | None = None

    @property
    def is_issue(self) -> bool:
        return self.event.split(".")[0] in {"issue", "work_item", "workitem"}

    def ticket_key(self) -> str | None:
        data = self.data
        identifier = data.get("identifier")
        if isinstance(identifier, str) and TICKET_KEY.fullmatch(identifier):
            return identifier
        detail = data.get("project_detail")
        project = (detail.get("identifier") if isinstance(detail, dict) else None) or data.get(
            "project_identifier"
        )
        sequence = data.get("sequence_id")
        if isinstance(project, str) and sequence is not None:
            key = f"{project}-{sequence}"
            if TICKET_KEY.fullmatch(key):
                return key
        keys = ticket_keys(data.get("name") if isinstance(data.get("name"), str) else None)
        return keys[0] if keys else None

    def as_ticket(self) -> PlaneTicket | None:
        key = self.ticket_key()
        if key is None:
            return None
        state = self.data.get("state_detail") or self.data.get("state")
        status = state.get("name") if isinstance(state, dict) else state
        fields = {
            k: v for k, v in self.data.items() if k in {"id", "priority", "sequence_id", "project"}
        }
        return PlaneTicket.model_validate(
            {
                **fields,
                "ticket_id": key,
                "title": self.data.get("name"),
                "url": self.data.get("url"),
                "status": status if isinstance(status, str) else None,
            }
        )


registry.register(
    "plane.ticket.*",
    PlaneTicket,
    producer="plane",
    summary="A Plane ticket changed: created, updated, or any other action the relay names.",
)
registry.register(
    "webhook.plane.#",
    PlaneWebhook,
    producer="plane",
    summary="A raw Plane webhook body, relayed unchanged.",
)
