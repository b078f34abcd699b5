"""A finished migration's items purged: its partition detached and dropped, its row and counts kept.

Items are the bulk of the database and only matter while a migration runs and for a while after
(results, exports, a revert, a dead-letter replay). Once its retention has passed, a finished
migration's items go in one statement that drops their partition (``storage.drop_items_table``):
no row-by-row ``DELETE``, so no dead tuples for vacuum to find in the other migrations' items. The
migration row, its counters and the audit log stay; ``items_purged_at`` says when the items went, and
the reads of items answer with that date instead of an empty list.

A running migration is refused (``UnfinishedMigrationError``, naming its state): its items are the
outbox and the consumer's compare-and-set. Dropping a partition takes an ``ACCESS EXCLUSIVE`` lock
on ``migration_items`` for an instant; the purge waits for it at most ``PURGE_LOCK_TIMEOUT`` (a long
export holds it off) so that the pipeline's statements queued behind it are never held up for long,
and the purge of that migration fails with ``LockNotAvailable`` for the next run to retry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from subshift.db.models import MigrationState
from subshift.errors import ConflictError
from subshift.lifecycle.locks import lock_migration
from subshift.lifecycle.storage import drop_items_table

__all__ = ["PURGE_LOCK_TIMEOUT", "Purgeable", "UnfinishedMigrationError", "purge_items", "purgeable"]

PURGE_LOCK_TIMEOUT = "2s"


class UnfinishedMigrationError(ConflictError):
    """The migration is still running: its items cannot be purged until it finishes."""

    def __init__(self, migration_id: uuid.UUID, state: MigrationState) -> None:
        super().__init__(f"migration {migration_id} is {state.value}; only a finished migration's items can be "
                         "purged (wait for it to finish, or cancel it first)")
        self.migration_id = migration_id
        self.state = state


@dataclass(frozen=True, slots=True)
class Purgeable:
    """A finished migration whose items are still kept."""

    id: uuid.UUID
    state: MigrationState
    finished_at: datetime
    staged: int
    rows_rejected: int


_TERMINAL = [state.value for state in MigrationState if state.terminal]

# A finished migration's retention counts from when it finished (a REJECTED one finishes when recorded).
_PURGEABLE_SQL = """
SELECT id, state, coalesce(completed_at, updated_at), staged, rows_rejected FROM migrations
WHERE state = ANY(%(terminal)s) AND items_purged_at IS NULL AND coalesce(completed_at, updated_at) < now() - %(age)s
ORDER BY coalesce(completed_at, updated_at), id
"""


def purgeable(cursor: Any, *, older_than: timedelta) -> list[Purgeable]:
    """Finished migrations whose items are kept and that finished more than ``older_than`` ago, oldest first."""
    cursor.execute(_PURGEABLE_SQL, {"terminal": _TERMINAL, "age": older_than})
    return [Purgeable(uuid.UUID(str(mid)), MigrationState(state), at, staged, rejected)
            for mid, state, at, staged, rejected in cursor.fetchall()]


def purge_items(cursor: Any, migration_id: uuid.UUID) -> datetime:
    """Drop a finished migration's items (its partition) and record when; returns that time.

    A migration purged before keeps its first date (the call changes nothing).

    Raises:
        NotFoundError: no such migration.
        UnfinishedMigrationError: the migration is not in a final state.
        psycopg2.errors.LockNotAvailable: ``migration_items`` stayed locked for ``PURGE_LOCK_TIMEOUT``; retry.
    """
    state = lock_migration(cursor, migration_id)
    if not state.terminal:
        raise UnfinishedMigrationError(migration_id, state)
    cursor.execute("SELECT items_purged_at FROM migrations WHERE id = %s", (str(migration_id),))
    (already,) = cursor.fetchone()
    if already is not None:
        return already  # type: ignore[no-any-return]
    cursor.execute(f"SET LOCAL lock_timeout = '{PURGE_LOCK_TIMEOUT}'")
    drop_items_table(cursor, migration_id)
    cursor.execute("UPDATE migrations SET items_purged_at = now(), updated_at = now() WHERE id = %s "
                   "RETURNING items_purged_at", (str(migration_id),))
    (purged_at,) = cursor.fetchone()
    return purged_at  # type: ignore[no-any-return]
