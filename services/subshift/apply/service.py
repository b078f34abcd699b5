"""Wiring of the consumer process: settings → registry, typed consumer, dead-letter producer, database, metrics."""

from __future__ import annotations

import threading
from typing import Any

from confluent_kafka.schema_registry import SchemaRegistryClient
from prometheus_client import start_http_server

from subshift.apply.consumer import ApplyConsumer
from subshift.apply.metrics import ConsumerMetrics
from subshift.config import Settings
from subshift.db.connect import connect
from subshift.deadletter.producer import DeadLetterProducer
from subshift.messaging.topic_identity import TopicIdentityLookup
from subshift.messaging.topic_names import dead_letter_topic, user_offers_topic
from subshift.observability.logs import get_logger
from subshift.observability.tracing import configure_tracing
from subshift.runtime import tune_interpreter
from subshift_client.consumer import TypedConsumer
from subshift_client.records import UserOfferMigrationRequested

__all__ = ["build_consumer", "consumer_conf", "serve_consumer"]

_log = get_logger("subshift.consumer")


def consumer_conf(settings: Settings) -> dict[str, Any]:
    """librdkafka settings of the apply consumer (offsets are committed by hand after the database)."""
    consumer = settings.consumer
    conf: dict[str, Any] = {
        **settings.kafka.as_librdkafka(),
        "client.id": "subshift-consumer",
        "group.id": consumer.group_id,
        "auto.offset.reset": "earliest",
        "enable.auto.offset.store": False,
        "enable.auto.commit": False,
        "max.poll.interval.ms": consumer.max_poll_interval_ms,
        "fetch.wait.max.ms": 100,
    }
    if consumer.group_protocol == "consumer":
        conf["group.protocol"] = "consumer"  # KIP-848: the broker assigns, incrementally
    else:
        conf["partition.assignment.strategy"] = "cooperative-sticky"
        conf["session.timeout.ms"] = consumer.session_timeout_ms
    return conf


def build_consumer(settings: Settings, stop: threading.Event, metrics: ConsumerMetrics) -> ApplyConsumer:
    """An apply consumer wired from ``settings`` (not yet subscribed; ``run`` subscribes).

    Raises:
        ContractError: the manifest names no dead-letter topic for ``user-offers``.
    """
    topic = user_offers_topic(settings.kafka)
    registry = SchemaRegistryClient(settings.registry.as_client_conf())
    typed = TypedConsumer(consumer_conf(settings), registry, topic=topic, record_type=UserOfferMigrationRequested,
                          subscribe=False)
    dead_letters = DeadLetterProducer({**settings.kafka.as_librdkafka(), "client.id": "subshift-dead-letters"},
                                      dead_letter_topic(topic))
    _log.info("consumer.started", topic=topic.name, group=settings.consumer.group_id,
              dead_letter_topic=dead_letters.topic, batch_size=settings.consumer.batch_size)
    return ApplyConsumer(settings.consumer, typed=typed, dead_letters=dead_letters, metrics=metrics, stop=stop,
                         connect=lambda: connect(settings.database, application_name="subshift-consumer"),
                         identify=TopicIdentityLookup(settings.kafka.as_librdkafka()))


def serve_consumer(settings: Settings, stop: threading.Event) -> None:
    """Run the apply consumer until ``stop`` is set (SIGTERM): finishes its batch, commits, leaves the group.

    Raises:
        ContractError: the manifest names no dead-letter topic for ``user-offers``.
    """
    metrics = ConsumerMetrics()
    if settings.consumer.metrics_port:
        start_http_server(settings.consumer.metrics_port, registry=metrics.registry)
    tracing = configure_tracing(settings.tracing, service="consumer")
    try:
        consumer = build_consumer(settings, stop, metrics)
        tune_interpreter(batch_worker=True)
        consumer.run()
    finally:
        if tracing is not None:
            tracing.shutdown()  # flushes the last spans
