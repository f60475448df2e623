"""hookd's flat `tool.mutation.<tool>` messages (normalised into envelopes on consume)."""

from envelope._decode import ToolMutation
from envelope._registry import registry

registry.register(
    "tool.mutation.*",
    ToolMutation,
    producer="hookd",
    summary="An agent's tool (Edit, Write, ...) changed a file inside a git repository.",
)
