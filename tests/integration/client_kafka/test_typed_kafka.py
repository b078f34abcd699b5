"""Typed producer and consumer through the real Kafka and registry: records in, records or reasons out."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient

from subshift.config import Settings
from subshift_client import wire
from subshift_client.avro_runtime import epoch_millis
from subshift_client.kafka import Decoded, TypedConsumer, TypedProducer, Undecodable
from subshift_client.records import UserOfferMigrationRequested
from subshift_client.topics import TopicSpec

RecordFactory = Callable[..., UserOfferMigrationRequested]
Result = Decoded[UserOfferMigrationRequested] | Undecodable


def _producer(settings: Settings, registry: SchemaRegistryClient,
              spec: TopicSpec) -> TypedProducer[UserOfferMigrationRequested]:
    return TypedProducer(settings.kafka.as_librdkafka(), registry, topic=spec,
                         record_type=UserOfferMigrationRequested, key_of=lambda r: r.user_id)


def _consumer(settings: Settings, registry: SchemaRegistryClient,
              spec: TopicSpec) -> TypedConsumer[UserOfferMigrationRequested]:
    conf: dict[str, Any] = {**settings.kafka.as_librdkafka(), "group.id": f"{spec.name}-reader",
                            "auto.offset.reset": "earliest"}
    return TypedConsumer(conf, registry, topic=spec, record_type=UserOfferMigrationRequested)


def _drain(consumer: TypedConsumer[UserOfferMigrationRequested], expected: int) -> list[Result]:
    results: list[Result] = []
    deadline = time.monotonic() + 60
    while len(results) < expected and time.monotonic() < deadline:
        results += consumer.poll_batch(100, 1.0)
    assert len(results) == expected, f"got {len(results)} of {expected} messages within 60 s"
    return results


def test_produced_records_come_back_decoded_and_keyed_by_user(
    settings: Settings, schema_registry: SchemaRegistryClient, user_offers_like: TopicSpec, sample: RecordFactory
) -> None:
    sent = [sample(n) for n in range(30)]
    producer = _producer(settings, schema_registry, user_offers_like)
    failures: list[str] = []
    for record in sent:
        producer.produce(record, on_delivery=lambda err, _msg: failures.append(str(err)) if err else None)
    assert producer.flush(30) == 0
    assert failures == []

    consumer = _consumer(settings, schema_registry, user_offers_like)
    try:
        results = _drain(consumer, len(sent))
        decoded = [r for r in results if isinstance(r, Decoded)]
        assert sorted(d.record.user_id for d in decoded) == sorted(r.user_id for r in sent)
        assert {d.record for d in decoded} == set(sent)
        assert all(d.message.key == d.record.user_id.encode() for d in decoded)
        assert {d.schema_id for d in decoded} == {producer.schema_id}
        consumer.commit(results)
    finally:
        consumer.close()


def test_undecodable_messages_come_back_as_values_with_their_reason(
    settings: Settings, schema_registry: SchemaRegistryClient, user_offers_like: TopicSpec, sample: RecordFactory
) -> None:
    raw = Producer(settings.kafka.as_librdkafka())
    bad = {
        b"json": b'{"user_id": "u-1"}',
        b"unknown-id": wire.frame(0x7FFFFFF0, b"\x02"),
        b"tombstone": None,
    }
    for key, value in bad.items():
        raw.produce(user_offers_like.name, key=key, value=value, partition=0)
    assert raw.flush(15) == 0
    good = _producer(settings, schema_registry, user_offers_like)
    good.produce(sample(1))
    assert good.flush(15) == 0

    consumer = _consumer(settings, schema_registry, user_offers_like)
    try:
        results = _drain(consumer, len(bad) + 1)
        reasons = {r.message.key: r.reason for r in results if isinstance(r, Undecodable)}
        assert reasons == {b"json": "wrong_magic_byte", b"unknown-id": "unknown_schema_id", b"tombstone": "no_value"}
        assert [r.record for r in results if isinstance(r, Decoded)] == [sample(1)]
        assert all(r.message.value == bad[r.message.key] for r in results if isinstance(r, Undecodable))
    finally:
        consumer.close()


def test_commit_moves_the_group_past_what_was_done(
    settings: Settings, schema_registry: SchemaRegistryClient, user_offers_like: TopicSpec, sample: RecordFactory
) -> None:
    producer = _producer(settings, schema_registry, user_offers_like)
    for n in range(5):
        producer.produce(sample(n))
    assert producer.flush(15) == 0
    first = _consumer(settings, schema_registry, user_offers_like)
    try:
        committed = first.commit(_drain(first, 5))
    finally:
        first.close()
    assert sum(tp.offset for tp in committed) == 5

    for n in range(5, 7):
        producer.produce(sample(n))
    assert producer.flush(15) == 0
    second = _consumer(settings, schema_registry, user_offers_like)
    try:
        later = _drain(second, 2)
    finally:
        second.close()
    assert sorted(r.record.user_id for r in later if isinstance(r, Decoded)) == ["u-000005", "u-000006"]


def _datum(record: UserOfferMigrationRequested) -> dict[str, Any]:
    """The record's datum: logical values as their Avro primitives."""
    return {**record.to_dict(), "event_id": str(record.event_id), "requested_at": epoch_millis(record.requested_at)}


def test_datums_produced_in_one_call_come_back_as_the_records(
    settings: Settings, schema_registry: SchemaRegistryClient, user_offers_like: TopicSpec, sample: RecordFactory
) -> None:
    sent = [sample(n) for n in range(40)]
    producer = _producer(settings, schema_registry, user_offers_like)
    failures: list[str] = []
    producer.produce_datums([_datum(r) for r in sent], [r.user_id for r in sent],
                            on_delivery=lambda err, _msg: failures.append(str(err)) if err else None)
    assert producer.flush(30) == 0
    assert failures == []

    consumer = _consumer(settings, schema_registry, user_offers_like)
    try:
        decoded = [r for r in _drain(consumer, len(sent)) if isinstance(r, Decoded)]
    finally:
        consumer.close()
    assert {d.record for d in decoded} == set(sent)
    assert all(d.message.key == d.record.user_id.encode() for d in decoded)
    by_partition: dict[int, list[int]] = {}
    for d in decoded:
        by_partition.setdefault(d.message.partition, []).append(d.record.row_number or 0)
    assert all(rows == sorted(rows) for rows in by_partition.values())  # in the order given, per partition


def test_a_datum_that_does_not_fit_queues_none_of_its_batch(
    settings: Settings, schema_registry: SchemaRegistryClient, user_offers_like: TopicSpec, sample: RecordFactory
) -> None:
    producer = _producer(settings, schema_registry, user_offers_like)
    datums = [_datum(sample(n)) for n in range(3)]
    datums[2]["row_number"] = "three"
    with pytest.raises((ValueError, TypeError)):
        producer.produce_datums(datums, ["u-000000", "u-000001", "u-000002"])
    assert len(producer.producer) == 0
    with pytest.raises(ValueError, match="3 datums but 2 keys"):
        producer.produce_datums(datums, ["u-000000", "u-000001"])
