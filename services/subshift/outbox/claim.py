"""The relay's SQL: find migrations with events to publish, read their next items, move their cursors.

``migration_items`` is the outbox: a staged item holds everything its event carries, and each
migration's ``publish_cursor`` is the row up to which the broker has acknowledged its events. A
claim reads the items after the cursor in row order (one range of the primary key; rejected rows,
which have no event id, are skipped). Once the broker has acknowledged them, one ``UPDATE`` moves
the cursor and the ``published`` counter together: the relay writes nothing per item (the
consumer stamps each item with its Kafka position when it records the outcome).

A relay takes a migration for one batch with a transaction-level advisory lock, so relays side by
side publish different migrations and a cursor only moves from where its batch started. A relay
that dies mid-batch commits nothing: the cursor has not moved and the next batch publishes the
same items again (at-least-once; the consumer applies an item only while it is pending).

The relay locks no item; it takes a migration's relay lock in its claim, then the migration rows
when it counts what was published (``subshift.lifecycle.locks`` gives the order every writer follows).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from subshift.db.connect import PgConnection
from subshift.lifecycle import PUBLISHABLE, TRY_RELAY_LOCK_SQL, count_published

__all__ = [
    "ActiveMigration",
    "Claim",
    "active_migrations",
    "claim_items",
    "mark_published",
]

_PUBLISHABLE = [state.value for state in PUBLISHABLE]

# The cursor is a parameter of the index scan (an init plan), so a claim reads only the rows after it.
_CLAIM_SQL = f"""
WITH taken AS MATERIALIZED (
    SELECT m.publish_cursor FROM migrations m
    WHERE m.id = %(mid)s AND m.state = ANY(%(states)s) AND m.published < m.staged
      AND {TRY_RELAY_LOCK_SQL}
)
SELECT (SELECT publish_cursor FROM taken), i.row_number, i.user_id, i.current_offer, i.target_offer,
       i.event_id::text, i.trace_parent
FROM migration_items i
WHERE i.migration_id = %(mid)s AND i.row_number > (SELECT publish_cursor FROM taken) AND i.event_id IS NOT NULL
ORDER BY i.row_number
LIMIT %(limit)s
"""  # noqa: S608 - the lock call is a constant


@dataclass(frozen=True)
class ActiveMigration:
    id: uuid.UUID
    max_rows_per_second: int
    created_at: datetime
    created_by: str


@dataclass(slots=True)
class Claim:
    """The next items of one migration, in row order, each as its columns.

    ``rows`` are ``(row_number, user_id, current_offer, target_offer, event_id, trace_parent)``,
    the event id as text (it travels as a string in the event).
    """

    migration: ActiveMigration
    start: int  # the cursor when claimed: every staged item up to this row is published
    rows: list[tuple[int, str, str, str, str, str | None]]


def active_migrations(conn: PgConnection) -> list[ActiveMigration]:
    """Migrations that may publish (pending or publishing) and still have unpublished items, oldest first."""
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT m.id, m.max_rows_per_second, m.created_at, m.created_by
            FROM migrations m
            WHERE m.state = ANY(%(states)s) AND m.published < m.staged
            ORDER BY m.created_at, m.id
            """,
            {"states": _PUBLISHABLE},
        )
        return [ActiveMigration(uuid.UUID(str(r[0])), r[1], r[2], r[3]) for r in cur.fetchall()]


def claim_items(conn: PgConnection, migration: ActiveMigration, limit: int) -> Claim | None:
    """Take ``migration`` for this transaction and read up to ``limit`` items after its cursor.

    None when another relay holds the migration, or it was cancelled or fully published since it
    was listed. An item a consumer already applied (its relay died before moving the cursor) is
    published again; the consumer treats that as a redelivery.
    """
    with conn.cursor() as cur:
        cur.execute(_CLAIM_SQL, {"mid": str(migration.id), "states": _PUBLISHABLE, "limit": limit})
        found = cur.fetchall()
    if not found:
        return None
    return Claim(migration, found[0][0], [r[1:] for r in found])


def mark_published(conn: PgConnection, progress: dict[uuid.UUID, tuple[int, int, int]]) -> int:
    """Move each migration's cursor past its acknowledged items; returns how many items were counted.

    ``progress`` maps a migration to ``(start, cursor, count)`` (see ``subshift.lifecycle.count_published``).

    Raises:
        psycopg2.errors.LockNotAvailable: a cancel holds a migration row; the batch is republished later.
    """
    return count_published(conn, progress)
