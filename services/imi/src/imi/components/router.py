"""`/api/v1/components`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response, status

from envelope import error_responses
from imi.components.schemas import (
    ComponentCreate,
    ComponentFilters,
    ComponentOut,
    RelationshipCreate,
    RelationshipOut,
)
from imi.components.service import ComponentService
from imi.deps import answer_repeat, provide
from imi.schemas import Page, PageQuery

router = APIRouter(prefix="/components", tags=["components"])


Components = Annotated[ComponentService, Depends(provide(ComponentService))]
ComponentId = Annotated[UUID, Path(description="The component's id")]


@router.post(
    "",
    response_model=ComponentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Register a component",
    description="Adds a component (submodule, local package or external service) to a "
    "project; names are unique per project (409 naming the component that has it), and a "
    "deactivated project takes none (409). Emits `imi.component.registered`.",
    responses=error_responses(400, 409, 422, 503),
)
async def register_component(body: ComponentCreate, components: Components) -> ComponentOut:
    return ComponentOut.model_validate(await components.register(body))


@router.get(
    "",
    response_model=Page[ComponentOut],
    summary="List components",
    description="Filter by parent project, kind and enabled; ordered by name.",
    responses=error_responses(422, 503),
)
async def list_components(
    filters: Annotated[ComponentFilters, Query()], page: PageQuery, components: Components
) -> Page[ComponentOut]:
    rows, total = await components.search(filters, page)
    return Page[ComponentOut].of(rows, total, page)


@router.get(
    "/{component_id}",
    response_model=ComponentOut,
    summary="Get a component",
    description="One component.",
    responses=error_responses(404, 422, 503),
)
async def get_component(component_id: ComponentId, components: Components) -> ComponentOut:
    return ComponentOut.model_validate(await components.get(component_id))


@router.post(
    "/{component_id}/relationships",
    response_model=RelationshipOut,
    status_code=status.HTTP_201_CREATED,
    summary="Relate two components",
    description="A typed edge from this component to another (e.g. `depends_on`). 400 for an "
    "unknown target or a self-edge. The same edge asked for again answers 200 with it; with "
    "other metadata it is a 409 naming it.",
    responses={
        200: {"model": RelationshipOut, "description": "The edge exists, as asked"},
        **error_responses(400, 404, 409, 422, 503),
    },
)
async def relate_components(
    component_id: ComponentId, body: RelationshipCreate, response: Response, components: Components
) -> RelationshipOut:
    relationship, created = await components.relate(component_id, body)
    answer_repeat(response, created)
    return RelationshipOut.model_validate(relationship)


@router.get(
    "/{component_id}/relationships",
    response_model=list[RelationshipOut],
    summary="A component's relationships",
    description="Edges where the component is the source or the target.",
    responses=error_responses(404, 422, 503),
)
async def component_relationships(
    component_id: ComponentId, components: Components
) -> list[RelationshipOut]:
    return [RelationshipOut.model_validate(r) for r in await components.relationships(component_id)]
