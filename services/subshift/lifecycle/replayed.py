"""A dead-letter replay's part of a migration's life: requeue dead-lettered items, reopening a finished migration.

An item whose event was dead-lettered has the outcome ``dead_lettered``; the consumer would treat its
replayed event as a redelivery. Requeueing makes it pending again (one transaction: items, the
migration's counter and state), so the replayed event is applied once, or dead-lettered once more.

What a replay does to a migration, as the proto promises:

- a running migration only gets its items back (its ``dead_lettered`` counter goes down);
- a SUCCEEDED_WITH_ERRORS migration is reopened: it is APPLYING again (``completed_at`` cleared)
  until the replayed items have outcomes, then finishes as the consumer finishes any migration;
- a CANCELLED or FAILED migration is left as it is, items included: nothing is applied after its
  end, so its replayed events are redeliveries and change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from psycopg2.extras import execute_values

from subshift.db.connect import PgConnection
from subshift.db.models import ItemOutcome, MigrationState
from subshift.lifecycle._sql import states_in
from subshift.lifecycle.locks import lock_migrations
from subshift.lifecycle.states import REPLAYABLE, Actor, sources

__all__ = ["requeue_dead_letters"]

_S = MigrationState
_REOPENED = states_in("state", sources(_S.APPLYING, Actor.REPLAY))

_REPLAYABLE = states_in("m.state", REPLAYABLE)
# Built from enum constants only (no input reaches these texts).
_REQUEUE_SQL = f"""
UPDATE migration_items i
SET outcome = '{ItemOutcome.PENDING.value}', reason = '', outcome_at = NULL, dlt_partition = NULL, dlt_offset = NULL
FROM (VALUES %s) AS v(mid, rn), migrations m
WHERE i.migration_id = v.mid AND i.row_number = v.rn AND i.outcome = '{ItemOutcome.DEAD_LETTERED.value}'
  AND m.id = v.mid AND {_REPLAYABLE}
RETURNING i.migration_id
"""  # noqa: S608

_REOPEN_SQL = f"""
UPDATE migrations SET dead_lettered = dead_lettered - %s, updated_at = now(),
    completed_at = CASE WHEN {_REOPENED} THEN NULL ELSE completed_at END,
    state = CASE WHEN {_REOPENED} THEN '{_S.APPLYING.value}' ELSE state END
WHERE id = %s
"""  # noqa: S608


def requeue_dead_letters(conn: PgConnection, items: Iterable[tuple[uuid.UUID, int]]) -> int:
    """Make dead-lettered ``(migration_id, row_number)`` items pending again; returns how many were.

    Items with any other outcome, or of a cancelled or failed migration, are left alone, so requeueing
    twice changes nothing the second time.

    Raises:
        psycopg2.errors.LockNotAvailable: a cancel (or a long transaction) holds a migration row; retry.
    """
    pairs = sorted({(str(m), r) for m, r in items})
    if not pairs:
        return 0
    # Migration rows before items (the lock order), so the states the requeue reads cannot change under it.
    lock_migrations(conn, {uuid.UUID(m) for m, _ in pairs})
    with conn.cursor() as cur:
        rows = execute_values(cur, _REQUEUE_SQL, pairs, template="(%s::uuid, %s::bigint)", fetch=True)
        counts: dict[str, int] = {}
        for (mid,) in rows:
            counts[str(mid)] = counts.get(str(mid), 0) + 1
        for mid in sorted(counts):
            cur.execute(_REOPEN_SQL, (counts[mid], mid))
    return sum(counts.values())
