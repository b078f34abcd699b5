"""Baseline (a): confluent-kafka alone, producing N messages like ours to a fresh topic and reading them back.

Same producer settings as the relay (``outbox.service.producer_conf``: idempotent, acks=all,
linger, batch size, compression), same partition count, keys like ours and values that are real
encoded events (so compression sees realistic bytes), and none of the relay's database work.
The topic carries the run's prefix and is deleted afterwards.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]  # re-exported

from subshift.config import Settings
from subshift.errors import InfrastructureError
from subshift.messaging.topic_names import user_offers_topic
from subshift.outbox.service import producer_conf
from subshift_client.fast_avro import FastAvroEncoder
from subshift_client.records import UserOfferMigrationRequested
from subshift_tooling.bench.sample_events import sample_records
from subshift_tooling.seeding import user_id

__all__ = ["KafkaBaseline", "kafka_baseline"]

_POOL = 4096  # distinct values cycled through (real events, so lz4 compresses them as it would ours)


@dataclass(frozen=True)
class KafkaBaseline:
    rows: int
    value_bytes: float
    produce_seconds: float
    consume_seconds: float

    @property
    def produce_per_second(self) -> float:
        return self.rows / self.produce_seconds if self.produce_seconds > 0 else 0.0

    @property
    def consume_per_second(self) -> float:
        return self.rows / self.consume_seconds if self.consume_seconds > 0 else 0.0

    @property
    def rows_per_second(self) -> float:
        """Produce then consume, one after the other: the transport's share of a pipeline."""
        total = self.produce_seconds + self.consume_seconds
        return self.rows / total if total > 0 else 0.0


def _create(admin: AdminClient, name: str, partitions: int) -> None:
    futures = admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=-1)],
                                  operation_timeout=30)
    for future in futures.values():
        future.result(timeout=30)


def _produce(settings: Settings, topic: str, rows: int, values: list[bytes]) -> float:
    producer = Producer(producer_conf(settings) | {"client.id": "subshift-bench-baseline"})
    failures = 0

    def on_delivery(error: object, _message: object) -> None:
        nonlocal failures
        if error is not None:
            failures += 1

    started = time.perf_counter()
    for n in range(rows):
        while True:
            try:
                producer.produce(topic, values[n % _POOL], user_id(n + 1).encode(), on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
    left = producer.flush(120)
    seconds = time.perf_counter() - started
    if left or failures:
        raise InfrastructureError(f"baseline producer: {failures} failed and {left} unsent of {rows}",
                                  retryable=True)
    return seconds


def _consume(settings: Settings, topic: str, partitions: int, rows: int) -> float:
    consumer = Consumer({**settings.kafka.as_librdkafka(), "group.id": f"bench-baseline-{uuid.uuid4().hex[:8]}",
                         "enable.auto.commit": False, "fetch.wait.max.ms": 100})
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    received = 0
    started = time.perf_counter()
    deadline = started + 300
    try:
        while received < rows and time.perf_counter() < deadline:
            for message in consumer.consume(10_000, 0.5):
                if message.error() is None:
                    message.value()
                    received += 1
    finally:
        consumer.close()
    if received < rows:
        raise InfrastructureError(f"baseline consumer read {received} of {rows} messages", retryable=True)
    return time.perf_counter() - started


def kafka_baseline(settings: Settings, admin: AdminClient, rows: int, schema_id: int) -> KafkaBaseline:
    """Produce ``rows`` event-sized messages to a fresh topic, then consume them all back.

    Raises:
        InfrastructureError: the broker lost or refused messages.
    """
    spec = user_offers_topic(settings.kafka)
    topic = f"{spec.name}.baseline-{uuid.uuid4().hex[:6]}"
    encoder = FastAvroEncoder(UserOfferMigrationRequested, schema_id)
    values = [encoder.encode(record) for record in sample_records(1, _POOL)]
    _create(admin, topic, spec.partitions)
    try:
        produce_s = _produce(settings, topic, rows, values)
        consume_s = _consume(settings, topic, spec.partitions, rows)
    finally:
        for future in admin.delete_topics([topic], operation_timeout=30).values():
            try:
                future.result(timeout=30)
            except Exception:  # noqa: S112 - a leftover baseline topic is untidy, not wrong
                continue
    return KafkaBaseline(rows=rows, value_bytes=round(sum(map(len, values)) / len(values), 1),
                         produce_seconds=produce_s, consume_seconds=consume_s)
