"""What a consumer hands back per Kafka message: a decoded record, or why it could not be decoded.

Both carry a ``MessageRef`` (topic, partition, offset, key, headers, raw value) so the caller can
commit past the message, or dead-letter the original bytes with the reason in headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

__all__ = ["Decoded", "MessageRef", "Undecodable", "UndecodableReason"]

T = TypeVar("T")

UndecodableReason = Literal[
    "no_value",            # a tombstone or empty value where a record was expected
    "too_short",           # fewer bytes than the 5-byte Confluent header
    "wrong_magic_byte",    # not Confluent-framed (first byte is not 0)
    "unknown_schema_id",   # the registry has no schema with that id
    "incompatible_schema",  # the writer schema cannot be read with this client's schema
    "unreadable_bytes",    # the body does not parse under its writer schema
    "invalid_record",      # parsed, but the values break the record's rules (e.g. a bad UUID)
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageRef:
    """Where a message sits in Kafka, and its raw parts."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes | None], ...] = ()
    timestamp_ms: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Decoded(Generic[T]):
    """A record read from ``message``, written with schema ``schema_id``."""

    record: T
    schema_id: int
    message: MessageRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Undecodable:
    """A message that can never become a record; ``reason`` is stable, ``detail`` is for people."""

    reason: UndecodableReason
    detail: str
    message: MessageRef
    schema_id: int | None = None
