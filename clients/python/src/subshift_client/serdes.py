"""confluent-kafka's ``AvroSerializer``/``AvroDeserializer`` bound to a generated record class.

Configured on purpose, not by default:
- ``auto.register.schemas`` is off: ``subshift contracts publish`` registers schemas, under the
  manifest's compatibility mode; a producer that registered on its own would bypass the gate.
- the subject name strategy is set explicitly to ``topic_subject_name_strategy`` (``<topic>-value``).
  confluent-kafka 2.16+ otherwise asks the registry's associations endpoint first and only falls
  back to the topic name on a 404; other answers (as from registries without that endpoint) raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from subshift_client.avro_runtime import AvroRecord

__all__ = ["AvroSerdes", "avro_serdes", "deserializer_conf", "serializer_conf"]

R = TypeVar("R", bound=AvroRecord)


def serializer_conf(*, auto_register: bool = False) -> dict[str, Any]:
    """``AvroSerializer`` settings: explicit subject strategy, registration only when asked."""
    return {
        "auto.register.schemas": auto_register,
        "use.latest.version": False,
        "subject.name.strategy": topic_subject_name_strategy,
    }


def deserializer_conf() -> dict[str, Any]:
    """``AvroDeserializer`` settings: the same explicit subject strategy as the serializer."""
    return {"subject.name.strategy": topic_subject_name_strategy}


@dataclass(frozen=True)
class AvroSerdes(Generic[R]):
    """A serializer and deserializer for one record class; values are Confluent-framed Avro."""

    record_type: type[R]
    serializer: AvroSerializer
    deserializer: AvroDeserializer

    def serialize(self, record: R, topic: str) -> bytes:
        """The framed bytes of ``record`` as the value of a message on ``topic``.

        Raises:
            confluent_kafka.serialization.SerializationError: not registered, or not valid for the schema.
        """
        data = self.serializer(record, SerializationContext(topic, MessageField.VALUE))
        if data is None:  # only a None record serializes to None, and records are never None
            raise TypeError("the serializer returned no bytes")
        return data

    def deserialize(self, value: bytes, topic: str) -> R:
        """The record in ``value``, read with this record class's schema as the reader schema.

        Raises:
            confluent_kafka.serialization.SerializationError: the bytes are not a readable record.
        """
        record = self.deserializer(value, SerializationContext(topic, MessageField.VALUE))
        if not isinstance(record, self.record_type):
            raise TypeError(f"expected {self.record_type.__name__}, the deserializer returned {type(record).__name__}")
        return record


def avro_serdes(registry: SchemaRegistryClient, record_type: type[R], *, auto_register: bool = False) -> AvroSerdes[R]:
    """Serdes for ``record_type`` using its own schema (writer side) and reader schema (reader side)."""

    def to_dict(record: object, _ctx: SerializationContext | None) -> dict[str, Any]:
        if not isinstance(record, record_type):
            raise TypeError(f"expected {record_type.__name__}, got {type(record).__name__}")
        return record.to_dict()

    def from_dict(data: dict[str, Any], _ctx: SerializationContext | None) -> R:
        return record_type.from_dict(data)

    return AvroSerdes(
        record_type=record_type,
        serializer=AvroSerializer(registry, record_type.SCHEMA_JSON, to_dict,
                                  serializer_conf(auto_register=auto_register)),
        deserializer=AvroDeserializer(registry, record_type.SCHEMA_JSON, from_dict, conf=deserializer_conf()),
    )
