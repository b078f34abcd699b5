"""Dead letters: the records that can never be applied, and what the dead-letter topic receives for each.

The apply stage decides which records are dead (``subshift.apply.sorting``); this module names the
reasons and turns each into a ``Letter`` with the headers that say why (``headers``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from subshift import __version__
from subshift.deadletter.headers import DeadLetterInfo
from subshift.deadletter.producer import Letter
from subshift_client.decoded import MessageRef

__all__ = ["INVALID_RECORD", "MISMATCHED_ITEM", "UNKNOWN_ITEM", "DeadLetter", "letters_for"]

INVALID_RECORD = "invalid_record"
UNKNOWN_ITEM = "unknown_item"
# The event names an item that exists but is not its item's event (another event id, user or offer):
# forged, or corrupted on the way. It is not applied; the item keeps waiting for its own event.
MISMATCHED_ITEM = "mismatched_item"


@dataclass(frozen=True)
class DeadLetter:
    """A record that can never be applied; ``migration_id``/``row_number`` when its item is known."""

    partition: int
    offset: int
    reason: str
    error: BaseException
    migration_id: uuid.UUID | None = None
    row_number: int | None = None
    timestamp_ms: int | None = None
    # The event's id when it is a UUID (canonical text): only the item's own event marks it dead-lettered.
    event_id: str | None = None


def letters_for(dead: Sequence[DeadLetter], refs: Mapping[tuple[int, int], MessageRef], *,
                group_id: str, attempts: int = 1) -> list[Letter]:
    """What to produce to the dead-letter topic for each of ``dead``, in order."""
    letters = []
    for letter in dead:
        ref = refs[(letter.partition, letter.offset)]
        error = letter.error
        info = DeadLetterInfo(
            original_topic=ref.topic, original_partition=ref.partition, original_offset=ref.offset,
            original_timestamp_ms=ref.timestamp_ms if ref.timestamp_ms is not None else -1,
            consumer_group=group_id, exception_fqcn=f"{type(error).__module__}.{type(error).__qualname__}",
            exception_message=str(error), reason=letter.reason, attempts=attempts,
            migration_id=str(letter.migration_id) if letter.migration_id is not None else None,
            row_number=letter.row_number, consumer_version=__version__,
        )
        letters.append(Letter(ref, info))
    return letters
