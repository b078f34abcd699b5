"""Headers of a dead-letter record, byte-compatible with Spring Kafka's conventions.

Spring's ``DeadLetterPublishingRecoverer`` writes the original topic, consumer group,
exception class and message as UTF-8, the original partition as a 4-byte big-endian int,
and the original offset and timestamp as 8-byte big-endian longs; Spring tools (and our
``subshift dlq``) read them back that way. Our own headers (``subshift-*``) are UTF-8 text.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ATTEMPTS",
    "CONSUMER_VERSION",
    "EXCEPTION_FQCN",
    "EXCEPTION_MESSAGE",
    "MIGRATION_ID",
    "ORIGINAL_CONSUMER_GROUP",
    "ORIGINAL_OFFSET",
    "ORIGINAL_PARTITION",
    "ORIGINAL_TIMESTAMP",
    "ORIGINAL_TIMESTAMP_TYPE",
    "ORIGINAL_TOPIC",
    "REASON",
    "REPLAY_COUNT",
    "ROW_NUMBER",
    "DeadLetterInfo",
    "Headers",
    "build_headers",
    "parse_headers",
    "replay_headers",
]

Headers = list[tuple[str, bytes]]

ORIGINAL_TOPIC = "kafka_dlt-original-topic"
ORIGINAL_PARTITION = "kafka_dlt-original-partition"
ORIGINAL_OFFSET = "kafka_dlt-original-offset"
ORIGINAL_TIMESTAMP = "kafka_dlt-original-timestamp"
ORIGINAL_TIMESTAMP_TYPE = "kafka_dlt-original-timestamp-type"
ORIGINAL_CONSUMER_GROUP = "kafka_dlt-original-consumer-group"
EXCEPTION_FQCN = "kafka_dlt-exception-fqcn"
EXCEPTION_MESSAGE = "kafka_dlt-exception-message"
ATTEMPTS = "subshift-dlt-attempts"
REASON = "subshift-dlt-reason"
MIGRATION_ID = "subshift-migration-id"
ROW_NUMBER = "subshift-row-number"
CONSUMER_VERSION = "subshift-consumer-version"
REPLAY_COUNT = "subshift-replay-count"

# Headers we (re)write; anything else on the original record is carried over untouched.
_OURS = frozenset({
    ORIGINAL_TOPIC, ORIGINAL_PARTITION, ORIGINAL_OFFSET, ORIGINAL_TIMESTAMP, ORIGINAL_TIMESTAMP_TYPE,
    ORIGINAL_CONSUMER_GROUP, EXCEPTION_FQCN, EXCEPTION_MESSAGE, ATTEMPTS, REASON, MIGRATION_ID, ROW_NUMBER,
    CONSUMER_VERSION,
})

# librdkafka's timestamp types, named as Java's TimestampType.toString() names them.
_TIMESTAMP_TYPES = {0: "NoTimestampType", 1: "CreateTime", 2: "LogAppendTime"}


@dataclass(frozen=True)
class DeadLetterInfo:
    """Why and from where a record was dead-lettered (what the headers say)."""

    original_topic: str
    original_partition: int
    original_offset: int
    original_timestamp_ms: int
    consumer_group: str
    exception_fqcn: str
    exception_message: str
    reason: str
    attempts: int
    migration_id: str | None = None
    row_number: int | None = None
    consumer_version: str = ""
    replay_count: int = 0


def build_headers(info: DeadLetterInfo, *, timestamp_type: int = 1,
                  original_headers: Sequence[tuple[str, bytes | None]] | None = None) -> Headers:
    """The headers of the dead-letter record: the original's own headers, then Spring's, then ours."""
    headers: Headers = [(k, v or b"") for k, v in (original_headers or ()) if k not in _OURS]
    headers += [
        (ORIGINAL_TOPIC, info.original_topic.encode()),
        (ORIGINAL_PARTITION, struct.pack(">i", info.original_partition)),
        (ORIGINAL_OFFSET, struct.pack(">q", info.original_offset)),
        (ORIGINAL_TIMESTAMP, struct.pack(">q", info.original_timestamp_ms)),
        (ORIGINAL_TIMESTAMP_TYPE, _TIMESTAMP_TYPES.get(timestamp_type, "CreateTime").encode()),
        (ORIGINAL_CONSUMER_GROUP, info.consumer_group.encode()),
        (EXCEPTION_FQCN, info.exception_fqcn.encode()),
        (EXCEPTION_MESSAGE, info.exception_message.encode()),
        (REASON, info.reason.encode()),
        (ATTEMPTS, str(info.attempts).encode()),
        (CONSUMER_VERSION, info.consumer_version.encode()),
    ]
    if info.migration_id is not None:
        headers.append((MIGRATION_ID, info.migration_id.encode()))
    if info.row_number is not None:
        headers.append((ROW_NUMBER, str(info.row_number).encode()))
    if not any(k == REPLAY_COUNT for k, _ in headers):
        headers.append((REPLAY_COUNT, str(info.replay_count).encode()))
    return headers


def _text(values: dict[str, bytes], name: str) -> str:
    return values.get(name, b"").decode("utf-8", errors="replace")


def _int(values: dict[str, bytes], name: str, fmt: str) -> int:
    raw = values.get(name)
    if raw is None or len(raw) != struct.calcsize(fmt):
        return -1
    number: int = struct.unpack(fmt, raw)[0]
    return number


def _decimal(values: dict[str, bytes], name: str) -> int | None:
    raw = values.get(name)
    try:
        return int(raw.decode()) if raw is not None else None
    except ValueError:
        return None


def parse_headers(headers: Sequence[tuple[str, bytes | None]] | None) -> DeadLetterInfo:
    """Read the headers of a dead-letter record back (last value wins, as Spring reads them)."""
    values = {k: v or b"" for k, v in headers or ()}
    return DeadLetterInfo(
        original_topic=_text(values, ORIGINAL_TOPIC),
        original_partition=_int(values, ORIGINAL_PARTITION, ">i"),
        original_offset=_int(values, ORIGINAL_OFFSET, ">q"),
        original_timestamp_ms=_int(values, ORIGINAL_TIMESTAMP, ">q"),
        consumer_group=_text(values, ORIGINAL_CONSUMER_GROUP),
        exception_fqcn=_text(values, EXCEPTION_FQCN),
        exception_message=_text(values, EXCEPTION_MESSAGE),
        reason=_text(values, REASON),
        attempts=_decimal(values, ATTEMPTS) or 0,
        migration_id=values[MIGRATION_ID].decode() if MIGRATION_ID in values else None,
        row_number=_decimal(values, ROW_NUMBER),
        consumer_version=_text(values, CONSUMER_VERSION),
        replay_count=_decimal(values, REPLAY_COUNT) or 0,
    )


def replay_headers(headers: Sequence[tuple[str, bytes | None]], replay_count: int) -> Headers:
    """The headers a replayed record carries: the original's own, and the new replay count (the loop guard)."""
    kept: Headers = [(k, v or b"") for k, v in headers if k not in _OURS and k != REPLAY_COUNT]
    return [*kept, (REPLAY_COUNT, str(replay_count).encode())]
