"""Dead-letter headers must read the way Spring Kafka's DeadLetterPublishingRecoverer writes them."""

from __future__ import annotations

import struct

from subshift.deadletter.headers import (
    EXCEPTION_FQCN,
    ORIGINAL_CONSUMER_GROUP,
    ORIGINAL_OFFSET,
    ORIGINAL_PARTITION,
    ORIGINAL_TIMESTAMP,
    ORIGINAL_TIMESTAMP_TYPE,
    ORIGINAL_TOPIC,
    REPLAY_COUNT,
    DeadLetterInfo,
    build_headers,
    parse_headers,
)

INFO = DeadLetterInfo(
    original_topic="user-offers", original_partition=3, original_offset=2**40 + 5,
    original_timestamp_ms=1_764_000_000_123, consumer_group="subshift-apply",
    exception_fqcn="subshift.faults.PermanentRecordError", exception_message="unknown schema id 99",
    reason="unknown_schema", attempts=1, migration_id="4b7c0b61-0000-4000-8000-000000000001", row_number=42,
    consumer_version="0.1.0",
)


def test_partition_is_a_big_endian_int_and_offset_and_timestamp_big_endian_longs() -> None:
    headers = dict(build_headers(INFO))
    assert headers[ORIGINAL_PARTITION] == b"\x00\x00\x00\x03"
    assert headers[ORIGINAL_OFFSET] == struct.pack(">q", 2**40 + 5) == b"\x00\x00\x01\x00\x00\x00\x00\x05"
    assert len(headers[ORIGINAL_TIMESTAMP]) == 8
    assert struct.unpack(">q", headers[ORIGINAL_TIMESTAMP])[0] == 1_764_000_000_123


def test_text_headers_are_utf8() -> None:
    headers = dict(build_headers(INFO))
    assert headers[ORIGINAL_TOPIC] == b"user-offers"
    assert headers[ORIGINAL_CONSUMER_GROUP] == b"subshift-apply"
    assert headers[ORIGINAL_TIMESTAMP_TYPE] == b"CreateTime"
    assert headers[EXCEPTION_FQCN] == b"subshift.faults.PermanentRecordError"


def test_headers_read_back_to_the_same_facts() -> None:
    assert parse_headers(build_headers(INFO)) == INFO


def test_original_headers_are_kept_and_a_replay_count_is_not_reset() -> None:
    headers = build_headers(INFO, original_headers=[("traceparent", b"00-abc"), (REPLAY_COUNT, b"2"),
                                                    (ORIGINAL_TOPIC, b"stale")])
    assert ("traceparent", b"00-abc") in headers
    assert [v for k, v in headers if k == ORIGINAL_TOPIC] == [b"user-offers"]
    assert parse_headers(headers).replay_count == 2
