"""Request dependencies: the unit of work and the bus.

All are `async def`: FastAPI runs a plain `def` dependency in a worker thread, a hop that
costs more than the dependency itself. The session dependency uses `scope="function"`: its
exit (the commit) runs before the response is sent, so a commit that fails answers with an
error, never with a 2xx.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from envelope import ServiceBus
from imi.service import Service

S = TypeVar("S", bound=Service)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.uow() as session:
        yield session


async def get_bus(request: Request) -> ServiceBus:
    bus: ServiceBus = request.app.state.bus
    return bus


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
BusDep = Annotated[ServiceBus, Depends(get_bus)]


def provide(service: type[S]) -> Callable[[AsyncSession, ServiceBus], Awaitable[S]]:
    """A dependency building `service` on the request's unit of work and the bus."""

    async def factory(session: SessionDep, bus: BusDep) -> S:
        return service(session, bus)

    return factory


def answer_repeat(response: Response, created: bool) -> None:
    """A request whose result already held answers 200 with it instead of 201."""
    if not created:
        response.status_code = status.HTTP_200_OK
