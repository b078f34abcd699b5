"""Wiring of the relay process: settings → registry, producer, database, metrics → ``Relay.run``."""

from __future__ import annotations

import operator
import threading
from typing import Any

from confluent_kafka.schema_registry import SchemaRegistryClient
from prometheus_client import start_http_server

from subshift.config import Settings
from subshift.db.connect import connect
from subshift.errors import ContractError, InfrastructureError
from subshift.faults import Backoff
from subshift.messaging.topic_names import user_offers_topic
from subshift.observability.logs import get_logger
from subshift.observability.tracing import configure_tracing
from subshift.outbox.metrics import RelayMetrics
from subshift.outbox.relay import Relay
from subshift.runtime import tune_interpreter
from subshift_client.errors import RegistryUnavailableError, SchemaNotRegisteredError
from subshift_client.producer import TypedProducer
from subshift_client.records import UserOfferMigrationRequested

__all__ = ["producer_conf", "serve_relay"]

_log = get_logger("subshift.relay")


def producer_conf(settings: Settings) -> dict[str, Any]:
    """librdkafka settings of the relay's producer: idempotent, acks=all, batched and compressed."""
    relay = settings.relay
    return {
        **settings.kafka.as_librdkafka(),
        "client.id": "subshift-relay",
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": relay.linger_ms,
        "batch.size": relay.producer_batch_bytes,
        "compression.type": relay.compression,
        "delivery.timeout.ms": relay.delivery_timeout_ms,
        "queue.buffering.max.messages": max(100_000, relay.batch_size * 2),
        "queue.buffering.max.kbytes": 1_048_576,
    }


def _producer(settings: Settings, stop: threading.Event) -> TypedProducer[UserOfferMigrationRequested] | None:
    topic = user_offers_topic(settings.kafka)
    if topic.key_field is None:
        raise ContractError(f"topic {topic.name!r} has no key field in the manifest")
    backoff = Backoff(base_seconds=settings.relay.retry_base_seconds, cap_seconds=settings.relay.retry_cap_seconds)
    registry = SchemaRegistryClient(settings.registry.as_client_conf())
    while not stop.is_set():
        try:
            return TypedProducer(producer_conf(settings), registry, topic=topic,
                                 record_type=UserOfferMigrationRequested,
                                 key_of=operator.attrgetter(topic.key_field),
                                 register=settings.relay.register_schema)
        except SchemaNotRegisteredError as error:
            raise ContractError(str(error)) from error
        except RegistryUnavailableError as error:
            if not error.retryable:
                raise InfrastructureError(f"schema registry: {error}", retryable=False) from error
            delay = backoff.next_delay()
            _log.warning("relay.registry_unavailable", error=str(error), retry_in=round(delay, 3))
            stop.wait(delay)
    return None


def serve_relay(settings: Settings, stop: threading.Event) -> None:
    """Run a relay until ``stop`` is set (SIGTERM): finishes the batch in hand, flushes, closes.

    Raises:
        ContractError: the event schema is not registered (run ``subshift contracts publish``).
        InfrastructureError: the registry refused for good (e.g. credentials).
    """
    metrics = RelayMetrics()
    if settings.relay.metrics_port:
        start_http_server(settings.relay.metrics_port, registry=metrics.registry)
    tracing = configure_tracing(settings.tracing, service="relay")
    try:
        producer = _producer(settings, stop)
        if producer is None:
            return
        tune_interpreter()
        _log.info("relay.started", topic=producer.topic.name, schema_id=producer.schema_id,
                  batch_size=settings.relay.batch_size)
        relay = Relay(settings.relay, producer=producer, metrics=metrics, stop=stop,
                      connect=lambda: connect(settings.database, application_name="subshift-relay"),
                      renew_producer=lambda: _producer(settings, stop))
        relay.run()
        _log.info("relay.stopped")
    finally:
        if tracing is not None:
            tracing.shutdown()  # flushes the last spans
