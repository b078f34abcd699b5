"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 10:34:43.448477
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("migration_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column(
            "detail", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_migration_id"), "audit_log", ["migration_id"], unique=False)
    op.create_table(
        "consumer_offsets",
        sa.Column("group_id", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("next_offset", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "topic", "partition", name=op.f("pk_consumer_offsets")),
    )
    op.create_table(
        "migrations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("content_sha256", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("state_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_rows_per_second", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("max_rejected_rows", sa.BigInteger(), nullable=True),
        sa.Column("reverts_migration_id", sa.Uuid(), nullable=True),
        sa.Column("trace_parent", sa.Text(), nullable=True),
        sa.Column("rows_received", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("rows_rejected", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("staged", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("published", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("applied", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("skipped", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("conflicts", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("not_found", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("cancelled", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("dead_lettered", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "state IN ('validating', 'rejected', 'pending', 'publishing', 'applying', 'succeeded', 'succeeded_with_errors', 'cancelled', 'failed')",
            name=op.f("ck_migrations_state"),
        ),
        sa.ForeignKeyConstraint(
            ["reverts_migration_id"], ["migrations.id"], name=op.f("fk_migrations_reverts_migration_id_migrations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migrations")),
        sa.UniqueConstraint("request_id", name=op.f("uq_migrations_request_id")),
    )
    op.create_index("ix_migrations_created_at", "migrations", ["created_at"], unique=False)
    op.create_index("ix_migrations_state_created_at", "migrations", ["state", "created_at"], unique=False)
    op.create_table(
        "offers",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_offers")),
    )
    op.create_table(
        "migration_items",
        sa.Column("migration_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("current_offer", sa.Text(), nullable=False),
        sa.Column("target_offer", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.Text(), server_default="pending", nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("column_name", sa.Text(), server_default="", nullable=False),
        sa.Column("trace_parent", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kafka_partition", sa.Integer(), nullable=True),
        sa.Column("kafka_offset", sa.BigInteger(), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("previous_offer", sa.Text(), nullable=True),
        sa.Column("dlt_partition", sa.Integer(), nullable=True),
        sa.Column("dlt_offset", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('pending', 'applied', 'skipped', 'conflict', 'not_found', 'rejected', 'cancelled', 'dead_lettered')",
            name=op.f("ck_migration_items_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["migration_id"], ["migrations.id"], name=op.f("fk_migration_items_migration_id_migrations")
        ),
        sa.PrimaryKeyConstraint("migration_id", "row_number", name=op.f("pk_migration_items")),
    )
    op.create_index("ix_migration_items_event_id", "migration_items", ["event_id"], unique=True)
    op.create_index(
        "ix_migration_items_migration_outcome",
        "migration_items",
        ["migration_id", "outcome", "row_number"],
        unique=False,
    )
    op.create_index(
        "ix_migration_items_unpublished",
        "migration_items",
        ["migration_id", "row_number"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL AND outcome = 'pending'"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("offer_code", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["offer_code"], ["offers.code"], name=op.f("fk_subscriptions_offer_code_offers")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_subscriptions")),
    )
    op.create_index(op.f("ix_subscriptions_offer_code"), "subscriptions", ["offer_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_subscriptions_offer_code"), table_name="subscriptions")
    op.drop_table("subscriptions")
    op.drop_index(
        "ix_migration_items_unpublished",
        table_name="migration_items",
        postgresql_where=sa.text("published_at IS NULL AND outcome = 'pending'"),
    )
    op.drop_index("ix_migration_items_migration_outcome", table_name="migration_items")
    op.drop_index("ix_migration_items_event_id", table_name="migration_items")
    op.drop_table("migration_items")
    op.drop_table("offers")
    op.drop_index("ix_migrations_state_created_at", table_name="migrations")
    op.drop_index("ix_migrations_created_at", table_name="migrations")
    op.drop_table("migrations")
    op.drop_table("consumer_offsets")
    op.drop_index(op.f("ix_audit_log_migration_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
