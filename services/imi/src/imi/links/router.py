"""`/api/v1/links`: tickets, pull requests, deploys."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Response, status

from envelope import error_responses
from imi.deps import answer_repeat, provide
from imi.links.schemas import (
    DeployLinkCreate,
    DeployLinkOut,
    PrLinkCreate,
    PrLinkOut,
    PrLinkUpdate,
    TicketLinkCreate,
    TicketLinkOut,
)
from imi.links.service import LinkService

router = APIRouter(prefix="/links", tags=["links"])


Links = Annotated[LinkService, Depends(provide(LinkService))]
PrLinkId = Annotated[UUID, Path(description="The pull request link's id (not the PR number)")]


@router.post(
    "/ticket",
    response_model=TicketLinkOut,
    status_code=status.HTTP_201_CREATED,
    summary="Link a ticket",
    description="Links a Plane ticket (key such as `PROJ-123`) to a work item (201). When the "
    "ticket is already linked to it (for example from the branch name) the existing link "
    "answers 200 and nothing is emitted; a title or URL the link lacks is filled in, one "
    "that differs from the link's is a 409 naming the link. 400 if the work item does not "
    "exist. Emits `imi.link.ticket_linked`.",
    responses={
        200: {"model": TicketLinkOut, "description": "Already linked"},
        **error_responses(400, 409, 422, 503),
    },
)
async def link_ticket(body: TicketLinkCreate, response: Response, links: Links) -> TicketLinkOut:
    link, created = await links.link_ticket(body)
    answer_repeat(response, created)
    return TicketLinkOut.model_validate(link)


@router.post(
    "/pr",
    response_model=PrLinkOut,
    status_code=status.HTTP_201_CREATED,
    summary="Link a pull request",
    description="Links a pull request to a work item (one link per number and work item). "
    "Ticket keys in the title are linked. Emits `imi.pr.created`; a link created as merged "
    "completes the work item as merged, as merging it later does. The same link asked for "
    "again (number, URL, state, title and metadata) answers 200 with it and emits nothing; "
    "another link of the number on the work item is a 409 naming it.",
    responses={
        200: {"model": PrLinkOut, "description": "Already linked, as asked"},
        **error_responses(400, 409, 422, 503),
    },
)
async def link_pr(body: PrLinkCreate, response: Response, links: Links) -> PrLinkOut:
    link, created = await links.create_pr(body)
    answer_repeat(response, created)
    return PrLinkOut.model_validate(link)


@router.get(
    "/pr/{pr_link_id}",
    response_model=PrLinkOut,
    summary="Get a pull request link",
    description="The link and its current state.",
    responses=error_responses(404, 422, 503),
)
async def get_pr(pr_link_id: PrLinkId, links: Links) -> PrLinkOut:
    return PrLinkOut.model_validate(await links.get_pr(pr_link_id))


@router.patch(
    "/pr/{pr_link_id}",
    response_model=PrLinkOut,
    summary="Change a pull request's state",
    description="open → merged | closed and closed → open; merged is final (409 otherwise). "
    "Merging completes the work item as merged. The state it is in again answers 200 and "
    "emits nothing; merged again with another merge commit than the work item's is a 409. "
    "Emits `imi.pr.merged`, `imi.pr.closed` or `imi.pr.reopened`.",
    responses=error_responses(404, 409, 422, 503),
)
async def update_pr(pr_link_id: PrLinkId, body: PrLinkUpdate, links: Links) -> PrLinkOut:
    link = await links.get_pr(pr_link_id, lock=True)
    updated = await links.set_pr_state(
        link, body.pr_state, merge_commit_hash=body.merge_commit_hash
    )
    return PrLinkOut.model_validate(updated)


@router.post(
    "/deploy",
    response_model=DeployLinkOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record a deploy",
    description="Records that a commit reached an environment. Without `work_item_id` the "
    "work item is found by its last or merge commit (400 if none). Emits "
    "`imi.deploy.completed`. A `deploy_id` already recorded for the work item and "
    "environment answers 200 with that deploy and emits nothing (a retried CI hook); one "
    "deploy ships one commit, so a `deploy_id` recorded in the environment of the project "
    "with another commit is a 409 naming it. Without `deploy_id` every request is a deploy.",
    responses={
        200: {"model": DeployLinkOut, "description": "This deploy is already recorded"},
        **error_responses(400, 409, 422, 503),
    },
)
async def record_deploy(body: DeployLinkCreate, response: Response, links: Links) -> DeployLinkOut:
    link, created = await links.record_deploy(body)
    answer_repeat(response, created)
    return DeployLinkOut.model_validate(link)
