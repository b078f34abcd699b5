"""migration_items.event_id defaults to gen_random_uuid()

Staging streams 1M-row uploads through one COPY; letting PostgreSQL fill the event id
(a UUIDv4 from its strong random source) costs far less than formatting a UUID per row
in Python. Rejected rows are copied with an explicit NULL event id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("migration_items", "event_id", server_default=sa.text("gen_random_uuid()"))


def downgrade() -> None:
    op.alter_column("migration_items", "event_id", server_default=None)
