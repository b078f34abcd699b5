"""The consumer's fast builders of ``MessageRef`` and ``Decoded``: the same frozen instances as the constructors."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from subshift_client.decoded import Decoded, MessageRef, _slot_setters, new_decoded, new_message_ref

HEADERS = (("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), ("empty", None))


def test_built_message_ref_and_decoded_equal_the_constructed_ones() -> None:
    built = new_decoded({"user_id": "u-1"}, 7, new_message_ref("user-offers", 3, 41, b"u-1", b"\x00\x00\x00\x00\x07x",
                                                                HEADERS, 1_764_000_000_000))
    constructed = Decoded(record={"user_id": "u-1"}, schema_id=7, message=MessageRef(
        topic="user-offers", partition=3, offset=41, key=b"u-1", value=b"\x00\x00\x00\x00\x07x", headers=HEADERS,
        timestamp_ms=1_764_000_000_000))
    assert built == constructed
    assert repr(built) == repr(constructed)
    assert hash(built.message) == hash(constructed.message)
    assert dataclasses.asdict(built.message) == dataclasses.asdict(constructed.message)


def test_built_instances_stay_frozen() -> None:
    ref = new_message_ref("user-offers", 0, 1, None, None, (), None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.offset = 2  # type: ignore[misc]
    decoded = new_decoded(None, 1, ref)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decoded.schema_id = 2  # type: ignore[misc]


def test_setters_must_name_every_field() -> None:
    @dataclass(frozen=True, slots=True)
    class Pair:
        left: int
        right: int

    with pytest.raises(TypeError, match="has fields"):
        _slot_setters(Pair, "left")
    set_left, set_right = _slot_setters(Pair, "right", "left")[::-1]
    pair: Pair = object.__new__(Pair)
    set_left(pair, 1)
    set_right(pair, 2)
    assert pair == Pair(1, 2)
