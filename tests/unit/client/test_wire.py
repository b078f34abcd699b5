"""The Confluent framing: magic byte 0, 4-byte big-endian schema id, then the body."""

from __future__ import annotations

import pytest

from subshift_client import wire


def test_frame_puts_the_magic_byte_and_big_endian_id_before_the_body() -> None:
    assert wire.frame(0x01020304, b"body") == b"\x00\x01\x02\x03\x04body"


def test_read_header_returns_the_schema_id_of_a_framed_message() -> None:
    assert wire.read_header(wire.frame(4_000_000_000, b"")) == 4_000_000_000
    assert wire.HEADER_SIZE == 5


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        pytest.param(b"", "too_short", id="empty"),
        pytest.param(b"\x00\x00\x01", "too_short", id="header-cut-short"),
        pytest.param(b"\x01\x00\x00\x00\x01body", "wrong_magic_byte", id="magic-byte-1"),
        pytest.param(b'{"user_id": "u"}', "wrong_magic_byte", id="plain-json"),
    ],
)
def test_bytes_that_are_not_framed_are_refused_with_a_reason(message: bytes, reason: str) -> None:
    with pytest.raises(wire.WireFormatError) as raised:
        wire.read_header(message)
    assert raised.value.reason == reason


@pytest.mark.parametrize("schema_id", [-1, 2**32])
def test_a_schema_id_outside_four_unsigned_bytes_is_refused(schema_id: int) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        wire.header(schema_id)
