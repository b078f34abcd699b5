"""From a polled batch to the changes to apply and the dead letters (whose letters ``subshift.deadletter`` writes)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast

from subshift.apply.batch import Change, canonical_uuid, validation_problem
from subshift.apply.store import Orphan, StagedRow
from subshift.deadletter.letters import INVALID_RECORD, MISMATCHED_ITEM, UNKNOWN_ITEM, DeadLetter
from subshift.faults import PermanentRecordError
from subshift_client.decoded import Decoded, Undecodable
from subshift_client.fast_avro import UndecodableValueError
from subshift_client.records import UserOfferMigrationRequestedDatum

__all__ = ["Polled", "orphans_as_dead_letters", "sort_batch"]

# What the consumer polls: each event as its datum (logical values as primitives), or why not.
Polled = Decoded[dict[str, Any]] | Undecodable

_UNSEEN = uuid.UUID(int=0)


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def sort_batch(batch: Iterable[Polled], *, group_id: str) -> tuple[list[Change], list[DeadLetter]]:
    """Split a polled batch into valid changes and records that can never be applied."""
    changes: list[Change] = []
    dead: list[DeadLetter] = []
    ids: dict[str, uuid.UUID | None] = {}  # a batch holds few migrations: parse each id once
    for polled in batch:
        ref = polled.message
        if isinstance(polled, Undecodable):
            dead.append(DeadLetter(ref.partition, ref.offset, polled.reason,
                                   UndecodableValueError(polled.reason, polled.detail, polled.schema_id)))
            continue
        # Resolved against our schema, so every field is there with its type.
        r = cast(UserOfferMigrationRequestedDatum, polled.record)
        migration_id = ids.get(r["migration_id"], _UNSEEN)
        if migration_id is _UNSEEN:
            migration_id = ids[r["migration_id"]] = _uuid_or_none(r["migration_id"])
        row_number, user_id, event_id = r["row_number"], r["user_id"], r["event_id"]
        problem = validation_problem(event_id=event_id, migration_id=migration_id, user_id=user_id,
                                     current_offer=r["current_offer"], target_offer=r["target_offer"],
                                     row_number=row_number, key=ref.key)
        if problem is not None:
            dead.append(DeadLetter(ref.partition, ref.offset, INVALID_RECORD, PermanentRecordError(problem),
                                   migration_id, row_number, ref.timestamp_ms, canonical_uuid(event_id)))
            continue
        # validation_problem refuses a missing row number or migration id, and an event id that is no UUID
        canonical = canonical_uuid(event_id)
        assert row_number is not None and migration_id is not None and canonical is not None
        changes.append(Change(ref.partition, ref.offset, migration_id, row_number, canonical, user_id,
                              r["current_offer"], r["target_offer"], ref.timestamp_ms))
    return changes, dead


def orphans_as_dead_letters(rows: Sequence[StagedRow], orphans: Iterable[Orphan]) -> list[DeadLetter]:
    """Dead letters for staged changes no item accounts for (``find_orphans``); dead letters are already listed."""
    result = []
    for idx, mismatched in orphans:
        row = rows[idx]
        if row.outcome is not None:
            continue
        if mismatched:
            reason = MISMATCHED_ITEM
            error = PermanentRecordError(
                f"event {row.event_id} is not the event of migration {row.migration_id}'s item at row "
                f"{row.row_number}: its {', '.join(mismatched)} differ{'s' if len(mismatched) == 1 else ''} from "
                "the staged item's; not applied")
        else:
            reason = UNKNOWN_ITEM
            error = PermanentRecordError(f"migration {row.migration_id} has no item at row {row.row_number}")
        result.append(DeadLetter(row.partition, row.offset, reason, error, row.migration_id, row.row_number,
                                 row.published_ms, row.event_id))
    return result
