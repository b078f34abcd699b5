"""Consumer offsets kept in PostgreSQL, written in the same transaction as the changes they cover.

The database, not only Kafka, knows what was applied: a batch whose offsets are below the
stored ``next_offset`` was applied already and is dropped; on assignment a consumer starts
from the stored offset when it is ahead of the one Kafka has committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from psycopg2.extras import execute_values

from subshift.db.connect import PgConnection

__all__ = ["lock_offsets", "read_offsets", "save_offsets"]


def lock_offsets(conn: PgConnection, group_id: str, topic: str, partitions: Iterable[int]) -> dict[int, int]:
    """Lock and read the stored next offsets of ``partitions`` (a second owner of a partition waits here)."""
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT partition, next_offset FROM consumer_offsets
            WHERE group_id = %s AND topic = %s AND partition = ANY(%s)
            ORDER BY partition FOR UPDATE
            """,
            (group_id, topic, sorted(set(partitions))),
        )
        return {int(p): int(o) for p, o in cur.fetchall()}


def read_offsets(conn: PgConnection, group_id: str, topic: str, partitions: Iterable[int]) -> dict[int, int]:
    """The stored next offsets of ``partitions`` (no lock; for assignment)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT partition, next_offset FROM consumer_offsets WHERE group_id = %s AND topic = %s "
            "AND partition = ANY(%s)",
            (group_id, topic, sorted(set(partitions))),
        )
        return {int(p): int(o) for p, o in cur.fetchall()}


def save_offsets(conn: PgConnection, group_id: str, topic: str, next_offsets: Mapping[int, int]) -> None:
    """Store ``partition → next offset``; an offset never moves backwards."""
    if not next_offsets:
        return
    with conn.cursor() as cur:
        execute_values(
            cur,
            """
            INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, updated_at)
            VALUES %s
            ON CONFLICT (group_id, topic, partition) DO UPDATE
            SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()
            """,
            [(group_id, topic, p, o) for p, o in sorted(next_offsets.items())],
            template="(%s, %s, %s, %s, now())",
        )
