"""Typed Avro records, one frozen dataclass per value schema (``UserOfferMigrationRequested``, …).

Each class carries ``SCHEMA`` (parsed), ``SCHEMA_JSON`` (the registered text) and ``FULL_NAME``,
and converts with ``to_dict``/``from_dict``. Logical types: ``uuid`` ↔ ``uuid.UUID`` (strings are
accepted on input), ``timestamp-millis`` ↔ timezone-aware UTC ``datetime`` (naive ones are refused;
sub-millisecond precision is dropped on the wire).
"""

from __future__ import annotations

from subshift_client._generated.records import *  # noqa: F403  (the generator keeps the list)
from subshift_client._generated.records import __all__ as _record_names
from subshift_client.avro_runtime import AvroRecord

__all__ = [*_record_names, "AvroRecord"]
