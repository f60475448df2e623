"""Every mapped class, imported together so relationships resolve and Alembic sees all tables."""

from imi.components.models import Component, ComponentRelationship
from imi.links.models import DeployLink, PrLink, TicketLink
from imi.mimir.models import MimirEntity, MimirRelation
from imi.projects.models import Project
from imi.trace.indexes import COMMIT_PREFIX_INDEXES
from imi.work.models import WorkItem

__all__ = [
    "COMMIT_PREFIX_INDEXES",
    "Component",
    "ComponentRelationship",
    "DeployLink",
    "MimirEntity",
    "MimirRelation",
    "PrLink",
    "Project",
    "TicketLink",
    "WorkItem",
]
