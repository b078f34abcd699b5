"""Transactions on the local broker: a read_committed consumer sees committed records only."""

from __future__ import annotations

import uuid
from typing import Any

from confluent_kafka import Consumer, KafkaError, Producer

from subshift.config import Settings


def _read_all(settings: Settings, topic: str, isolation: str) -> list[bytes]:
    consumer = Consumer({
        **settings.kafka.as_librdkafka(), "group.id": f"{topic}-{isolation}", "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "isolation.level": isolation, "enable.partition.eof": True,
    })
    consumer.subscribe([topic])
    values: list[bytes] = []
    try:
        for _ in range(120):
            message = consumer.poll(0.5)
            if message is None:
                continue
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    return values
                raise AssertionError(f"consumer error: {error}")
            value = message.value()
            assert value is not None
            values.append(value)
        raise AssertionError(f"never reached the end of {topic}")
    finally:
        consumer.close()


def test_read_committed_consumer_sees_committed_and_not_aborted_records(
    settings: Settings, fresh_topic: Any
) -> None:
    topic = fresh_topic()
    producer = Producer({**settings.kafka.as_librdkafka(), "transactional.id": f"tx-{uuid.uuid4().hex}"})
    producer.init_transactions(30)

    producer.begin_transaction()
    for value in (b"kept-1", b"kept-2", b"kept-3"):
        producer.produce(topic, key=b"k", value=value)
    producer.commit_transaction(30)

    producer.begin_transaction()
    for value in (b"dropped-1", b"dropped-2"):
        producer.produce(topic, key=b"k", value=value)
    producer.flush(15)  # the records reach the log before the abort, so only the marker hides them
    producer.abort_transaction(30)

    assert _read_all(settings, topic, "read_committed") == [b"kept-1", b"kept-2", b"kept-3"]
    assert _read_all(settings, topic, "read_uncommitted") == [
        b"kept-1", b"kept-2", b"kept-3", b"dropped-1", b"dropped-2",
    ]
