"""``dead_letter_replays``: every dead-letter record replayed, so no filter replays it twice

``subshift dlq replay`` reads the dead-letter topic with a consumer group per filter. Each filter's
group started at the beginning, so a second filter (``--reason``, then ``--since``) replayed records
the first had already replayed, and their copies again: one poison record multiplied. A record's
position in the dead-letter topic is claimed here in the transaction that requeues its item, so a
record is replayed once whatever chose it, and the replay count on its copies bounds the chain.
A position is one topic's: the key carries the dead-letter topic's Kafka topic id, so a
dead-letter topic deleted and recreated (its offsets starting again) is not taken for the old
one ('' when Kafka did not say).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_letter_replays",
        sa.Column("topic", sa.Text(), primary_key=True),
        sa.Column("topic_id", sa.Text(), primary_key=True),
        sa.Column("partition", sa.Integer(), primary_key=True),
        sa.Column("offset", sa.BigInteger(), primary_key=True),
        sa.Column("replay_count", sa.Integer(), nullable=False),
        sa.Column("replayed_by", sa.Text(), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("produced", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dead_letter_replays")
