"""Confluent's seven compatibility modes, and which schema reads which.

The mapping from a mode to (reader, writer) pairs lives in ``reader_writer_pairs`` alone;
``versions_to_check`` says which earlier versions a mode looks at. Callers loop over those
versions and ask the checker about each pair, as Confluent's registry does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from subshift_contracts_core.errors import DataError

__all__ = ["Direction", "Mode", "ReaderWriter", "parse_mode", "reader_writer_pairs", "versions_to_check"]

S = TypeVar("S")


class Mode(StrEnum):
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")


class Direction(StrEnum):
    """``BACKWARD``: the new schema reads data the old one wrote; ``FORWARD``: the other way round."""

    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"


@dataclass(frozen=True)
class ReaderWriter(Generic[S]):
    reader: S
    writer: S
    direction: Direction


def reader_writer_pairs(mode: Mode, new: S, old: S) -> tuple[ReaderWriter[S], ...]:
    """The (reader, writer) pairs that must resolve for ``new`` to be compatible with ``old`` under ``mode``."""
    backward = ReaderWriter(reader=new, writer=old, direction=Direction.BACKWARD)
    forward = ReaderWriter(reader=old, writer=new, direction=Direction.FORWARD)
    return {
        Mode.BACKWARD: (backward,),
        Mode.BACKWARD_TRANSITIVE: (backward,),
        Mode.FORWARD: (forward,),
        Mode.FORWARD_TRANSITIVE: (forward,),
        Mode.FULL: (backward, forward),
        Mode.FULL_TRANSITIVE: (backward, forward),
        Mode.NONE: (),
    }[mode]


def versions_to_check(mode: Mode, previous: Sequence[S]) -> list[tuple[int, S]]:
    """``(version number, schema)`` of the earlier versions ``mode`` compares against, oldest first.

    Version numbers start at 1 for the oldest. Transitive modes check every earlier version;
    the others only the latest, as Confluent's registry does.
    """
    numbered = list(enumerate(previous, start=1))
    if mode is Mode.NONE:
        return []
    return numbered if mode.transitive else numbered[-1:]


def parse_mode(text: str) -> Mode:
    """The mode called ``text`` (case-insensitive).

    Raises:
        DataError: not one of the seven modes.
    """
    try:
        return Mode(text.strip().upper())
    except ValueError:
        names = ", ".join(m.value for m in Mode)
        raise DataError(f"unknown compatibility mode {text!r}; use one of {names}", rule="mode") from None
