"""`/api/v1/projects`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response, status

from envelope import error_responses
from imi.deps import provide
from imi.projects.schemas import ProjectCreate, ProjectFilters, ProjectOut, ProjectUpdate
from imi.projects.service import ProjectService
from imi.schemas import Page, PageQuery

router = APIRouter(prefix="/projects", tags=["projects"])


Projects = Annotated[ProjectService, Depends(provide(ProjectService))]
ProjectId = Annotated[UUID, Path(description="The project's id")]


@router.post(
    "",
    response_model=ProjectOut,
    status_code=status.HTTP_201_CREATED,
    summary="Register a project",
    description="Registers a git remote as a project (201). `x`, `x/` and `x.git` are one "
    "remote. If the remote's project was soft-deleted it is re-activated with the given fields "
    "(200). A remote that already has an active project (in any spelling) answers 409 with "
    "that project's id in `params.project_id`. "
    "Emits `imi.project.registered`.",
    responses={
        200: {"model": ProjectOut, "description": "Re-activated"},
        **error_responses(409, 422, 503),
    },
)
async def register_project(
    body: ProjectCreate, response: Response, projects: Projects
) -> ProjectOut:
    project, reactivated = await projects.register(body)
    if reactivated:
        response.status_code = status.HTTP_200_OK
    return ProjectOut.model_validate(project)


@router.get(
    "",
    response_model=Page[ProjectOut],
    summary="List projects",
    description="Active projects by default (`active=false` lists soft-deleted ones). `q` "
    "searches names by trigram similarity, best match first; otherwise newest first.",
    responses=error_responses(422, 503),
)
async def list_projects(
    filters: Annotated[ProjectFilters, Query()], page: PageQuery, projects: Projects
) -> Page[ProjectOut]:
    rows, total = await projects.search(filters, page)
    return Page[ProjectOut].of(rows, total, page)


@router.get(
    "/{project_id}",
    response_model=ProjectOut,
    summary="Get a project",
    description="Also returns soft-deleted projects, with `active: false`.",
    responses=error_responses(404, 422, 503),
)
async def get_project(project_id: ProjectId, projects: Projects) -> ProjectOut:
    return ProjectOut.model_validate(await projects.get(project_id))


@router.patch(
    "/{project_id}",
    response_model=ProjectOut,
    summary="Update a project",
    description="Changes the fields sent. Emits `imi.project.updated` when something changed.",
    responses=error_responses(404, 422, 503),
)
async def update_project(
    project_id: ProjectId, body: ProjectUpdate, projects: Projects
) -> ProjectOut:
    return ProjectOut.model_validate(await projects.update(project_id, body))


@router.delete(
    "/{project_id}",
    response_model=ProjectOut,
    summary="Deactivate a project",
    description="Soft delete: the project stays readable with `active: false` and its remote "
    "can be registered again. Emits `imi.project.deactivated`.",
    responses=error_responses(404, 422, 503),
)
async def deactivate_project(project_id: ProjectId, projects: Projects) -> ProjectOut:
    return ProjectOut.model_validate(await projects.deactivate(project_id))
