"""confluent-kafka's serdes and the fast codec read and write the same bytes, against the real registry."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient

from subshift_client import wire
from subshift_client.avro_runtime import epoch_millis
from subshift_client.kafka import FastAvroEncoder, UndecodableValueError, avro_serdes, user_offers_decoder
from subshift_client.records import UserOfferMigrationRequested, UserOfferMigrationRequestedDatum
from subshift_client.registry import registered_schema_id
from subshift_client.topics import TopicSpec

RecordFactory = Callable[..., UserOfferMigrationRequested]


def test_serializer_bytes_decode_the_same_with_the_fast_decoder_and_avro_deserializer(
    schema_registry: SchemaRegistryClient, user_offers_like: TopicSpec, sample: RecordFactory
) -> None:
    serdes = avro_serdes(schema_registry, UserOfferMigrationRequested)
    record = sample(7, requested_by=None)
    value = serdes.serialize(record, user_offers_like.name)
    fast, schema_id = user_offers_decoder(schema_registry).decode(value)
    assert fast == record
    assert serdes.deserialize(value, user_offers_like.name) == record
    assert schema_id == wire.read_header(value)


def test_fast_encoder_bytes_equal_the_serializer_s(
    schema_registry: SchemaRegistryClient, user_offers_like: TopicSpec, sample: RecordFactory
) -> None:
    assert user_offers_like.value_subject is not None
    schema_id = registered_schema_id(schema_registry, user_offers_like.value_subject, UserOfferMigrationRequested)
    record = sample(3)
    fast = FastAvroEncoder(UserOfferMigrationRequested, schema_id).encode(record)
    assert fast == avro_serdes(schema_registry, UserOfferMigrationRequested).serialize(record, user_offers_like.name)


def test_the_serializer_does_not_register_schemas_on_its_own(
    schema_registry: SchemaRegistryClient, fresh_topic: Callable[[], str], sample: RecordFactory
) -> None:
    unpublished = fresh_topic()
    serdes = avro_serdes(schema_registry, UserOfferMigrationRequested)
    with pytest.raises(Exception, match="not found"):
        serdes.serialize(sample(), unpublished)
    assert f"{unpublished}-value" not in schema_registry.get_subjects()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param(b"", "no_value", id="empty"),
        pytest.param(b"\x00\x00", "too_short", id="short"),
        pytest.param(b'{"user_id": "u-1"}', "wrong_magic_byte", id="json"),
        pytest.param(wire.frame(0x7FFFFFF0, b"\x02"), "unknown_schema_id", id="unknown-id"),
    ],
)
def test_the_fast_decoder_names_why_a_value_cannot_be_decoded(
    schema_registry: SchemaRegistryClient, value: bytes, reason: str
) -> None:
    with pytest.raises(UndecodableValueError) as raised:
        user_offers_decoder(schema_registry).decode(value)
    assert raised.value.reason == reason


def test_a_cut_short_body_is_unreadable_bytes(schema_registry: SchemaRegistryClient,
                                               user_offers_like: TopicSpec, sample: RecordFactory) -> None:
    value = avro_serdes(schema_registry, UserOfferMigrationRequested).serialize(sample(), user_offers_like.name)
    with pytest.raises(UndecodableValueError) as raised:
        user_offers_decoder(schema_registry).decode(value[:-4])
    assert raised.value.reason == "unreadable_bytes"
    with pytest.raises(UndecodableValueError) as trailing:
        user_offers_decoder(schema_registry).decode(value + b"\x00")
    assert trailing.value.reason == "unreadable_bytes"


def _datum_of(record: UserOfferMigrationRequested) -> UserOfferMigrationRequestedDatum:
    return {"event_id": str(record.event_id), "migration_id": record.migration_id, "user_id": record.user_id,
            "current_offer": record.current_offer, "target_offer": record.target_offer,
            "requested_at": epoch_millis(record.requested_at), "requested_by": record.requested_by,
            "row_number": record.row_number}


@pytest.mark.parametrize("requested_by", ["ops@example.com", None])
def test_a_datum_encodes_to_the_serializer_s_bytes_and_decodes_back(
    schema_registry: SchemaRegistryClient, user_offers_like: TopicSpec, sample: RecordFactory,
    requested_by: str | None,
) -> None:
    # sub-millisecond part: the datum's epoch milliseconds drop it as the serializer does
    record = sample(5, requested_by=requested_by,
                    requested_at=datetime.datetime(2026, 11, 25, 10, 0, 5, 123987, tzinfo=datetime.UTC))
    serialized = avro_serdes(schema_registry, UserOfferMigrationRequested).serialize(record, user_offers_like.name)
    schema_id = wire.read_header(serialized)
    datum = _datum_of(record)
    assert datum["requested_at"] == 1_795_600_805_123
    assert FastAvroEncoder(UserOfferMigrationRequested, schema_id).encode_datum(datum) == serialized

    decoder = user_offers_decoder(schema_registry)
    assert decoder.decode_datum(serialized) == (datum, schema_id)
    decoded, _ = decoder.decode(serialized)
    assert decoded == UserOfferMigrationRequested.from_dict(datum)
    assert decoded.requested_at == record.requested_at.replace(microsecond=123000)


def test_a_malformed_uuid_is_an_invalid_record_but_its_datum_still_reads(
    schema_registry: SchemaRegistryClient, user_offers_like: TopicSpec, sample: RecordFactory
) -> None:
    assert user_offers_like.value_subject is not None
    schema_id = registered_schema_id(schema_registry, user_offers_like.value_subject, UserOfferMigrationRequested)
    value = FastAvroEncoder(UserOfferMigrationRequested, schema_id).encode_datum(
        {**_datum_of(sample()), "event_id": "not-a-uuid"})
    decoder = user_offers_decoder(schema_registry)
    with pytest.raises(UndecodableValueError) as raised:
        decoder.decode(value)
    assert (raised.value.reason, raised.value.schema_id) == ("invalid_record", schema_id)
    datum, _ = decoder.decode_datum(value)
    assert datum["event_id"] == "not-a-uuid"
