"""Putting dead-lettered items back in the queue before their events are replayed.

An item whose event was dead-lettered has the outcome ``dead_lettered``; the consumer would treat
its replayed event as a redelivery. Requeueing makes it pending again (one transaction: items,
the migration's counter and state), so the replay is applied once, or dead-lettered once more.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from psycopg2.extras import execute_values

from subshift.db.connect import PgConnection
from subshift.db.models import ItemOutcome, MigrationState
from subshift.outbox.claim import lock_migrations

__all__ = ["requeue_items"]

_TERMINAL = (MigrationState.SUCCEEDED.value, MigrationState.SUCCEEDED_WITH_ERRORS.value)

# Built from enum constants only (no input reaches this text).
_REQUEUE_SQL = f"""
UPDATE migration_items i
SET outcome = '{ItemOutcome.PENDING.value}', reason = '', outcome_at = NULL, dlt_partition = NULL, dlt_offset = NULL
FROM (VALUES %s) AS v(mid, rn)
WHERE i.migration_id = v.mid AND i.row_number = v.rn AND i.outcome = '{ItemOutcome.DEAD_LETTERED.value}'
RETURNING i.migration_id
"""  # noqa: S608


def requeue_items(conn: PgConnection, items: Iterable[tuple[uuid.UUID, int]]) -> int:
    """Make dead-lettered ``(migration_id, row_number)`` items pending again; returns how many were.

    Items with any other outcome are left alone, so requeueing twice changes nothing the second time.
    """
    pairs = sorted({(str(m), r) for m, r in items})
    if not pairs:
        return 0
    with conn.cursor() as cur:
        rows = execute_values(cur, _REQUEUE_SQL, pairs, template="(%s::uuid, %s::bigint)", fetch=True)
        counts: dict[str, int] = {}
        for (mid,) in rows:
            counts[str(mid)] = counts.get(str(mid), 0) + 1
        lock_migrations(conn, [uuid.UUID(m) for m in counts])
        for mid in sorted(counts):
            cur.execute(
                "UPDATE migrations SET dead_lettered = dead_lettered - %s, updated_at = now(), completed_at = NULL, "
                "state = CASE WHEN state = ANY(%s) THEN %s ELSE state END WHERE id = %s",
                (counts[mid], list(_TERMINAL), MigrationState.APPLYING.value, mid),
            )
    return sum(counts.values())
