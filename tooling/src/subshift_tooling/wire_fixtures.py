"""Golden wire fixtures: bytes made by one contract version, kept so later versions prove they still read them.

``write_fixtures(folder)`` writes, for today's contracts:

- ``proto/descriptors.binpb``: the version's FileDescriptorSet (a reader "holding this schema");
- ``proto/<name>.binpb`` + ``proto/<name>.json``: an encoded request or response and its JSON view;
- ``avro/<subject>.avsc``: the writer schema, as registered;
- ``avro/<name>.bin`` + ``avro/<name>.json``: a Confluent-framed event and its datum as JSON;
- ``index.json``: every fixture with its message type or subject.

Avro events are framed with schema id 1 (``FRAME_SCHEMA_ID``): registry ids differ between
registries, so readers register the stored writer schema and re-frame the body with the id they get.
Output is deterministic: the samples use fixed ids and times.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import FileDescriptor
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from subshift_client.avro_runtime import schema_json
from subshift_client.fast_avro import FastAvroEncoder
from subshift_tooling.wire_samples import avro_samples, proto_samples

__all__ = ["FRAME_SCHEMA_ID", "datum_as_json", "descriptor_set", "write_fixtures"]

FRAME_SCHEMA_ID = 1
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def write_fixtures(folder: Path) -> list[Path]:
    """Write today's fixtures into ``folder`` (created; existing fixture files are replaced)."""
    written: list[Path] = []
    index: dict[str, Any] = {"frame_schema_id": FRAME_SCHEMA_ID, "proto": {}, "avro": {}}
    proto_dir, avro_dir = folder / "proto", folder / "avro"
    proto_dir.mkdir(parents=True, exist_ok=True)
    avro_dir.mkdir(parents=True, exist_ok=True)
    samples = proto_samples()
    written.append(_write(proto_dir / "descriptors.binpb",
                          descriptor_set(samples.values()).SerializeToString(deterministic=True)))
    for name, message in sorted(samples.items()):
        index["proto"][name] = message.DESCRIPTOR.full_name
        written.append(_write(proto_dir / f"{name}.binpb", message.SerializeToString(deterministic=True)))
        written.append(_write(proto_dir / f"{name}.json", _json(MessageToDict(message,
                                                                                 preserving_proto_field_name=True))))
    for subject, (record_type, records) in sorted(avro_samples().items()):
        written.append(_write(avro_dir / f"{subject}.avsc", schema_json(record_type.SCHEMA).encode()))
        encoder = FastAvroEncoder(record_type, FRAME_SCHEMA_ID)
        for name, record in sorted(records.items()):
            index["avro"][name] = subject
            written.append(_write(avro_dir / f"{name}.bin", encoder.encode(record)))
            written.append(_write(avro_dir / f"{name}.json", _json(datum_as_json(record.to_dict()))))
    written.append(_write(folder / "index.json", _json(index)))
    return written


def descriptor_set(messages: Iterable[Message]) -> descriptor_pb2.FileDescriptorSet:
    """The files defining ``messages`` and everything they import, dependencies first."""
    ordered: list[FileDescriptor] = []

    def visit(file: Any) -> None:  # FileDescriptor, or its upb twin the C runtime hands out
        if file in ordered:
            return
        for dependency in file.dependencies:
            visit(dependency)
        ordered.append(file)

    for message in messages:
        visit(message.DESCRIPTOR.file)
    fds = descriptor_pb2.FileDescriptorSet()
    for file in ordered:
        file.CopyToProto(fds.file.add())
    return fds


def datum_as_json(datum: dict[str, Any]) -> dict[str, Any]:
    """An Avro datum as JSON values: ``uuid`` as its text, timestamps as epoch milliseconds (Avro's encodings)."""
    out: dict[str, Any] = {}
    for key, value in datum.items():
        if isinstance(value, uuid.UUID):
            out[key] = str(value)
        elif isinstance(value, datetime.datetime):
            out[key] = (value - _EPOCH) // datetime.timedelta(milliseconds=1)
        else:
            out[key] = value
    return out


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
