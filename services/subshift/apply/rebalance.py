"""Partition assignment: resume from the database's offsets when they are ahead of Kafka's, and
never from offsets that count another topic's records.

The apply transaction stores the next offset per partition, so after a crash between the
database commit and the Kafka commit the database knows better: the consumer seeks there
instead of re-reading records it already applied.

A stored offset is trusted only for the topic and cluster it was read from, and only up to the
partition's end (``offset_problem``). Otherwise (a topic deleted and recreated, a move to another
cluster, a partition truncated) the records now below it were never applied: the consumer says so
(an error log line and ``subshift_consumer_offsets_reset_total``), stores the new start, and reads
the partition from its beginning, or from Kafka's committed offset when that one is of this topic
and lies within it. Records read again that were applied already are no-ops (the per-item check).
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg2
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from subshift.apply.metrics import ConsumerMetrics
from subshift.apply.offsets import (
    OffsetProblem,
    StoredOffset,
    offset_problem,
    read_offsets,
    reset_offsets,
)
from subshift.db.connect import PgConnection
from subshift.messaging.topic_identity import TopicIdentity
from subshift.observability.logs import get_logger

__all__ = ["Assignment"]

_log = get_logger("subshift.consumer")
_WATERMARK_TIMEOUT_SECONDS = 10.0


class Assignment:
    """The partitions this consumer owns, kept current by the rebalance callbacks, and the topic's identity."""

    def __init__(self, *, group_id: str, topic: str, connect: Callable[[], PgConnection],
                 identify: Callable[[str], TopicIdentity | None] | None = None,
                 metrics: ConsumerMetrics | None = None) -> None:
        self.group_id = group_id
        self.topic = topic
        self._connect = connect
        self._identify = identify
        self._metrics = metrics
        self.owned: set[int] = set()
        self.identity: TopicIdentity | None = None

    def on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        numbers = [tp.partition for tp in partitions]
        if self._identify is not None:
            self.identity = self._identify(self.topic) or self.identity
        stored = self._stored(numbers)
        committed = {tp.partition: tp.offset for tp in consumer.committed(partitions, timeout=10)} if stored else {}
        start: list[TopicPartition] = []
        resets: dict[int, int] = {}
        for tp in partitions:
            db = stored.get(tp.partition)
            kafka_offset = committed.get(tp.partition, -1)
            if db is None:
                start.append(tp)
                continue
            low, high = self._watermarks(consumer, tp)
            problem = offset_problem(db, self.identity, high)
            if problem is not None:
                offset = self._restart_offset(problem, kafka_offset, low, high)
                self._report(problem, tp.partition, db, kafka_offset, offset, low, high)
                resets[tp.partition] = max(offset, low, 0)
                start.append(TopicPartition(tp.topic, tp.partition, offset))
            elif db.next_offset > kafka_offset:
                start.append(TopicPartition(tp.topic, tp.partition, db.next_offset))
            else:
                start.append(tp)
        self._reset(resets)
        consumer.incremental_assign(start)
        self.owned.update(numbers)
        _log.info("consumer.assigned", partitions=numbers,
                  resumed_from_database={tp.partition: tp.offset for tp in start if tp.offset >= 0},
                  offsets_reset=sorted(resets))

    def on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        numbers = [tp.partition for tp in partitions]
        self.owned.difference_update(numbers)
        consumer.incremental_unassign(partitions)
        _log.info("consumer.revoked", partitions=numbers)

    @staticmethod
    def _restart_offset(problem: OffsetProblem, kafka_offset: int, low: int, high: int) -> int:
        # Kafka's committed offset is of this cluster; for the same topic it is trusted when it lies
        # within the partition. After a topic or cluster change only the beginning is safe.
        if problem is OffsetProblem.BEYOND_END and 0 <= low <= kafka_offset <= high:
            return kafka_offset
        return OFFSET_BEGINNING

    @staticmethod
    def _watermarks(consumer: Consumer, tp: TopicPartition) -> tuple[int, int]:
        try:
            low, high = consumer.get_watermark_offsets(tp, timeout=_WATERMARK_TIMEOUT_SECONDS)
            return int(low), int(high)
        except Exception as error:  # an unknown end is checked no further, never fatal
            _log.warning("consumer.watermarks_unknown", partition=tp.partition, error=str(error).strip()[:300])
            return -1, -1

    def _report(self, problem: OffsetProblem, partition: int, db: StoredOffset, kafka_offset: int,
                restart: int, low: int, high: int) -> None:
        if self._metrics is not None:
            self._metrics.offsets_reset.labels(topic=self.topic, reason=problem.value).inc()
        _log.error("consumer.stored_offset_mismatch", topic=self.topic, partition=partition, reason=problem.value,
                   stored_offset=db.next_offset,
                   stored_cluster_id=db.identity.cluster_id if db.identity else None,
                   stored_topic_id=db.identity.topic_id if db.identity else None,
                   cluster_id=self.identity.cluster_id if self.identity else None,
                   topic_id=self.identity.topic_id if self.identity else None,
                   kafka_committed=kafka_offset, low_watermark=low, high_watermark=high,
                   resume_from="beginning" if restart == OFFSET_BEGINNING else restart,
                   action="the stored offset is not used; records read again are applied once (per-item check)")

    def _reset(self, offsets: dict[int, int]) -> None:
        if not offsets:
            return
        try:
            conn = self._connect()
            try:
                reset_offsets(conn, self.group_id, self.topic, offsets, self.identity)
            finally:
                conn.close()
        except psycopg2.Error as error:
            # The apply transaction ignores rows of another identity and replaces them on commit; a row
            # beyond the end stays, and the next assignment finds it again.
            _log.warning("consumer.offsets_reset_not_stored", error=str(error).strip())

    def _stored(self, partitions: list[int]) -> dict[int, StoredOffset]:
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
