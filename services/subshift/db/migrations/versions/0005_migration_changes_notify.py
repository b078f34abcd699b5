"""Every change to a migration row is announced on the channel ``subshift_migration_changed``.

An ``AFTER UPDATE OR DELETE`` row trigger on ``migrations`` calls ``pg_notify`` with the row's id;
PostgreSQL delivers the notification when the transaction commits (never for one that rolls back),
and once per id per transaction. The API's ``GetMigration`` cache listens on the channel and drops
the entry it names (``subshift.api.migration_cache``). The pipeline updates a migration row once
or twice per batch, so the trigger adds a notification per batch, not per item. Inserts are not
announced: the cache never holds a migration it has not read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 06:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION subshift_migration_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM pg_notify('subshift_migration_changed', OLD.id::text);
            ELSE
                PERFORM pg_notify('subshift_migration_changed', NEW.id::text);
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER migrations_changed AFTER UPDATE OR DELETE ON migrations "
        "FOR EACH ROW EXECUTE FUNCTION subshift_migration_changed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER migrations_changed ON migrations")
    op.execute("DROP FUNCTION subshift_migration_changed()")
