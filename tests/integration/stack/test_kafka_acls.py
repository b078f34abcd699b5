"""Kafka with authentication and ACLs on (``SUBSHIFT_STACK_KAFKA_AUTH=scram``): the broker refuses what no rule allows.

A one-broker cluster of its own (a temporary state dir, free ports), started the way ``subshift stack up``
starts it, with the rules ``stack.kafka_auth`` gives the stack.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]  # re-exported

from subshift.config.stack import StackSettings
from subshift_tooling.stack.health import wait_healthy
from subshift_tooling.stack.kafka import KafkaService
from subshift_tooling.stack.kafka_auth import acl_rules
from subshift_tooling.stack.paths import StackPaths

TOPIC, DLT, GROUP = "user-offers", "user-offers.DLT", "subshift-apply"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaService]:
    settings = StackSettings(kafka_port=_free_port(), kafka_controller_port=_free_port(), kafka_auth="scram",
                             kafka_heap="512m")
    state: Path = tmp_path_factory.mktemp("kafka-acls")
    service = KafkaService(StackPaths.create(state, settings.cache_dir), settings)
    service.launch()
    try:
        wait_healthy([service], timeout=settings.start_timeout)
        admin = AdminClient(service.client_conf())
        for future in admin.create_topics([NewTopic(t, num_partitions=2, replication_factor=1)
                                           for t in (TOPIC, DLT)], operation_timeout=30).values():
            future.result(timeout=30)
        service.grant(acl_rules(topic=TOPIC, dead_letter_topic=DLT, consumer_group=GROUP))
        yield service
    finally:
        for process in service.processes():
            process.stop(timeout=settings.stop_timeout)


@dataclass(frozen=True)
class Write:
    principal: str
    topic: str


def _produce(kafka: KafkaService, principal: str, topic: str) -> KafkaError | None:
    """The broker's answer to one idempotent write (None: acknowledged)."""
    results: list[KafkaError | None] = []
    producer = Producer({**kafka.client_conf(principal), "enable.idempotence": True, "acks": "all",
                         "message.timeout.ms": 20000, "log_level": 0})
    producer.produce(topic, key=b"u-1", value=principal.encode(),
                     on_delivery=lambda error, _message: results.append(error))
    assert producer.flush(30) == 0
    [result] = results
    return result


REFUSED = [Write("consumer", TOPIC), Write("relay", DLT), Write("replay", DLT)]
ALLOWED = [Write("relay", TOPIC), Write("replay", TOPIC), Write("consumer", DLT)]


@pytest.mark.parametrize("write", REFUSED, ids=[f"{w.principal}-to-{w.topic}" for w in REFUSED])
def test_a_producer_without_write_permission_is_refused_by_the_broker(kafka: KafkaService, write: Write) -> None:
    error = _produce(kafka, write.principal, write.topic)
    assert error is not None and error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, error


@pytest.mark.parametrize("write", ALLOWED, ids=[f"{w.principal}-to-{w.topic}" for w in ALLOWED])
def test_each_principal_writes_where_its_job_needs_it(kafka: KafkaService, write: Write) -> None:
    assert _produce(kafka, write.principal, write.topic) is None


def _first_message(kafka: KafkaService, principal: str, topic: str, group: str) -> Message:
    consumer = Consumer({**kafka.client_conf(principal), "group.id": group, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False, "log_level": 0})
    consumer.subscribe([topic])
    try:
        for _ in range(60):
            message = consumer.poll(1.0)
            if message is not None:
                return message
        raise AssertionError(f"{principal} got neither a record nor an error from {topic} within 60 polls")
    finally:
        consumer.close()


def test_the_consumer_reads_user_offers_in_its_group(kafka: KafkaService) -> None:
    assert _produce(kafka, "relay", TOPIC) is None
    message = _first_message(kafka, "consumer", TOPIC, GROUP)
    assert message.error() is None, message.error()


def test_the_relay_may_not_read_what_it_writes(kafka: KafkaService) -> None:
    message = _first_message(kafka, "relay", TOPIC, f"relay-{uuid.uuid4().hex}")
    error = message.error()
    assert error is not None and error.code() in (KafkaError.GROUP_AUTHORIZATION_FAILED,
                                                  KafkaError.TOPIC_AUTHORIZATION_FAILED), error


@pytest.mark.parametrize("conf", [
    {"security.protocol": "PLAINTEXT"},
    {"sasl.password": "not-the-password"},
], ids=["anonymous", "wrong-password"])
def test_a_client_that_does_not_authenticate_gets_nothing(kafka: KafkaService, conf: dict[str, str]) -> None:
    admin = AdminClient({**kafka.client_conf("relay"), **conf, "log_level": 0, "socket.timeout.ms": 3000})
    with pytest.raises(KafkaException):
        admin.list_topics(timeout=5)
