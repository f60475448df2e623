"""What every `<service>.cmd.failed` answer carries (see `envelope.run_command`)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, Field


class CommandFailedPayload(BaseModel):
    """A command could not be applied; nothing of it was kept.

    Each service names the field of the failure's params (`PARAMS_FIELD`): their contracts
    were published with different names.
    """

    PARAMS_FIELD: ClassVar[str]

    command_event_id: UUID = Field(description="The command's event id")
    command: str = Field(description="The command's event type")
    code: str = Field(examples=["NOT_FOUND"])
    reason: str
