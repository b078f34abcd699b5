"""Every released version's golden wire fixtures against today's code, in both directions.

- Backward: today's code reads every older fixture (protobuf messages; Avro events through the
  fast decoder and confluent-kafka's ``AvroDeserializer``) and gets the values recorded with it.
- Forward: a reader holding an older version's schema (its descriptor set; its Avro writer schema)
  reads messages made by today's code, and sees today's values for every field it knows.
"""

from __future__ import annotations

import io
import json
from typing import Any

import fastavro
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.json_format import MessageToDict

from compat_tests.wire.versions import FixtureVersion, fixture_versions
from subshift_client import migration_v1, wire
from subshift_client.kafka import RECORDS_BY_SUBJECT, FastAvroDecoder, avro_serdes
from subshift_client.registry import WriterSchemas
from subshift_client.serdes import deserializer_conf
from subshift_tooling.wire_fixtures import datum_as_json
from subshift_tooling.wire_samples import avro_samples, proto_samples

VERSIONS = fixture_versions()
PROTO_CASES = [pytest.param(v, name, id=f"{v.name}-{name}") for v in VERSIONS for name in v.index["proto"]]
AVRO_CASES = [pytest.param(v, name, id=f"{v.name}-{name}") for v in VERSIONS for name in v.index["avro"]]


def _today_class(full_name: str) -> Any:
    assert migration_v1.MIGRATION_SERVICE  # the generated modules are loaded into the default pool
    return message_factory.GetMessageClass(descriptor_pool.Default().FindMessageTypeByName(full_name))


def _older_pool(version: FixtureVersion) -> descriptor_pool.DescriptorPool:
    fds = descriptor_pb2.FileDescriptorSet.FromString((version.folder / "proto" / "descriptors.binpb").read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file in fds.file:
        pool.Add(file)
    return pool


def _known_part(data: Any, descriptor: Descriptor) -> Any:
    """``data`` (a MessageToDict view) keeping only the fields ``descriptor`` knows, recursively."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        field = descriptor.fields_by_name.get(key)
        if field is None:
            continue
        nested = field.message_type
        # Timestamps print as strings and maps as plain objects: compare those whole.
        if nested is None or nested.GetOptions().map_entry or nested.full_name == "google.protobuf.Timestamp":
            kept[key] = value
        elif isinstance(value, list):
            kept[key] = [_known_part(item, nested) for item in value]
        else:
            kept[key] = _known_part(value, nested)
    return kept


@pytest.mark.parametrize(("version", "name"), PROTO_CASES)
def test_today_reads_every_released_protobuf_fixture(version: FixtureVersion, name: str) -> None:
    proto = version.folder / "proto"
    message = _today_class(version.index["proto"][name]).FromString((proto / f"{name}.binpb").read_bytes())
    expected = json.loads((proto / f"{name}.json").read_text(encoding="utf-8"))
    # A field today's schema lost would stay only as unknown bytes, missing from this view.
    assert MessageToDict(message, preserving_proto_field_name=True) == expected


@pytest.mark.parametrize("version", VERSIONS, ids=[v.name for v in VERSIONS])
@pytest.mark.parametrize("name", sorted(proto_samples()))
def test_a_reader_with_a_released_proto_schema_reads_today_s_messages(version: FixtureVersion, name: str) -> None:
    today = proto_samples()[name]
    pool = _older_pool(version)
    try:
        old_descriptor = pool.FindMessageTypeByName(today.DESCRIPTOR.full_name)
    except KeyError:
        pytest.fail(f"{today.DESCRIPTOR.full_name} is new since {version.name}: older readers cannot call it")
    old = message_factory.GetMessageClass(old_descriptor).FromString(today.SerializeToString())
    today_view = MessageToDict(today, preserving_proto_field_name=True)
    assert MessageToDict(old, preserving_proto_field_name=True) == _known_part(today_view, old_descriptor)
    assert type(today).FromString(old.SerializeToString()) == today, "an older reader must pass new fields through"


def _register(registry: SchemaRegistryClient, subject: str, schema_text: str) -> int:
    return int(registry.register_schema(subject, Schema(schema_text, "AVRO")))


@pytest.mark.integration  # the real registry resolves writer schema ids
@pytest.mark.parametrize(("version", "name"), AVRO_CASES)
def test_today_decodes_every_released_avro_fixture(version: FixtureVersion, name: str, registry: SchemaRegistryClient,
                                                   throwaway_topic: str) -> None:
    subject = version.index["avro"][name]
    avro = version.folder / "avro"
    framed = (avro / f"{name}.bin").read_bytes()
    assert wire.read_header(framed) == version.index["frame_schema_id"]
    writer_id = _register(registry, f"{throwaway_topic}-value", (avro / f"{subject}.avsc").read_text(encoding="utf-8"))
    value = wire.frame(writer_id, framed[wire.HEADER_SIZE:])
    record_type = RECORDS_BY_SUBJECT[subject]
    expected = json.loads((avro / f"{name}.json").read_text(encoding="utf-8"))

    fast, schema_id = FastAvroDecoder(record_type, WriterSchemas(registry)).decode(value)
    slow = avro_serdes(registry, record_type).deserialize(value, throwaway_topic)

    assert schema_id == writer_id
    assert fast == slow
    today = datum_as_json(fast.to_dict())
    assert {k: today[k] for k in expected if k in today} == {k: v for k, v in expected.items() if k in today}


@pytest.mark.integration  # the real registry resolves writer schema ids
@pytest.mark.parametrize("version", VERSIONS, ids=[v.name for v in VERSIONS])
def test_a_reader_with_a_released_avro_schema_reads_today_s_events(
    version: FixtureVersion, registry: SchemaRegistryClient, throwaway_topic: str
) -> None:
    for subject, (record_type, records) in avro_samples().items():
        old_schema = (version.folder / "avro" / f"{subject}.avsc").read_text(encoding="utf-8")
        old_fields = json.loads(old_schema)["fields"]
        _register(registry, f"{throwaway_topic}-value", record_type.SCHEMA_JSON)
        serdes = avro_serdes(registry, record_type)
        old_reader = AvroDeserializer(registry, old_schema, conf=deserializer_conf())
        for record in records.values():
            value = serdes.serialize(record, throwaway_topic)
            seen = old_reader(value, SerializationContext(throwaway_topic, MessageField.VALUE))
            assert isinstance(seen, dict)
            today = record.to_dict()
            shared = [f["name"] for f in old_fields if f["name"] in today]
            assert {k: seen[k] for k in shared} == {k: today[k] for k in shared}
            # Fields today's writer no longer sends reach the old reader as its defaults.
            dropped = {f["name"]: f.get("default") for f in old_fields if f["name"] not in today}
            assert {k: seen[k] for k in dropped} == dropped
            body = io.BytesIO(value[wire.HEADER_SIZE:])
            plain = fastavro.schemaless_reader(body, fastavro.parse_schema(record_type.SCHEMA),
                                               fastavro.parse_schema(json.loads(old_schema)))
            assert plain == seen
