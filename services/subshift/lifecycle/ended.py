"""Ending a migration early: CANCELLED by a caller, or FAILED when an event can never be published.

Both end it the same way, so nothing is applied after its end (a revert of it sees every applied
row): every item still pending gets the outcome ``cancelled`` and counts in ``cancelled``, events
already on the topic included (the consumer applies an item only while it is pending). Its items are
then indexed by outcome (``storage.index_outcomes``).
"""

from __future__ import annotations

import uuid
from typing import Any

from subshift.db.connect import PgConnection
from subshift.db.models import ItemOutcome, MigrationState
from subshift.lifecycle._sql import states_in
from subshift.lifecycle.locks import lock_migration, lock_migrations, take_relay_lock
from subshift.lifecycle.states import Actor, require, sources
from subshift.lifecycle.storage import index_outcomes

__all__ = ["cancel", "fail", "lock_for_cancel"]

_S = MigrationState


def lock_for_cancel(cursor: Any, migration_id: uuid.UUID) -> MigrationState:
    """Steps 1 and 2 of the lock order for a cancel: wait for a relay batch in flight to be counted, lock the row.

    Returns the migration's state; ``states.may(state, CANCELLED, Actor.CANCEL)`` says whether it may be cancelled.

    Raises:
        NotFoundError: no such migration.
    """
    take_relay_lock(cursor, migration_id)
    return lock_migration(cursor, migration_id)


def cancel(cursor: Any, migration_id: uuid.UUID, *, state: MigrationState, why: str) -> int:
    """Cancel every pending item and mark the migration CANCELLED; returns how many items were cancelled.

    ``state`` is what ``lock_for_cancel`` returned in this transaction.

    Raises:
        IllegalTransitionError: the table does not allow cancelling from ``state`` (check ``may`` first).
    """
    require(state, _S.CANCELLED, Actor.CANCEL)
    cancelled = _cancel_pending(cursor, migration_id, why)
    cursor.execute(
        "UPDATE migrations SET state = %s, state_reason = %s, cancelled = cancelled + %s, "
        "completed_at = now(), updated_at = now() WHERE id = %s",
        (_S.CANCELLED.value, why, cancelled, migration_id),
    )
    index_outcomes(cursor, migration_id)
    return cancelled


_FAILING = states_in("m.state", sources(_S.FAILED, Actor.RELAY))
# Built from enum constants only (no input reaches this text).
_FAIL_SQL = f"""
UPDATE migrations m SET state = '{_S.FAILED.value}', state_reason = %(why)s, completed_at = now(), updated_at = now()
WHERE m.id = %(mid)s AND {_FAILING}
"""  # noqa: S608


def fail(conn: PgConnection, migration_id: uuid.UUID, *, why: str) -> bool:
    """Mark a migration the relay cannot publish FAILED (``why`` becomes ``state_reason``); its pending items end.

    Called by a relay holding the migration's relay lock (its claim took it). Returns False, changing
    nothing, when the migration is no longer publishing (the table allows FAILED only from there).

    Raises:
        psycopg2.errors.LockNotAvailable: the migration row stayed locked; the relay retries later.
    """
    lock_migrations(conn, [migration_id])
    with conn.cursor() as cur:
        cur.execute(_FAIL_SQL, {"mid": str(migration_id), "why": why})
        if cur.rowcount != 1:
            return False
        cancelled = _cancel_pending(cur, migration_id, f"not applied: the migration failed: {why}")
        cur.execute("UPDATE migrations SET cancelled = cancelled + %s WHERE id = %s", (cancelled, str(migration_id)))
        index_outcomes(cur, migration_id)
    return True


def _cancel_pending(cursor: Any, migration_id: uuid.UUID, reason: str) -> int:
    cursor.execute(
        "UPDATE migration_items SET outcome = %s, reason = %s, outcome_at = now() "
        "WHERE migration_id = %s AND outcome = %s",
        (ItemOutcome.CANCELLED.value, reason, str(migration_id), ItemOutcome.PENDING.value),
    )
    return int(cursor.rowcount)
