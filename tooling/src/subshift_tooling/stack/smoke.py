"""A smoke round trip through the running stack, as a client sees it (``subshift stack smoke``).

1. PostgreSQL: log in to Subshift's database and ask its version.
2. Kafka + registry: create a throw-away topic, produce one Avro record framed in the Confluent wire
   format (schema registered through the Confluent-compatible API), read it back, decode it.
3. Clean up: delete the topic and its subject.
"""

from __future__ import annotations

import struct
import time
import uuid
from typing import Any

import psycopg2
from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]  # re-exported
from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from subshift.config import Settings
from subshift.errors import InfrastructureError

__all__ = ["smoke_round_trip"]

_SCHEMA = ('{"type": "record", "name": "Smoke", "namespace": "dev.subshift.stack", "fields": '
           '[{"name": "id", "type": "string"}, {"name": "sent_at_ms", "type": "long"}]}')
_TIMEOUT = 30.0


def _database(settings: Settings) -> str:
    try:
        with psycopg2.connect(settings.database.libpq_dsn(), connect_timeout=5) as connection, \
                connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_setting('server_version')")
            name, version = cursor.fetchone()
        connection.close()
    except psycopg2.Error as error:
        raise InfrastructureError(f"PostgreSQL at {settings.database.redacted()}: {error}", retryable=True) from error
    return f"PostgreSQL {version}, database {name}"


def _consume(settings: Settings, topic: str) -> Any:
    consumer = Consumer({**settings.kafka.as_librdkafka(), "group.id": f"{topic}-check",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    deadline = time.monotonic() + _TIMEOUT
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                return message
    finally:
        consumer.close()
    raise InfrastructureError(f"the record sent to {topic} did not come back within {_TIMEOUT:.0f}s", retryable=True)


def _kafka_and_registry(settings: Settings) -> list[str]:
    admin = AdminClient(dict(settings.kafka.as_librdkafka()))
    registry = SchemaRegistryClient(settings.registry.as_client_conf())
    topic = f"smoke-{uuid.uuid4().hex[:12]}"
    subject = f"{topic}-value"
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=-1)])[topic].result(_TIMEOUT)
    try:
        context = SerializationContext(topic, MessageField.VALUE)
        # The subject strategy is explicit: confluent-kafka's default would ask the associations API first.
        serializer = AvroSerializer(registry, _SCHEMA, conf={"subject.name.strategy": topic_subject_name_strategy})
        record = {"id": topic, "sent_at_ms": int(time.time() * 1000)}
        producer = Producer({**settings.kafka.as_librdkafka(), "enable.idempotence": True, "acks": "all"})
        producer.produce(topic, key=topic.encode(), value=serializer(record, context))
        if producer.flush(_TIMEOUT) != 0:
            raise InfrastructureError(f"the record to {topic} was not acknowledged", retryable=True)
        raw = _consume(settings, topic).value()
        magic, schema_id = struct.unpack(">bI", raw[:5])
        decoded = AvroDeserializer(registry)(raw, context)
        if magic != 0 or decoded != record:
            raise InfrastructureError(f"round trip through {topic} changed the record: {decoded!r}", retryable=False)
        return [f"Kafka {settings.kafka.bootstrap}: produced and consumed 1 record on {topic}",
                f"registry {settings.registry.url}: subject {subject}, schema id {schema_id}, wire header ok"]
    finally:
        admin.delete_topics([topic])[topic].result(_TIMEOUT)
        try:
            registry.delete_subject(subject)
            registry.delete_subject(subject, permanent=True)
        except SchemaRegistryError:
            pass  # nothing registered, or already gone: nothing to clean


def smoke_round_trip(settings: Settings) -> list[str]:
    """Run the round trip; returns one line per checked server.

    Raises:
        InfrastructureError: a server is unreachable or the record did not come back intact.
    """
    lines = [_database(settings)]
    try:
        lines.extend(_kafka_and_registry(settings))
    except (KafkaException, SchemaRegistryError) as error:
        raise InfrastructureError(f"smoke round trip failed: {error}", retryable=True) from error
    return lines
