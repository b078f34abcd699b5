"""The Confluent wire format, owned here and nowhere else.

A framed message is ``MAGIC_BYTE`` (0), the schema id as a 4-byte big-endian unsigned integer,
then the Avro binary body. Everything that frames or unframes bytes in Subshift goes through
``frame``/``read_header``.
"""

from __future__ import annotations

import struct
from typing import Literal

from subshift_client.errors import ClientError

__all__ = ["HEADER_SIZE", "MAGIC_BYTE", "WireFormatError", "frame", "header", "read_header"]

MAGIC_BYTE = 0
_HEADER = struct.Struct(">BI")
HEADER_SIZE = _HEADER.size  # 5

WireProblem = Literal["too_short", "wrong_magic_byte"]


class WireFormatError(ClientError, ValueError):
    """Bytes that are not a Confluent-framed message; ``reason`` is a stable code."""

    def __init__(self, reason: WireProblem, message: str) -> None:
        super().__init__(message)
        self.reason: WireProblem = reason


def header(schema_id: int) -> bytes:
    """The 5 bytes that open every message written with ``schema_id``.

    Raises:
        ValueError: ``schema_id`` does not fit in 4 unsigned bytes.
    """
    if not 0 <= schema_id <= 0xFFFFFFFF:
        raise ValueError(f"schema id {schema_id} does not fit the 4-byte wire field")
    return _HEADER.pack(MAGIC_BYTE, schema_id)


def frame(schema_id: int, body: bytes) -> bytes:
    """Prefix an Avro body with the magic byte and ``schema_id``.

    Raises:
        ValueError: ``schema_id`` does not fit in 4 unsigned bytes.
    """
    return header(schema_id) + body


def read_header(message: bytes) -> int:
    """The schema id of a framed message; its body starts at ``HEADER_SIZE``.

    Raises:
        WireFormatError: shorter than the header, or the first byte is not the magic byte.
    """
    if len(message) < HEADER_SIZE:
        raise WireFormatError("too_short", f"{len(message)} bytes is shorter than the {HEADER_SIZE}-byte header")
    magic, schema_id = _HEADER.unpack_from(message)
    if magic != MAGIC_BYTE:
        raise WireFormatError("wrong_magic_byte", f"first byte is {magic}, not the magic byte {MAGIC_BYTE}")
    return int(schema_id)
