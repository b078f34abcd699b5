"""Consumer offsets kept in PostgreSQL, written in the same transaction as the changes they cover.

The database, not only Kafka, knows what was applied: a batch whose offsets are below the
stored ``next_offset`` was applied already and is dropped; on assignment a consumer starts
from the stored offset when it is ahead of the one Kafka has committed.

An offset counts records of one topic on one cluster, so each row also carries the Kafka topic id
and cluster id it was read from (``TopicIdentity``). An offset stored for another topic of the same
name (deleted and recreated) or another cluster, or one beyond a partition's end, says nothing
about the records there now: using it would skip them as "already applied". ``offset_problem``
names that case; the consumer then resets the row and reads the partition again (the apply's
per-item check makes the records it already applied no-ops).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from psycopg2.extras import execute_values

from subshift.db.connect import PgConnection
from subshift.messaging.topic_identity import TopicIdentity

__all__ = ["OffsetProblem", "StoredOffset", "lock_offsets", "offset_problem", "read_offsets",
           "reset_offsets", "save_offsets"]


@dataclass(frozen=True)
class StoredOffset:
    """A stored next offset and the identity it was read under (None in rows stored before identities)."""

    next_offset: int
    identity: TopicIdentity | None


class OffsetProblem(Enum):
    """Why a stored offset cannot be trusted for the partition assigned now."""

    CLUSTER_CHANGED = "cluster_changed"
    TOPIC_CHANGED = "topic_changed"
    BEYOND_END = "beyond_end"


def offset_problem(stored: StoredOffset, current: TopicIdentity | None, high_watermark: int) -> OffsetProblem | None:
    """What is wrong with ``stored`` for a partition of ``current`` whose end is ``high_watermark``, if anything.

    An unknown identity on either side (an old row, or Kafka not telling) is not a mismatch; the
    end is still checked (a negative ``high_watermark`` means it is unknown).
    """
    if stored.identity is not None and current is not None:
        if stored.identity.cluster_id != current.cluster_id:
            return OffsetProblem.CLUSTER_CHANGED
        if stored.identity.topic_id != current.topic_id:
            return OffsetProblem.TOPIC_CHANGED
    if high_watermark >= 0 and stored.next_offset > high_watermark:
        return OffsetProblem.BEYOND_END
    return None


def lock_offsets(conn: PgConnection, group_id: str, topic: str, partitions: Iterable[int],
                 identity: TopicIdentity | None = None) -> dict[int, int]:
    """Lock and read the stored next offsets of ``partitions`` (a second owner of a partition waits here).

    Rows stored under another identity than ``identity`` are locked but not returned: their
    offsets count another topic's records, and must not drop this one's.
    """
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT partition, next_offset, cluster_id, topic_id FROM consumer_offsets
            WHERE group_id = %s AND topic = %s AND partition = ANY(%s)
            ORDER BY partition FOR UPDATE
            """,
            (group_id, topic, sorted(set(partitions))),
        )
        rows = cur.fetchall()
    return {int(p): int(o) for p, o, cluster, topic_id in rows
            if identity is None or cluster is None or topic_id is None
            or (cluster == identity.cluster_id and topic_id == identity.topic_id)}


def read_offsets(conn: PgConnection, group_id: str, topic: str, partitions: Iterable[int]) -> dict[int, StoredOffset]:
    """The stored next offsets of ``partitions`` and their identities (no lock; for assignment)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT partition, next_offset, cluster_id, topic_id FROM consumer_offsets WHERE group_id = %s "
            "AND topic = %s AND partition = ANY(%s)",
            (group_id, topic, sorted(set(partitions))),
        )
        return {int(p): StoredOffset(int(o), TopicIdentity(c, t) if c is not None and t is not None else None)
                for p, o, c, t in cur.fetchall()}


def save_offsets(conn: PgConnection, group_id: str, topic: str, next_offsets: Mapping[int, int],
                 identity: TopicIdentity | None = None) -> None:
    """Store ``partition → next offset`` read under ``identity``; an offset never moves backwards on one topic.

    A row stored under another identity is replaced, not compared: its offset counted another
    topic's records. An unknown ``identity`` keeps the row's.
    """
    if not next_offsets:
        return
    cluster = identity.cluster_id if identity is not None else None
    topic_id = identity.topic_id if identity is not None else None
    with conn.cursor() as cur:
        execute_values(
            cur,
            """
            INSERT INTO consumer_offsets AS o (group_id, topic, partition, next_offset, cluster_id, topic_id,
                                               updated_at)
            VALUES %s
            ON CONFLICT (group_id, topic, partition) DO UPDATE
            SET next_offset = CASE
                    WHEN EXCLUDED.cluster_id IS NOT NULL AND o.cluster_id IS NOT NULL
                         AND (EXCLUDED.cluster_id, EXCLUDED.topic_id) IS DISTINCT FROM (o.cluster_id, o.topic_id)
                    THEN EXCLUDED.next_offset
                    ELSE GREATEST(o.next_offset, EXCLUDED.next_offset) END,
                cluster_id = COALESCE(EXCLUDED.cluster_id, o.cluster_id),
                topic_id = COALESCE(EXCLUDED.topic_id, o.topic_id),
                updated_at = now()
            """,
            [(group_id, topic, p, o, cluster, topic_id) for p, o in sorted(next_offsets.items())],
            template="(%s, %s, %s, %s, %s, %s, now())",
        )


def reset_offsets(conn: PgConnection, group_id: str, topic: str, next_offsets: Mapping[int, int],
                  identity: TopicIdentity | None) -> None:
    """Overwrite the stored offsets of ``next_offsets``' partitions (backwards too) and commit.

    For an offset found untrustworthy (``offset_problem``): the partition is read again from there.
    """
    if not next_offsets:
        return
    cluster = identity.cluster_id if identity is not None else None
    topic_id = identity.topic_id if identity is not None else None
    with conn.cursor() as cur:
        execute_values(
            cur,
            """
            INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, cluster_id, topic_id, updated_at)
            VALUES %s
            ON CONFLICT (group_id, topic, partition) DO UPDATE
            SET next_offset = EXCLUDED.next_offset, cluster_id = EXCLUDED.cluster_id,
                topic_id = EXCLUDED.topic_id, updated_at = now()
            """,
            [(group_id, topic, p, o, cluster, topic_id) for p, o in sorted(next_offsets.items())],
            template="(%s, %s, %s, %s, %s, %s, now())",
        )
    conn.commit()
