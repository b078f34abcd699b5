"""Event ids for staged rows: random UUIDv4s made a batch at a time, as the text ``COPY`` takes.

An upload's ``COPY`` is the one serial step between a file and its first published event, and
PostgreSQL's ``gen_random_uuid()`` (a call into its strong random source per row) was a third of
that step's time. Here one ``os.urandom`` call gives a batch its random bytes, two C-speed
translations set each id's version (4) and variant (RFC 9562) bits, and the ids are sliced out
of one hex string, far cheaper than ``str(uuid.uuid4())`` per row (docs/performance/event-ids-from-the-api.md).
"""

from __future__ import annotations

import os

__all__ = ["random_event_ids"]

_SIZE = 16
# Byte 6 carries the version in its high nibble, byte 8 the variant in its two high bits.
_VERSION_4 = bytes((byte & 0x0F) | 0x40 for byte in range(256))
_VARIANT_RFC = bytes((byte & 0x3F) | 0x80 for byte in range(256))


def random_event_ids(count: int) -> list[str]:
    """``count`` random UUIDv4s as 32 lower-case hex digits (a form PostgreSQL's ``uuid`` reads)."""
    raw = bytearray(os.urandom(_SIZE * count))
    raw[6::_SIZE] = raw[6::_SIZE].translate(_VERSION_4)
    raw[8::_SIZE] = raw[8::_SIZE].translate(_VARIANT_RFC)
    text = raw.hex()
    width = 2 * _SIZE
    return [text[start:start + width] for start in range(0, len(text), width)]
