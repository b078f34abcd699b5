"""Changes to a migration after its upload: cancel it, or revert it with a new migration.

Both take the migration's locks in ``subshift.lifecycle``'s order, so they serialise with each
other and with the relay and consumer, which lock the same row when they bump its counters; the
state changes themselves are ``subshift.lifecycle``'s.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid

import psycopg2.errors
from sqlalchemy import Engine

from subshift.api.db import raw_transaction
from subshift.api.errors import IdempotencyConflict, StateConflict
from subshift.api.queries import find_by_request_id, get_migration
from subshift.db.models import Migration, MigrationState
from subshift.errors import InfrastructureError
from subshift.lifecycle import (
    Actor,
    NewMigration,
    cancel,
    insert_validating,
    items_table,
    lock_for_cancel,
    lock_migration,
    mark_staged,
    may,
)
from subshift.observability.tracing import current_traceparent

__all__ = ["cancel_migration", "revert_migration"]


def cancel_migration(engine: Engine, migration_id: uuid.UUID, *, reason: str, cancelled_by: str) -> Migration:
    """Cancel every item not yet applied and mark the migration CANCELLED.

    Items already published are cancelled too; the consumer applies an item only while it is
    still pending, so a late event for a cancelled item changes nothing.

    Raises:
        NotFoundError: no such migration.
        StateConflict: the migration already reached a terminal state.
        InfrastructureError: the database failed.
    """
    why = f"cancelled by {cancelled_by}" + (f": {reason}" if reason else "")
    for attempt in range(1, _CANCEL_ATTEMPTS + 1):
        try:
            _cancel_once(engine, migration_id, why)
            break
        except InfrastructureError as error:
            # The relay and consumer update the same items in their own order; PostgreSQL breaks
            # such a deadlock by failing one side (class 40). The whole cancel rolled back, so it is
            # safe to run again.
            if not (error.code or "").startswith("40") or attempt == _CANCEL_ATTEMPTS:
                raise
            time.sleep(random.uniform(0.05, 0.2) * attempt)  # noqa: S311 - jitter, not security
    return get_migration(engine, migration_id)


_CANCEL_ATTEMPTS = 5


def _cancel_once(engine: Engine, migration_id: uuid.UUID, why: str) -> None:
    with raw_transaction(engine) as connection, connection.cursor() as cursor:
        # A relay batch of this migration in flight is counted first; no new one starts until we commit.
        state = lock_for_cancel(cursor, migration_id)
        if not may(state, MigrationState.CANCELLED, Actor.CANCEL):
            raise StateConflict(f"migration {migration_id} is already {state.value}; only an unfinished "
                                "migration can be cancelled")
        cancel(cursor, migration_id, state=state, why=why)


def _revert_digest(source: uuid.UUID) -> str:
    return hashlib.sha256(f"revert:{source}".encode()).hexdigest()


def _replay(existing: Migration, digest: str, request_id: str) -> Migration:
    if existing.content_sha256 != digest:
        raise IdempotencyConflict(f"request_id {request_id!r} was already used for migration {existing.id}, "
                                  "which is not this revert; use a new request_id")
    return existing


# ``{table}``: the revert's own items table, attached to ``migration_items`` when it is staged.
_COPY_APPLIED = """
INSERT INTO {table} (migration_id, row_number, user_id, current_offer, target_offer, trace_parent)
SELECT %(new)s, 1 + row_number() OVER (ORDER BY row_number), user_id, target_offer,
       coalesce(previous_offer, current_offer), %(trace)s
FROM migration_items WHERE migration_id = %(source)s AND outcome = 'applied'
"""


# A revert that ended without moving its users back (or may have moved only some) does not count.
_REVERT_UNDONE = (MigrationState.CANCELLED.value, MigrationState.FAILED.value, MigrationState.REJECTED.value)
_EARLIER_REVERT = """
SELECT id, state FROM migrations WHERE reverts_migration_id = %(source)s AND state <> ALL(%(ended)s)
ORDER BY created_at LIMIT 1
"""


def revert_migration(engine: Engine, source_id: uuid.UUID, *, request_id: str, description: str,
                     created_by: str) -> Migration:
    """A new PENDING migration moving every user the source applied back to their previous offer.

    Its items are numbered from row 2, as if they came from a CSV with a header; each moves the
    user from the source's target offer (current) back to the offer recorded when applied.

    Raises:
        NotFoundError: no such source migration.
        StateConflict: the source is not finished yet, applied nothing, was reverted already (by a
            revert not cancelled, failed or rejected), or its items were purged.
        IdempotencyConflict: ``request_id`` was used for something else.
        InfrastructureError: the database failed.
    """
    digest = _revert_digest(source_id)
    if request_id and (existing := find_by_request_id(engine, request_id)) is not None:
        return _replay(existing, digest, request_id)
    new_id = uuid.uuid4()
    trace = current_traceparent()
    with raw_transaction(engine) as connection, connection.cursor() as cursor:
        state = lock_migration(cursor, source_id, share=True)
        if not state.terminal:
            raise StateConflict(f"migration {source_id} is still {state.value}; revert it once it has finished "
                                "(or cancel it first)")
        # A second revert would find every user moved back already and skip them all, silently.
        cursor.execute(_EARLIER_REVERT, {"source": source_id, "ended": list(_REVERT_UNDONE)})
        earlier = cursor.fetchone()
        if earlier is not None:
            raise StateConflict(f"migration {source_id} was already reverted by migration {earlier[0]} "
                                f"({earlier[1]}); to move its users again, revert {earlier[0]} instead")
        try:
            insert_validating(cursor, NewMigration(
                id=new_id, request_id=request_id or None, content_sha256=digest,
                description=description or f"revert of {source_id}", created_by=created_by, trace_parent=trace,
                reverts_migration_id=source_id), actor=Actor.REVERT)
        except psycopg2.errors.UniqueViolation:
            connection.rollback()
            existing = find_by_request_id(engine, request_id)
            if existing is None:
                raise IdempotencyConflict(f"request_id {request_id!r} was in use; retry the revert") from None
            return _replay(existing, digest, request_id)
        cursor.execute("SELECT items_purged_at FROM migrations WHERE id = %s", (source_id,))
        (purged_at,) = cursor.fetchone()
        if purged_at is not None:
            raise StateConflict(f"migration {source_id}'s items were purged on {purged_at:%Y-%m-%d}; which users "
                                "it moved is no longer known, so it cannot be reverted")
        cursor.execute(_COPY_APPLIED.format(table=items_table(new_id)),
                       {"new": new_id, "trace": trace, "source": source_id})
        moved = cursor.rowcount
        if moved == 0:
            raise StateConflict(f"migration {source_id} applied no rows; there is nothing to revert")
        mark_staged(cursor, new_id, actor=Actor.REVERT, received=moved, rejected=0, staged=moved)
    return get_migration(engine, new_id)
