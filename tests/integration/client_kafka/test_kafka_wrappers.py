"""The generated producer and consumer of ``user-offers`` are context managers and honour the deployment's topic
prefix (``SUBSHIFT_KAFKA_TOPIC_PREFIX``), through the real Kafka and registry."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import SchemaRegistryClient

from subshift.config import Settings
from subshift_client.kafka import Decoded, UserOffersConsumer, UserOffersProducer
from subshift_client.records import UserOfferMigrationRequested
from subshift_client.topics import TOPIC_PREFIX_ENV, USER_OFFERS

RecordFactory = Callable[..., UserOfferMigrationRequested]


@pytest.fixture
def prefix(kafka_admin: AdminClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh prefix set in the environment, with its ``<prefix>user-offers`` topic created (and deleted after)."""
    chosen = f"test-prefix-{uuid.uuid4().hex[:8]}."
    name = chosen + USER_OFFERS.name
    for future in kafka_admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=-1)],
                                            operation_timeout=15).values():
        future.result(timeout=15)
    monkeypatch.setenv(TOPIC_PREFIX_ENV, chosen)
    yield chosen
    for future in kafka_admin.delete_topics([name], operation_timeout=15).values():
        future.result(timeout=15)


def test_the_producer_and_consumer_use_the_prefixed_topic_and_deliver_on_leaving(
    settings: Settings, schema_registry: SchemaRegistryClient, prefix: str, sample: RecordFactory
) -> None:
    sent = [sample(n) for n in range(10)]
    delivered: list[str] = []
    conf = settings.kafka.as_librdkafka()
    with UserOffersProducer(conf, schema_registry, register=True) as producer:
        assert producer.topic.name == prefix + USER_OFFERS.name
        for record in sent:
            producer.produce(record, on_delivery=lambda err, msg: delivered.append(msg.topic() if not err else "x"))
    assert delivered == [prefix + USER_OFFERS.name] * len(sent)  # leaving waited for every delivery

    consumer_conf: dict[str, Any] = {**conf, "group.id": f"{prefix}reader", "auto.offset.reset": "earliest"}
    received: list[UserOfferMigrationRequested] = []
    with UserOffersConsumer(consumer_conf, schema_registry) as consumer:
        assert consumer.topic.name == prefix + USER_OFFERS.name
        deadline = time.monotonic() + 60
        while len(received) < len(sent) and time.monotonic() < deadline:
            received += [r.record for r in consumer.poll_batch(100, 1.0) if isinstance(r, Decoded)]
    assert received == sent
