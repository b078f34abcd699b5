"""Baseline (c): fastavro alone, encoding and decoding N events of our schema with Confluent framing.

This is the floor for the relay's and the consumer's serialisation work: schemaless
``fastavro`` on plain dicts, the 5-byte header written and skipped by hand. The same N events
are then run through the generated client's codec (typed records ↔ dicts, header checks), so
the report shows what our layer adds on top, and through its datum path (``encode_datum`` /
``decode_datum``: the typed dicts of primitives the relay and the consumer use).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import fastavro

from subshift_client import wire
from subshift_client.avro_runtime import epoch_millis
from subshift_client.fast_avro import FastAvroDecoder, FastAvroEncoder
from subshift_client.records import UserOfferMigrationRequested, UserOfferMigrationRequestedDatum
from subshift_tooling.bench.sample_events import sample_dicts, sample_records

__all__ = ["AvroBaseline", "avro_baseline"]

_CHUNK = 20_000
T = TypeVar("T")


@dataclass(frozen=True)
class AvroBaseline:
    rows: int
    event_bytes: float  # mean framed size
    encode_per_second: float
    decode_per_second: float
    typed_encode_per_second: float
    typed_decode_per_second: float
    datum_encode_per_second: float
    datum_decode_per_second: float


class _StaticWriterSchemas:
    """The writer schema by id without a registry: the benchmark encodes with the one schema it knows."""

    def get(self, schema_id: int) -> dict[str, object]:
        del schema_id
        return dict(UserOfferMigrationRequested.SCHEMA)


def _rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else 0.0


def avro_baseline(rows: int, schema_id: int) -> AvroBaseline:
    """Encode and decode ``rows`` events with fastavro alone, then with the generated codec."""
    schema = fastavro.parse_schema(UserOfferMigrationRequested.SCHEMA)
    header = wire.header(schema_id)
    encode_s = decode_s = 0.0
    size = 0
    for chunk in sample_dicts(rows, _CHUNK):
        started = time.perf_counter()
        encoded = []
        for datum in chunk:
            buffer = io.BytesIO()
            buffer.write(header)
            fastavro.schemaless_writer(buffer, schema, datum)
            encoded.append(buffer.getvalue())
        encode_s += time.perf_counter() - started
        size += sum(map(len, encoded))
        started = time.perf_counter()
        for value in encoded:
            buffer = io.BytesIO(value)
            buffer.seek(wire.HEADER_SIZE)
            fastavro.schemaless_reader(buffer, schema, None)
        decode_s += time.perf_counter() - started

    encoder = FastAvroEncoder(UserOfferMigrationRequested, schema_id)
    decoder = FastAvroDecoder(UserOfferMigrationRequested, _StaticWriterSchemas())  # type: ignore[arg-type]
    typed = [0.0, 0.0]
    datums = [0.0, 0.0]
    for start in range(1, rows + 1, _CHUNK):
        records = sample_records(start, min(_CHUNK, rows + 1 - start))
        _time_round_trip(records, encoder.encode, decoder.decode, typed)
        _time_round_trip([_datum(record) for record in records], encoder.encode_datum, decoder.decode_datum, datums)
    return AvroBaseline(rows=rows, event_bytes=round(size / max(rows, 1), 1),
                        encode_per_second=_rate(rows, encode_s), decode_per_second=_rate(rows, decode_s),
                        typed_encode_per_second=_rate(rows, typed[0]), typed_decode_per_second=_rate(rows, typed[1]),
                        datum_encode_per_second=_rate(rows, datums[0]),
                        datum_decode_per_second=_rate(rows, datums[1]))


def _time_round_trip(items: Sequence[T], encode: Callable[[T], bytes], decode: Callable[[bytes], object],
                     seconds: list[float]) -> None:
    """Encode then decode ``items``, adding the seconds each took to ``seconds`` [encode, decode]."""
    started = time.perf_counter()
    values = [encode(item) for item in items]
    seconds[0] += time.perf_counter() - started
    started = time.perf_counter()
    for value in values:
        decode(value)
    seconds[1] += time.perf_counter() - started


def _datum(record: UserOfferMigrationRequested) -> UserOfferMigrationRequestedDatum:
    return {"event_id": str(record.event_id), "migration_id": record.migration_id, "user_id": record.user_id,
            "current_offer": record.current_offer, "target_offer": record.target_offer,
            "requested_at": epoch_millis(record.requested_at), "requested_by": record.requested_by,
            "row_number": record.row_number}
