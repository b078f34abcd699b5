"""``subscriptions`` keeps half of each page free (fillfactor 50), so every compare-and-set is HOT

Revision 0003 left a fifth of each page free. A bulk migration moves most subscribers of a page
within a few batches, and a batch's transaction cannot reuse the space of the versions it
replaces, so only the first fifth's worth of a page's updates stayed on the page; the others
wrote their new version elsewhere, with a new entry in the primary key's index. At fillfactor 50
every one is HOT (measured: docs/performance/subscriptions-fillfactor-50.md).

The cost is space: a page is filled to half instead of four fifths, so the table takes more pages
(its index is unchanged). The setting applies to pages written from now on: seeding rewrites the table, and an existing
population takes it with ``VACUUM FULL subscriptions`` (an exclusive lock; a maintenance window).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE subscriptions SET (fillfactor = 50)")


def downgrade() -> None:
    op.execute("ALTER TABLE subscriptions SET (fillfactor = 80)")
