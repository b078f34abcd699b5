"""What generated Avro records rely on: the record protocol, logical-type conversions, schema text.

Conversions accept both what an Avro reader returns (``UUID``, aware ``datetime``, ``date``) and
plain JSON-ish values (strings, epoch numbers), so ``from_dict`` works on reader output and on
hand-built mappings alike. Timestamps are always timezone-aware UTC.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol, Self

__all__ = [
    "AvroRecord",
    "as_date",
    "as_timestamp_micros",
    "as_timestamp_millis",
    "as_uuid",
    "epoch_millis",
    "require_aware",
    "schema_json",
]

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MILLISECOND = datetime.timedelta(milliseconds=1)


class AvroRecord(Protocol):
    """A generated record class: its schema and its conversions to and from Avro datums."""

    SCHEMA: ClassVar[dict[str, Any]]
    SCHEMA_JSON: ClassVar[str]
    FULL_NAME: ClassVar[str]

    def to_dict(self) -> dict[str, Any]: ...

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self: ...


def schema_json(schema: Mapping[str, Any]) -> str:
    """The schema as compact JSON: the exact text registered in, and looked up from, the registry."""
    return json.dumps(schema, separators=(",", ":"), ensure_ascii=True)


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    """A ``uuid`` logical value as ``UUID``.

    Raises:
        ValueError: the string is not a UUID.
    """
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def as_timestamp_millis(value: datetime.datetime | int) -> datetime.datetime:
    """A ``timestamp-millis`` value as an aware UTC ``datetime``.

    Raises:
        ValueError: a ``datetime`` without a timezone (its instant would be a guess).
    """
    if isinstance(value, datetime.datetime):
        return _utc(value)
    return _EPOCH + datetime.timedelta(milliseconds=value)


def epoch_millis(value: datetime.datetime) -> int:
    """A ``timestamp-millis`` datum: milliseconds since the epoch, sub-millisecond part dropped as Avro writers do.

    Raises:
        ValueError: a ``datetime`` without a timezone.
    """
    require_aware(value, "timestamp")
    return (value - _EPOCH) // _MILLISECOND


def as_timestamp_micros(value: datetime.datetime | int) -> datetime.datetime:
    """A ``timestamp-micros`` value as an aware UTC ``datetime``.

    Raises:
        ValueError: a ``datetime`` without a timezone.
    """
    if isinstance(value, datetime.datetime):
        return _utc(value)
    return _EPOCH + datetime.timedelta(microseconds=value)


def as_date(value: datetime.date | int) -> datetime.date:
    """A ``date`` value (days since the epoch) as ``date``."""
    if isinstance(value, datetime.date):
        return value
    return _EPOCH.date() + datetime.timedelta(days=value)


def require_aware(value: datetime.datetime | None, field: str) -> None:
    """Refuse naive datetimes: Avro timestamps are instants, and a naive value has no instant.

    Raises:
        ValueError: ``value`` has no timezone.
    """
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware (e.g. datetime.now(datetime.UTC)), got {value!r}")


def _utc(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is datetime.UTC:  # as Avro readers return them: nothing to convert
        return value
    require_aware(value, "timestamp")
    return value.astimezone(datetime.UTC)
