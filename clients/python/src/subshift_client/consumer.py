"""A typed consumer for one topic: batches of decoded records, or ``Undecodable`` values saying why not.

Offsets are never stored or committed behind the caller's back (``enable.auto.offset.store`` and
``enable.auto.commit`` are off): the caller commits with ``commit`` after its own work is durable.
A registry outage while decoding rewinds the batch before raising, so no message is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, Self, TypeVar, cast

from confluent_kafka import Consumer, KafkaError, Message, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from typing_extensions import TypeVar as DefaultedTypeVar

from subshift_client.avro_runtime import AvroRecord
from subshift_client.decoded import Decoded, MessageRef, Undecodable, new_decoded, new_message_ref
from subshift_client.errors import KafkaClientError, RegistryUnavailableError
from subshift_client.fast_avro import FastAvroDecoder, UndecodableValueError
from subshift_client.registry import WriterSchemas
from subshift_client.topic_spec import TopicSpec
from subshift_client.topics import deployed_topic

__all__ = ["TypedConsumer", "manual_offsets_conf"]

R = TypeVar("R", bound=AvroRecord)
# The record's datum (a generated ``<Record>Datum`` typed dict); consumers built by hand get a plain dict.
D = DefaultedTypeVar("D", bound=Mapping[str, Any], default=dict[str, Any])
T = TypeVar("T")


def manual_offsets_conf(conf: Mapping[str, Any]) -> dict[str, Any]:
    """``conf`` with offsets left to the caller (librdkafka would store them on hand-off otherwise)."""
    return {**conf, "enable.auto.offset.store": False, "enable.auto.commit": False}


class TypedConsumer(Generic[R, D]):
    """Consumes one topic into records of one class (generated subclasses fix both).

    Use it as a context manager (or call ``close()``): leaving leaves the group.
    """

    def __init__(self, conf: Mapping[str, Any], registry: SchemaRegistryClient, *, topic: TopicSpec,
                 record_type: type[R], subscribe: bool = True, topic_prefix: str | None = None) -> None:
        """Connect (and subscribe, unless ``subscribe`` is false).

        A manifest topic is prefixed with ``topic_prefix`` (default ``SUBSHIFT_KAFKA_TOPIC_PREFIX``); see
        ``subshift_client.topics.deployed_topic``.
        """
        topic = deployed_topic(topic, topic_prefix)
        self.topic = topic
        self._decoder = FastAvroDecoder(record_type, WriterSchemas(registry))
        self.consumer = Consumer(manual_offsets_conf(conf))
        if subscribe:
            self.consumer.subscribe([topic.name])

    def poll_batch(self, max_records: int, timeout: float) -> list[Decoded[R] | Undecodable]:
        """Up to ``max_records`` messages, in partition order, each decoded or marked undecodable.

        Raises:
            KafkaClientError: Kafka reported an error other than reaching a partition's end.
            RegistryUnavailableError: a writer schema could not be fetched; the batch was rewound.
        """
        return self._poll(max_records, timeout, self._decoder.decode)

    def poll_datums(self, max_records: int, timeout: float) -> list[Decoded[D] | Undecodable]:
        """``poll_batch`` giving each record as its datum (a ``<Record>Datum``: logical values as primitives).

        For hot loops that read a few fields: the record's own checks (a UUID's form, for one) are
        left to the caller.

        Raises:
            KafkaClientError: Kafka reported an error other than reaching a partition's end.
            RegistryUnavailableError: a writer schema could not be fetched; the batch was rewound.
        """
        # The decoder builds the datum from the record's own schema: it has the shape D names.
        decode = cast("Callable[[bytes | None], tuple[D, int]]", self._decoder.decode_datum)
        return self._poll(max_records, timeout, decode)

    def _poll(self, max_records: int, timeout: float,
              decode: Callable[[bytes | None], tuple[T, int]]) -> list[Decoded[T] | Undecodable]:
        messages = self.consumer.consume(max_records, timeout)
        try:
            return self._decode_all(messages, decode)
        except (KafkaClientError, RegistryUnavailableError):
            # The consumer's position already moved past the whole batch: put it back so
            # nothing in this batch is skipped when the caller retries.
            self._rewind(messages)
            raise

    def _decode_all(self, messages: list[Message],
                    decode: Callable[[bytes | None], tuple[T, int]]) -> list[Decoded[T] | Undecodable]:
        results: list[Decoded[T] | Undecodable] = []
        for message in messages:
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaClientError(f"consuming {self.topic.name}: {error.str()}", code=error.name(),
                                       retryable=error.retriable(), fatal=error.fatal())
            ref = _ref(message)
            try:
                record, schema_id = decode(ref.value)
            except UndecodableValueError as problem:
                results.append(Undecodable(reason=problem.reason, detail=problem.detail, message=ref,
                                           schema_id=problem.schema_id))
                continue
            results.append(new_decoded(record, schema_id, ref))
        return results

    def commit(self, done: Iterable[Decoded[R] | Undecodable | MessageRef]) -> list[TopicPartition]:
        """Commit, synchronously, past the newest of ``done`` in each partition; returns what was committed.

        Raises:
            KafkaClientError: the commit failed (e.g. the group rebalanced and the partition moved).
        """
        newest: dict[tuple[str, int], int] = {}
        for item in done:
            ref = item if isinstance(item, MessageRef) else item.message
            key = (ref.topic, ref.partition)
            newest[key] = max(newest.get(key, -1), ref.offset)
        offsets = [TopicPartition(topic, partition, last + 1) for (topic, partition), last in sorted(newest.items())]
        if not offsets:
            return []
        try:
            committed: list[TopicPartition] = self.consumer.commit(offsets=offsets, asynchronous=False)
        except Exception as error:  # confluent_kafka.KafkaException wraps a KafkaError
            kafka_error = error.args[0] if error.args and isinstance(error.args[0], KafkaError) else None
            raise KafkaClientError(f"committing {self.topic.name}: {error}",
                                   code=kafka_error.name() if kafka_error else "UNKNOWN",
                                   retryable=bool(kafka_error and kafka_error.retriable())) from error
        return committed

    def close(self) -> None:
        """Leave the group and release the connection."""
        self.consumer.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _rewind(self, messages: list[Message]) -> None:
        first: dict[tuple[str, int], int] = {}
        for message in messages:
            if message.error() is None:
                ref = _ref(message)
                first.setdefault((ref.topic, ref.partition), ref.offset)
        for (topic, partition), offset in first.items():
            self.consumer.seek(TopicPartition(topic, partition, offset))


def _ref(message: Message) -> MessageRef:
    topic, partition, offset = message.topic(), message.partition(), message.offset()
    if topic is None or partition is None or offset is None:  # only error events lack a position
        raise KafkaClientError("a consumed message has no topic, partition or offset", code="UNKNOWN", retryable=False)
    _kind, timestamp = message.timestamp()
    raw_headers = message.headers()
    if raw_headers is None:
        headers: tuple[tuple[str, bytes | None], ...] = ()
    elif isinstance(raw_headers, list) and all(type(v) is not str for _, v in raw_headers):
        headers = tuple(cast("list[tuple[str, bytes | None]]", raw_headers))  # as consumed: no copy per value
    else:
        pairs = raw_headers.items() if isinstance(raw_headers, dict) else raw_headers
        headers = tuple((name, _as_bytes(v)) for name, v in pairs)
    return new_message_ref(topic, partition, offset, _as_bytes(message.key()), _as_bytes(message.value()), headers,
                           timestamp if timestamp >= 0 else None)


def _as_bytes(value: str | bytes | None) -> bytes | None:
    return value.encode("utf-8") if isinstance(value, str) else value
