"""Projects, work items, their ticket/PR/deploy links, components and their relationships.

`work_items.status` is not stored: imi computes it from the git state and completion fields.
One active project per remote and one active work item per (project, branch) are partial
unique indexes, so a soft-deleted project or a completed work item frees its remote or branch.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("remote_origin", sa.Text(), nullable=False),
        sa.Column("default_branch", sa.Text(), server_default="main", nullable=False),
        sa.Column("trunk_path", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        schema="imi",
    )
    op.create_index(
        "ix_projects_metadata",
        "projects",
        ["metadata"],
        unique=False,
        schema="imi",
        postgresql_using="gin",
    )
    op.create_index(
        "ix_projects_name_trgm",
        "projects",
        ["name"],
        unique=False,
        schema="imi",
        postgresql_using="gin",
        postgresql_ops={"name": "public.gin_trgm_ops"},
    )
    op.create_index(
        "uq_projects_active_remote",
        "projects",
        ["remote_origin"],
        unique=True,
        schema="imi",
        postgresql_where=sa.text("active"),
    )
    op.create_table(
        "components",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_project_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("linked_project_id", sa.Uuid(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('submodule', 'local', 'external')", name=op.f("ck_components_kind")
        ),
        sa.ForeignKeyConstraint(
            ["linked_project_id"],
            ["imi.projects.id"],
            name=op.f("fk_components_linked_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_project_id"],
            ["imi.projects.id"],
            name=op.f("fk_components_parent_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_components")),
        sa.UniqueConstraint(
            "parent_project_id", "name", name=op.f("uq_components_parent_project_id_name")
        ),
        schema="imi",
    )
    op.create_index("ix_components_kind", "components", ["kind"], unique=False, schema="imi")
    op.create_index(
        "ix_components_parent", "components", ["parent_project_id"], unique=False, schema="imi"
    )
    op.create_table(
        "work_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("branch_name", sa.Text(), nullable=False),
        sa.Column("work_type", sa.Text(), server_default="feature", nullable=False),
        sa.Column("source_type", sa.Text(), server_default="manual", nullable=False),
        sa.Column("source_ref", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Text(), nullable=True),
        sa.Column("worktree_path", sa.Text(), nullable=True),
        sa.Column(
            "has_uncommitted_changes", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "uncommitted_files_count", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("ahead_of_trunk", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("behind_trunk", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_commit_hash", sa.Text(), nullable=True),
        sa.Column("last_commit_message", sa.Text(), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_type", sa.Text(), nullable=True),
        sa.Column("merge_commit_hash", sa.Text(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "completion_type IS NULL OR completion_type IN ('merged', 'abandoned', 'superseded')",
            name=op.f("ck_work_items_completion_type"),
        ),
        sa.CheckConstraint(
            "source_type IN ('plane_ticket', 'bloodbank_command', 'agent_assignment', 'manual')",
            name=op.f("ck_work_items_source_type"),
        ),
        sa.CheckConstraint(
            "work_type IN ('feature', 'fix', 'experiment', 'review', 'devops', 'aiops')",
            name=op.f("ck_work_items_work_type"),
        ),
        sa.CheckConstraint(
            "(completed_at IS NULL) = (completion_type IS NULL)",
            name=op.f("ck_work_items_completion_complete"),
        ),
        sa.CheckConstraint(
            "uncommitted_files_count >= 0 AND ahead_of_trunk >= 0 AND behind_trunk >= 0",
            name=op.f("ck_work_items_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["imi.projects.id"],
            name=op.f("fk_work_items_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_items")),
        schema="imi",
    )
    op.create_index(
        "ix_work_items_last_commit", "work_items", ["last_commit_hash"], unique=False, schema="imi"
    )
    op.create_index(
        "ix_work_items_merge_commit",
        "work_items",
        ["merge_commit_hash"],
        unique=False,
        schema="imi",
    )
    op.create_index(
        "ix_work_items_metadata",
        "work_items",
        ["metadata"],
        unique=False,
        schema="imi",
        postgresql_using="gin",
    )
    op.create_index(
        "ix_work_items_owner",
        "work_items",
        ["owner_id"],
        unique=False,
        schema="imi",
        postgresql_where=sa.text("active"),
    )
    op.create_index(
        "ix_work_items_source",
        "work_items",
        ["source_type", "source_ref"],
        unique=False,
        schema="imi",
        postgresql_where=sa.text("active"),
    )
    op.create_index(
        "uq_work_items_active_branch",
        "work_items",
        ["project_id", "branch_name"],
        unique=True,
        schema="imi",
        postgresql_where=sa.text("active"),
    )
    op.create_table(
        "component_relationships",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_component_id", sa.Uuid(), nullable=False),
        sa.Column("target_component_id", sa.Uuid(), nullable=False),
        sa.Column("relationship_type", sa.Text(), nullable=False),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "source_component_id <> target_component_id",
            name=op.f("ck_component_relationships_not_self"),
        ),
        sa.ForeignKeyConstraint(
            ["source_component_id"],
            ["imi.components.id"],
            name=op.f("fk_component_relationships_source_component_id_components"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_component_id"],
            ["imi.components.id"],
            name=op.f("fk_component_relationships_target_component_id_components"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_component_relationships")),
        sa.UniqueConstraint(
            "source_component_id",
            "target_component_id",
            "relationship_type",
            name="uq_component_relationships_edge",
        ),
        schema="imi",
    )
    op.create_index(
        "ix_component_relationships_target",
        "component_relationships",
        ["target_component_id"],
        unique=False,
        schema="imi",
    )
    op.create_table(
        "deploy_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("work_item_id", sa.Uuid(), nullable=False),
        sa.Column("deploy_id", sa.Text(), nullable=True),
        sa.Column("environment", sa.Text(), nullable=False),
        sa.Column("commit_hash", sa.Text(), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["work_item_id"],
            ["imi.work_items.id"],
            name=op.f("fk_deploy_links_work_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deploy_links")),
        schema="imi",
    )
    op.create_index(
        "ix_deploy_links_commit", "deploy_links", ["commit_hash"], unique=False, schema="imi"
    )
    op.create_index(
        "ix_deploy_links_deploy", "deploy_links", ["deploy_id"], unique=False, schema="imi"
    )
    op.create_index(
        "ix_deploy_links_work_env",
        "deploy_links",
        ["work_item_id", "environment", "deployed_at"],
        unique=False,
        schema="imi",
    )
    op.create_table(
        "pr_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("work_item_id", sa.Uuid(), nullable=False),
        sa.Column("pr_number", sa.Integer(), nullable=False),
        sa.Column("pr_url", sa.Text(), nullable=True),
        sa.Column("pr_state", sa.Text(), server_default="open", nullable=False),
        sa.Column("pr_title", sa.Text(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "pr_state IN ('open', 'merged', 'closed')", name=op.f("ck_pr_links_pr_state")
        ),
        sa.CheckConstraint("pr_number > 0", name=op.f("ck_pr_links_pr_number_positive")),
        sa.ForeignKeyConstraint(
            ["work_item_id"],
            ["imi.work_items.id"],
            name=op.f("fk_pr_links_work_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_links")),
        sa.UniqueConstraint(
            "work_item_id", "pr_number", name=op.f("uq_pr_links_work_item_id_pr_number")
        ),
        schema="imi",
    )
    op.create_index("ix_pr_links_pr", "pr_links", ["pr_number"], unique=False, schema="imi")
    op.create_table(
        "ticket_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("work_item_id", sa.Uuid(), nullable=False),
        sa.Column("plane_ticket_id", sa.Text(), nullable=False),
        sa.Column("ticket_title", sa.Text(), nullable=True),
        sa.Column("ticket_url", sa.Text(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["work_item_id"],
            ["imi.work_items.id"],
            name=op.f("fk_ticket_links_work_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_links")),
        sa.UniqueConstraint(
            "work_item_id",
            "plane_ticket_id",
            name=op.f("uq_ticket_links_work_item_id_plane_ticket_id"),
        ),
        schema="imi",
    )
    op.create_index(
        "ix_ticket_links_ticket", "ticket_links", ["plane_ticket_id"], unique=False, schema="imi"
    )


def downgrade() -> None:
    for table in (
        "ticket_links",
        "pr_links",
        "deploy_links",
        "component_relationships",
        "work_items",
        "components",
        "projects",
    ):
        op.drop_table(table, schema="imi")
