"""Commands (`<service>.cmd.*`): applied in a savepoint, or answered with `<service>.cmd.failed`.

A command's sender waits for an answer, so a command that cannot be applied — its payload does
not fit the command's model, it breaks a rule, or the database refuses a value in it — leaves no
effect (its savepoint is rolled back with the events it emitted) and is answered in the
message's own unit of work, whose `correlation_ids` hold the command's event id; the message is
acked either way. Only an unavailable or contended database is re-raised, for the consumer
runtime to retry; a `Reject` still dead-letters the message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from pydantic import BaseModel

from envelope._bus import ServiceBus
from envelope._consumer import Reject
from envelope._errors import failure_of
from envelope._models import EventEnvelope
from envelope._registry import registry
from envelope._sql import Transaction
from envelope.events._failed import CommandFailedPayload

log = structlog.get_logger("envelope.commands")


async def run_command(
    tx: Transaction,
    command: EventEnvelope[Any],
    apply: Callable[[BaseModel], Awaitable[None]],
    bus: ServiceBus,
    answer: type[CommandFailedPayload],
) -> None:
    """Validate the command's payload against its registered model (its queue is subscribed
    untyped) and run `apply` on it in a savepoint of `tx`; a failure of the command's own is
    answered with `<service>.cmd.failed` carrying `answer` (the service's failed-command
    payload)."""
    try:
        async with bus.savepoint(tx):
            model = registry.spec(command.event_type).payload
            await apply(model.model_validate(command.payload))
    except Reject:
        raise
    except Exception as error:
        failure = failure_of(error)
        if failure is None:
            raise  # the database is unavailable or contended: the runtime retries
        log.info("command failed", code=failure.code, reason=failure.message)
        params = {k: v for k, v in failure.params.items() if v is not None}
        payload = answer.model_validate(
            {
                "command_event_id": command.event_id,
                "command": command.event_type,
                "code": failure.code,
                "reason": failure.message,
                answer.PARAMS_FIELD: params,
            }
        )
        service = command.event_type.partition(".")[0]
        await bus.emit(tx, f"{service}.cmd.failed", payload)
