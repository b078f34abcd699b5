"""Generated Avro records: typed fields, to_dict/from_dict round trips, logical types."""

from __future__ import annotations

import datetime
import io
import typing
import uuid
from typing import Any

import fastavro
import pytest

from subshift_client.avro_runtime import epoch_millis
from subshift_client.fast_avro import plain_schema
from subshift_client.records import UserOfferMigrationRequested, UserOfferMigrationRequestedDatum

EVENT_ID = uuid.UUID("0b9f6a3e-8c1d-4d5e-9f60-1a2b3c4d5e6f")
REQUESTED_AT = datetime.datetime(2026, 11, 25, 10, 30, 15, 123000, tzinfo=datetime.UTC)


def _record(**changes: Any) -> UserOfferMigrationRequested:
    fields: dict[str, Any] = {
        "event_id": EVENT_ID, "migration_id": "m-1", "user_id": "u-000042", "current_offer": "basic",
        "target_offer": "gold", "requested_at": REQUESTED_AT, "requested_by": "ops@example.com", "row_number": 7,
    }
    return UserOfferMigrationRequested(**{**fields, **changes})


def _through_avro(record: UserOfferMigrationRequested) -> dict[str, Any]:
    schema = fastavro.parse_schema(UserOfferMigrationRequested.SCHEMA)
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, record.to_dict())
    buffer.seek(0)
    datum = fastavro.schemaless_reader(buffer, schema, None)
    assert isinstance(datum, dict)
    return datum


def test_a_record_survives_to_dict_then_from_dict() -> None:
    record = _record()
    assert UserOfferMigrationRequested.from_dict(record.to_dict()) == record


def test_a_record_survives_avro_binary_encoding() -> None:
    record = _record()
    assert UserOfferMigrationRequested.from_dict(_through_avro(record)) == record


def test_optional_fields_default_to_none_and_survive_encoding() -> None:
    record = _record(requested_by=None, row_number=None)
    decoded = UserOfferMigrationRequested.from_dict(_through_avro(record))
    assert decoded.requested_by is None
    assert decoded.row_number is None


def test_from_dict_accepts_a_uuid_string_and_epoch_milliseconds() -> None:
    plain = {**_record().to_dict(), "event_id": str(EVENT_ID), "requested_at": 1_795_602_615_123}
    record = UserOfferMigrationRequested.from_dict(plain)
    assert record.event_id == EVENT_ID
    assert record.requested_at == REQUESTED_AT


def test_from_dict_fills_missing_optional_fields_with_their_defaults() -> None:
    plain = {k: v for k, v in _record().to_dict().items() if k not in {"requested_by", "row_number"}}
    record = UserOfferMigrationRequested.from_dict(plain)
    assert (record.requested_by, record.row_number) == (None, None)


def test_timestamps_come_back_in_utc_at_millisecond_precision() -> None:
    paris = datetime.timezone(datetime.timedelta(hours=1))
    sent = datetime.datetime(2026, 11, 25, 11, 30, 15, 123456, tzinfo=paris)
    decoded = UserOfferMigrationRequested.from_dict(_through_avro(_record(requested_at=sent)))
    assert decoded.requested_at == datetime.datetime(2026, 11, 25, 10, 30, 15, 123000, tzinfo=datetime.UTC)
    assert decoded.requested_at.tzinfo == datetime.UTC


def test_a_naive_timestamp_is_refused_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="requested_at must be timezone-aware"):
        _record(requested_at=datetime.datetime(2026, 11, 25, 10, 30))


def test_a_malformed_uuid_string_is_refused() -> None:
    with pytest.raises(ValueError, match="badly formed"):
        UserOfferMigrationRequested.from_dict({**_record().to_dict(), "event_id": "not-a-uuid"})


def test_the_record_carries_its_schema_as_parsed_json_and_compact_text() -> None:
    assert UserOfferMigrationRequested.SCHEMA["name"] == "UserOfferMigrationRequested"
    assert UserOfferMigrationRequested.FULL_NAME == "io.subshift.migration.v1.UserOfferMigrationRequested"
    assert " " not in UserOfferMigrationRequested.SCHEMA_JSON.split('"doc"')[0]
    field_names = [f["name"] for f in UserOfferMigrationRequested.SCHEMA["fields"]]
    assert list(_record().to_dict()) == field_names


def test_records_are_immutable() -> None:
    record = _record()
    with pytest.raises(AttributeError):
        record.user_id = "someone-else"  # type: ignore[misc]


def test_the_plain_schema_drops_only_the_converted_logical_types_at_any_depth() -> None:
    schema = {"type": "record", "name": "Outer", "fields": [
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "at", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
        {"name": "days", "type": {"type": "array", "items": {"type": "int", "logicalType": "date"}}},
        {"name": "by", "type": {"type": "map", "values": {"type": "long", "logicalType": "timestamp-millis"}}},
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
        {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}}]}},
    ]}
    plain = plain_schema(schema)
    assert [f["type"] for f in plain["fields"]] == [
        {"type": "string"}, ["null", {"type": "long"}], {"type": "array", "items": {"type": "int"}},
        {"type": "map", "values": {"type": "long"}}, schema["fields"][4]["type"],
        {"type": "record", "name": "Inner", "fields": [{"name": "id", "type": {"type": "string"}}]},
    ]
    assert schema["fields"][0]["type"] == {"type": "string", "logicalType": "uuid"}  # the input is not changed


def test_a_datum_of_primitives_writes_the_same_bytes_as_the_record() -> None:
    record = _record(requested_at=REQUESTED_AT.replace(microsecond=123456))
    logical = io.BytesIO()
    fastavro.schemaless_writer(logical, fastavro.parse_schema(UserOfferMigrationRequested.SCHEMA), record.to_dict())
    plain = io.BytesIO()
    datum = {**record.to_dict(), "event_id": str(EVENT_ID), "requested_at": epoch_millis(record.requested_at)}
    fastavro.schemaless_writer(plain, fastavro.parse_schema(plain_schema(UserOfferMigrationRequested.SCHEMA)), datum)
    assert plain.getvalue() == logical.getvalue()
    assert UserOfferMigrationRequested.from_dict(datum) == _record()  # 123456 µs → the record's 123 ms


def test_epoch_millis_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        epoch_millis(datetime.datetime(2026, 11, 25, 10, 30))


def test_the_datum_type_names_every_field_with_its_avro_primitive() -> None:
    assert typing.get_type_hints(UserOfferMigrationRequestedDatum) == {
        "event_id": str, "migration_id": str, "user_id": str, "current_offer": str, "target_offer": str,
        "requested_at": int, "requested_by": str | None, "row_number": int | None,
    }
    assert list(UserOfferMigrationRequestedDatum.__annotations__) == [
        f["name"] for f in UserOfferMigrationRequested.SCHEMA["fields"]]
