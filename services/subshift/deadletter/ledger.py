"""Which dead-letter records were replayed: one guard per record, whatever filter chose it.

A dead-letter record is known by its position (topic, partition, offset) in one topic: the key
also carries the topic's Kafka id, so a dead-letter topic recreated under the same name, whose
offsets start again, is another topic here. A replay claims the records it chose in the
transaction that requeues their items (``claim``); a record claimed and produced is never
replayed again, by any filter. A claim whose records were not acknowledged by the broker stays
unproduced, so the next replay claims it again (at worst one extra copy, a no-op for the
consumer). Copies that fail again are new dead-letter records with a higher replay count, and
``--max-replays`` stops the chain.
"""

from __future__ import annotations

from collections.abc import Iterable

from psycopg2.extras import execute_values

from subshift.db.connect import PgConnection

__all__ = ["Position", "claim", "mark_produced", "replayed"]

Position = tuple[str, int, int]
"""A dead-letter record's topic, partition and offset."""

_KEY = "(%s, %s, %s::int, %s::bigint)"  # topic, topic id, partition, offset


def _keys(topic_id: str, positions: Iterable[Position]) -> list[tuple[str, str, int, int]]:
    return sorted({(t, topic_id, p, o) for t, p, o in positions})


def replayed(conn: PgConnection, topic_id: str, positions: Iterable[Position]) -> set[Position]:
    """Those of ``positions`` (in the topic with id ``topic_id``) already replayed and produced; no lock."""
    keys = _keys(topic_id, positions)
    if not keys:
        return set()
    with conn.cursor() as cur:
        rows = execute_values(
            cur,
            'SELECT r.topic, r.partition, r."offset" FROM dead_letter_replays r '
            'JOIN (VALUES %s) AS v(topic, topic_id, partition, "offset") USING (topic, topic_id, partition, "offset") '
            "WHERE r.produced",
            keys, template=_KEY, fetch=True)
    return {(str(t), int(p), int(o)) for t, p, o in rows}


def claim(conn: PgConnection, topic_id: str, records: Iterable[tuple[Position, int]], *, by: str) -> set[Position]:
    """Claim ``(position, replay count)`` records for a replay by ``by``; the positions now this replay's.

    A record another replay produced is not claimed. Runs in the caller's transaction.
    """
    rows = sorted({(t, topic_id, p, o, count, by) for (t, p, o), count in records})
    if not rows:
        return set()
    with conn.cursor() as cur:
        claimed = execute_values(
            cur,
            """
            INSERT INTO dead_letter_replays AS r (topic, topic_id, partition, "offset", replay_count, replayed_by)
            VALUES %s
            ON CONFLICT (topic, topic_id, partition, "offset") DO UPDATE
            SET replayed_by = EXCLUDED.replayed_by, replayed_at = now()
            WHERE NOT r.produced
            RETURNING r.topic, r.partition, r."offset"
            """,
            rows, template="(%s, %s, %s, %s, %s, %s)", fetch=True)
    return {(str(t), int(p), int(o)) for t, p, o in claimed}


def mark_produced(conn: PgConnection, topic_id: str, positions: Iterable[Position]) -> None:
    """Record that the broker acknowledged the copies of ``positions``, and commit."""
    keys = _keys(topic_id, positions)
    if not keys:
        return
    with conn.cursor() as cur:
        execute_values(
            cur,
            "UPDATE dead_letter_replays r SET produced = true "
            'FROM (VALUES %s) AS v(topic, topic_id, partition, "offset") '
            "WHERE r.topic = v.topic AND r.topic_id = v.topic_id AND r.partition = v.partition "
            'AND r."offset" = v."offset"',
            keys, template=_KEY)
    conn.commit()
