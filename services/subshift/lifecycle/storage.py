"""Where a migration's items live: one partition of ``migration_items`` per migration.

``migration_items`` is partitioned by list of ``migration_id`` (revision 0009), so every query that
names a migration reads one partition, and purging a migration's items drops a table instead of
deleting rows (``purged``).

The partition is created in the transaction that inserts its migration (``created.insert_validating``)
as a table of its own, written there under its own name (``items_table``), and attached to
``migration_items`` when the migration leaves VALIDATING (``created.mark_staged``), just before that
transaction commits. Creating it as a partition at once (``CREATE TABLE … PARTITION OF``) would lock
the whole of ``migration_items`` against every reader and writer for as long as the upload streams;
attaching takes only a ``SHARE UPDATE EXCLUSIVE`` lock on it (readers and writers go on), for the
moment between the attach and the commit. The table's ``CHECK`` on its migration id lets the attach
skip scanning its rows; it is dropped once attached (the partition bound says the same).

Each partition keeps half of its pages free (fillfactor 50) so the outcome update stays on the page,
and carries the primary key (migration_id, row_number) of ``migration_items`` (copied by ``LIKE …
INCLUDING INDEXES`` and matched by the attach). While the migration runs, no other index exists, so
the consumer's outcome update stays heap-only (HOT): an index naming ``outcome``, even only in a
partial index's predicate, makes every one of those updates write a new entry in every index, which
measured +30 % pages touched and +45 % WAL per apply round (docs/performance/items-by-outcome-index.md).
Once the migration has finished (its items do not change any more) ``index_outcomes`` indexes them
by ``(outcome, row_number)``, in the transaction that finishes it, so a page of items by outcome is
an index range from then on. The index leaves out ``applied``, the outcome most rows of a bulk move
get: it then costs a fraction to build (docs/performance/2026-12-07-apply-moves-first.md), and a page of
``applied`` items, being dense, is read along the primary key a bounded span at a time
(``subshift.api.queries``), as a running migration's pages by outcome are.
"""

from __future__ import annotations

import uuid
from typing import Any

from subshift.db.models import ItemOutcome

__all__ = [
    "INDEX_LOCK_TIMEOUT",
    "ITEMS_FILLFACTOR",
    "attach_items_table",
    "create_items_table",
    "drop_items_table",
    "index_outcomes",
    "items_table",
    "outcome_index",
]

ITEMS_FILLFACTOR = 50
INDEX_LOCK_TIMEOUT = "5s"
_BOUND_CHECK = "migration_bound"


def items_table(migration_id: uuid.UUID) -> str:
    """The name of ``migration_id``'s partition (a plain identifier: no quoting needed)."""
    return f"migration_items_{migration_id.hex}"


def create_items_table(cursor: Any, migration_id: uuid.UUID) -> str:
    """Create ``migration_id``'s items table, not yet attached; returns its name.

    Only the creating transaction sees it: write the migration's items into it by name until
    ``attach_items_table``.
    """
    name = items_table(migration_id)
    cursor.execute(
        f"CREATE TABLE {name} (LIKE migration_items INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES, "
        f"CONSTRAINT {_BOUND_CHECK} CHECK (migration_id IS NOT NULL AND migration_id = %s::uuid)) "
        f"WITH (fillfactor = {ITEMS_FILLFACTOR})",
        (str(migration_id),),
    )
    return name


def attach_items_table(cursor: Any, migration_id: uuid.UUID) -> None:
    """Make ``migration_id``'s items table its partition of ``migration_items``."""
    name = items_table(migration_id)
    cursor.execute(f"ALTER TABLE migration_items ATTACH PARTITION {name} FOR VALUES IN (%s::uuid)",
                   (str(migration_id),))
    cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {_BOUND_CHECK}")


def outcome_index(migration_id: uuid.UUID) -> str:
    """The name of the index of ``migration_id``'s items by outcome (once it has finished)."""
    return f"{items_table(migration_id)}_outcome"


def index_outcomes(cursor: Any, migration_id: uuid.UUID) -> None:
    """Index a finished migration's items by ``(outcome, row_number)``, ``applied`` left out; nothing when they
    are (or it has none).

    Takes a ``SHARE`` lock on the migration's partition (no writer of it runs once it has finished; a
    consumer's redelivered batch waits for the build, which reads the partition once), waiting for it up
    to ``INDEX_LOCK_TIMEOUT`` whatever the transaction's own lock timeout, then restoring that.

    Raises:
        psycopg2.errors.LockNotAvailable: the partition stayed locked; the caller's transaction is retried.
    """
    name = items_table(migration_id)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL, current_setting('lock_timeout')", (name,))
    exists, lock_timeout = cursor.fetchone()
    if not exists:
        return
    # Autovacuum, likely busy with a partition the apply has just rewritten, gives its lock up to a waiter
    # only after deadlock_timeout (1 s): a shorter wait (the pipeline's 500 ms) would fail every retry.
    cursor.execute(f"SET LOCAL lock_timeout = '{INDEX_LOCK_TIMEOUT}'")
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {outcome_index(migration_id)} ON {name} (outcome, row_number) "
                   f"WHERE outcome <> '{ItemOutcome.APPLIED.value}'")
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", (lock_timeout,))


def drop_items_table(cursor: Any, migration_id: uuid.UUID) -> bool:
    """Detach and drop ``migration_id``'s partition; False when it has none (a refused upload stages nothing).

    Raises:
        psycopg2.errors.LockNotAvailable: a query on ``migration_items`` outlasted the caller's lock timeout.
    """
    name = items_table(migration_id)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
    (exists,) = cursor.fetchone()
    if not exists:
        return False
    cursor.execute(f"ALTER TABLE migration_items DETACH PARTITION {name}")
    cursor.execute(f"DROP TABLE {name}")
    return True
