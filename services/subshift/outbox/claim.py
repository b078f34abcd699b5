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

Lock order: the relay locks no item; it takes a migration's advisory lock, then the migration rows
when it moves their cursors, by id and waiting at most ``MIGRATION_LOCK_TIMEOUT`` (the consumer
takes items, then migration rows). A cancel takes the same advisory lock first (``wait_for_relay``),
so it waits for a batch in flight to be counted, then takes its migration row and the items.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState

__all__ = [
    "MIGRATION_LOCK_TIMEOUT",
    "ActiveMigration",
    "Claim",
    "active_migrations",
    "claim_items",
    "lock_migrations",
    "mark_published",
    "wait_for_relay",
]

_PUBLISHABLE = (MigrationState.PENDING.value, MigrationState.PUBLISHING.value)

# Shorter than PostgreSQL's deadlock_timeout (1 s), so a pipeline transaction gives way to a cancel
# before the deadlock detector might pick the cancel as its victim.
MIGRATION_LOCK_TIMEOUT = "500ms"

# The advisory lock space of relay batches (the first key of the two-key form; the second is the
# migration id's hash). A hash collision only makes two migrations take turns.
_RELAY_LOCK_SPACE = 0x5EB5

# The cursor is a parameter of the index scan (an init plan), so a claim reads only the rows after it.
_CLAIM_SQL = """
WITH taken AS MATERIALIZED (
    SELECT m.publish_cursor FROM migrations m
    WHERE m.id = %(mid)s AND m.state = ANY(%(states)s) AND m.published < m.staged
      AND pg_try_advisory_xact_lock(%(space)s, hashtext(%(mid)s::text))
)
SELECT (SELECT publish_cursor FROM taken), i.row_number, i.user_id, i.current_offer, i.target_offer,
       i.event_id::text, i.trace_parent
FROM migration_items i
WHERE i.migration_id = %(mid)s AND i.row_number > (SELECT publish_cursor FROM taken) AND i.event_id IS NOT NULL
ORDER BY i.row_number
LIMIT %(limit)s
"""

# Built from enum constants only (no input reaches this text).
_MARK_SQL = f"""
UPDATE migrations m
SET publish_cursor = %(cursor)s, published = m.published + %(n)s, updated_at = now(),
    state = CASE
        WHEN m.state NOT IN ('{_PUBLISHABLE[0]}', '{_PUBLISHABLE[1]}') THEN m.state
        WHEN m.published + %(n)s < m.staged THEN '{MigrationState.PUBLISHING.value}'
        ELSE '{MigrationState.APPLYING.value}' END
WHERE m.id = %(mid)s AND m.publish_cursor = %(start)s AND m.state <> '{MigrationState.CANCELLED.value}'
"""  # noqa: S608


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
            {"states": list(_PUBLISHABLE)},
        )
        return [ActiveMigration(uuid.UUID(str(r[0])), r[1], r[2], r[3]) for r in cur.fetchall()]


def claim_items(conn: PgConnection, migration: ActiveMigration, limit: int) -> Claim | None:
    """Take ``migration`` for this transaction and read up to ``limit`` items after its cursor.

    None when another relay holds the migration, or it was cancelled or fully published since it
    was listed. An item a consumer already applied (its relay died before moving the cursor) is
    published again; the consumer treats that as a redelivery.
    """
    with conn.cursor() as cur:
        cur.execute(_CLAIM_SQL, {"mid": str(migration.id), "states": list(_PUBLISHABLE), "space": _RELAY_LOCK_SPACE,
                                 "limit": limit})
        found = cur.fetchall()
    if not found:
        return None
    return Claim(migration, found[0][0], [r[1:] for r in found])


def wait_for_relay(cursor: Any, migration_id: uuid.UUID) -> None:
    """Take ``migration_id``'s relay lock for the caller's transaction, waiting for a batch in flight.

    Once it returns, no relay is between producing events of the migration and counting them, and
    none starts until the transaction ends (a cancel then leaves ``published`` final).
    """
    cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s::text))", (_RELAY_LOCK_SPACE, str(migration_id)))


def lock_migrations(conn: PgConnection, ids: Iterable[uuid.UUID]) -> None:
    """Take the migration rows' locks in id order, waiting at most ``MIGRATION_LOCK_TIMEOUT``.

    Raises:
        psycopg2.errors.LockNotAvailable: a cancel (or a long transaction) holds a row; retry later.
    """
    with conn.cursor() as cur:
        cur.execute(f"SET LOCAL lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'")
        cur.execute(
            "SELECT id FROM migrations WHERE id = ANY(%s::uuid[]) ORDER BY id FOR NO KEY UPDATE",
            ([str(i) for i in sorted(set(ids))],),
        )


def mark_published(conn: PgConnection, progress: dict[uuid.UUID, tuple[int, int, int]]) -> int:
    """Move each migration's cursor past its acknowledged items; returns how many items were counted.

    ``progress`` maps a migration to ``(start, cursor, count)``: its cursor when claimed, the last
    row of the unbroken run of acknowledged items from there, and how many staged items that run
    holds. A cursor that is no longer at ``start`` is left alone (nothing is counted twice), and so is
    a cancelled migration's: its counters are final once the cancel returns, even for a claim that
    read the migration just before the cancel committed.
    """
    moving = {mid: p for mid, p in progress.items() if p[2] > 0}
    if not moving:
        return 0
    lock_migrations(conn, moving)
    counted = 0
    with conn.cursor() as cur:
        for mid, (start, cursor, n) in sorted(moving.items()):
            cur.execute(_MARK_SQL, {"mid": str(mid), "start": start, "cursor": cursor, "n": n})
            counted += n if cur.rowcount == 1 else 0
    return counted
