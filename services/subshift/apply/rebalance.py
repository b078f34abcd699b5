"""Partition assignment: resume from the database's offsets when they are ahead of Kafka's.

The apply transaction stores the next offset per partition, so after a crash between the
database commit and the Kafka commit the database knows better: the consumer seeks there
instead of re-reading records it already applied.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg2
from confluent_kafka import Consumer, TopicPartition

from subshift.apply.offsets import read_offsets
from subshift.db.connect import PgConnection
from subshift.observability.logs import get_logger

__all__ = ["Assignment"]

_log = get_logger("subshift.consumer")


class Assignment:
    """The partitions this consumer owns, kept current by the rebalance callbacks."""

    def __init__(self, *, group_id: str, topic: str, connect: Callable[[], PgConnection]) -> None:
        self.group_id = group_id
        self.topic = topic
        self._connect = connect
        self.owned: set[int] = set()

    def on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        numbers = [tp.partition for tp in partitions]
        stored = self._stored(numbers)
        committed = {tp.partition: tp.offset for tp in consumer.committed(partitions, timeout=10)} if stored else {}
        start = []
        for tp in partitions:
            db_offset = stored.get(tp.partition)
            kafka_offset = committed.get(tp.partition, -1)
            if db_offset is not None and db_offset > kafka_offset:
                start.append(TopicPartition(tp.topic, tp.partition, db_offset))
            else:
                start.append(tp)
        consumer.incremental_assign(start)
        self.owned.update(numbers)
        _log.info("consumer.assigned", partitions=numbers,
                  resumed_from_database={tp.partition: tp.offset for tp in start if tp.offset >= 0})

    def on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        numbers = [tp.partition for tp in partitions]
        self.owned.difference_update(numbers)
        consumer.incremental_unassign(partitions)
        _log.info("consumer.revoked", partitions=numbers)

    def _stored(self, partitions: list[int]) -> dict[int, int]:
        try:
            conn = self._connect()
            try:
                return read_offsets(conn, self.group_id, self.topic, partitions)
            finally:
                conn.close()
        except psycopg2.Error as error:
            # Kafka's committed offsets are safe too (a redelivered item is a no-op); only slower.
            _log.warning("consumer.database_offsets_unavailable", error=str(error).strip())
            return {}
