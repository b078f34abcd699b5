"""The lock order of a migration, as the functions that take each lock.

Every transaction that writes a migration takes its locks in this order, skipping those it does
not need:

1. the migration's relay lock (``take_relay_lock``, or ``TRY_RELAY_LOCK_SQL`` in a relay's claim):
   a transaction-level advisory lock, so relays side by side publish different migrations and a
   cancel waits for a relay batch in flight to be counted;
2. the migration rows (``lock_migrations`` by id, waiting at most ``MIGRATION_LOCK_TIMEOUT``, or
   ``lock_migration`` for one row whose state the caller reads);
3. the migration's items.

The consumer is the one exception: its compare-and-set must lock items first, then it takes the
migration rows to count outcomes. It waits for those at most ``MIGRATION_LOCK_TIMEOUT``, so when a
cancel holds a row while it waits for the consumer's items, the consumer's batch rolls back and
retries instead of deadlocking.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift.errors import NotFoundError

__all__ = [
    "MIGRATION_LOCK_TIMEOUT",
    "TRY_RELAY_LOCK_SQL",
    "lock_migration",
    "lock_migrations",
    "take_relay_lock",
]

# Shorter than PostgreSQL's deadlock_timeout (1 s), so a pipeline transaction gives way to a cancel
# before the deadlock detector might pick the cancel as its victim.
MIGRATION_LOCK_TIMEOUT = "500ms"

# The advisory lock space of relay batches (the first key of the two-key form; the second is the
# migration id's hash). A hash collision only makes two migrations take turns.
_RELAY_LOCK_SPACE = 0x5EB5

# Step 1 without waiting, for a relay's claim; ``%(mid)s`` is the migration id.
TRY_RELAY_LOCK_SQL = f"pg_try_advisory_xact_lock({_RELAY_LOCK_SPACE}, hashtext(%(mid)s::text))"


def take_relay_lock(cursor: Any, migration_id: uuid.UUID) -> None:
    """Step 1: take ``migration_id``'s relay lock for the caller's transaction, waiting for a batch in flight.

    Once it returns, no relay is between producing events of the migration and counting them, and
    none starts until the transaction ends (a cancel then leaves ``published`` final).
    """
    cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s::text))", (_RELAY_LOCK_SPACE, str(migration_id)))


def lock_migrations(conn: PgConnection, ids: Iterable[uuid.UUID]) -> None:
    """Step 2 for the pipeline: take the migration rows' locks in id order, waiting at most ``MIGRATION_LOCK_TIMEOUT``.

    Raises:
        psycopg2.errors.LockNotAvailable: a cancel (or a long transaction) holds a row; retry later.
    """
    with conn.cursor() as cur:
        cur.execute(f"SET LOCAL lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'")
        cur.execute(
            "SELECT id FROM migrations WHERE id = ANY(%s::uuid[]) ORDER BY id FOR NO KEY UPDATE",
            ([str(i) for i in sorted(set(ids))],),
        )


def lock_migration(cursor: Any, migration_id: uuid.UUID, *, share: bool = False) -> MigrationState:
    """Step 2 for the API: lock one migration row (``share``: against changes only) and return its state.

    Raises:
        NotFoundError: no such migration.
    """
    lock = "SHARE" if share else "UPDATE"
    sql = f"SELECT state FROM migrations WHERE id = %s FOR {lock}"  # noqa: S608 - lock is one of two constants
    cursor.execute(sql, (str(migration_id),))
    row = cursor.fetchone()
    if row is None:
        raise NotFoundError(f"migration {migration_id} does not exist")
    return MigrationState(row[0])
