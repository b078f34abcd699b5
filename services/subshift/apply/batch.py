"""A polled batch, in memory: decoded changes, records bound for the dead-letter topic, and their plan.

Pure functions (no I/O), so the rules that make a batch safe to apply are unit-tested alone:
records already covered by the database's offsets are dropped, a record seen twice in one batch
counts once, and each user's changes are numbered in offset order (``seq``) so the set-based
apply handles the first change of every user, then the second, and so on. ``prepare_batch`` plans
a batch before its transaction, as if the database had applied none of it; ``plan_for`` keeps that
plan unless the stored offsets show otherwise. ``positions_of`` says where a batch's records were
read: the offsets its commits store, and the traces it continues.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from subshift.apply.store import StagedRow, copy_text
from subshift.db.models import ItemOutcome
from subshift.deadletter.letters import DeadLetter
from subshift.observability.tracing import traceparent_from_headers
from subshift_client.decoded import MessageRef

__all__ = ["Change", "Plan", "Positions", "PreparedBatch", "canonical_uuid", "plan_batch",
           "positions_of", "prepare_batch", "validation_problem"]

_POSITION = attrgetter("partition", "offset")
# The form producers write (``str(uuid)``): checked without building a UUID; other forms Python's
# ``uuid.UUID`` accepts (braces, no hyphens, upper case) still pass through it.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(slots=True)  # not frozen: a frozen init costs more per row (docs/performance/consumer-slot-builders.md)
class Change:
    """A decoded, valid event and where it was read."""

    partition: int
    offset: int
    migration_id: uuid.UUID
    row_number: int
    event_id: str  # canonical text (``canonical_uuid``): the apply compares it with the item's
    user_id: str
    current_offer: str
    target_offer: str
    timestamp_ms: int | None = None




@dataclass
class Plan:
    rows: list[StagedRow] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    # Staged row idx → position in ``dead`` (dead letters whose item is known get an outcome too).
    dead_rows: dict[int, int] = field(default_factory=dict)
    rounds: int = 0
    # Staged rows per round (``per_round[seq - 1]``): what the optimistic round must record.
    per_round: list[int] = field(default_factory=list)
    # The one migration of each round's rows, None when it has several: the optimistic round names its
    # migration, so it reads that migration's items partition alone.
    round_migration: list[uuid.UUID | None] = field(default_factory=list)
    duplicates: int = 0
    already_applied: int = 0
    # Rounds the careful statement applied (the optimistic one did not stand, or was not tried).
    careful_rounds: int = 0
    # Outcomes recorded per migration, filled in after the apply (for logs).
    tallies: dict[str, dict[str, int]] = field(default_factory=dict)


def canonical_uuid(text: str) -> str | None:
    """``text`` as ``str(uuid.UUID(text))``, or None when it is not a UUID (the common form is returned as is)."""
    if _CANONICAL_UUID.fullmatch(text) is not None:
        return text
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def validation_problem(*, event_id: str, migration_id: uuid.UUID | None, user_id: str, current_offer: str,
                       target_offer: str, row_number: int | None, key: bytes | None) -> str | None:
    """Why a decoded event cannot be applied, or None when it can (``migration_id`` None: not a UUID)."""
    if migration_id is None:
        return "migration_id is not a UUID"
    if _CANONICAL_UUID.fullmatch(event_id) is None:
        try:
            uuid.UUID(event_id)
        except ValueError:
            return f"event_id {event_id[:64]!r} is not a UUID"
    if row_number is None or row_number < 1:
        return f"row_number {row_number!r} does not name a migration item"
    if not user_id:
        return "user_id is empty"
    if not current_offer or not target_offer:
        return "current_offer and target_offer must both be set"
    if current_offer == target_offer:
        return f"current_offer and target_offer are both {current_offer!r}"
    if key is not None and key != user_id.encode():
        return "the record key is not the event's user_id"
    return None


def _same_event(a: Change, b: Change) -> bool:
    return (a.event_id == b.event_id and a.user_id == b.user_id and a.current_offer == b.current_offer
            and a.target_offer == b.target_offer)


# Marks an item a dead letter of the batch names (no change of the batch is a duplicate of it).
_NO_CHANGE = Change(-1, -1, uuid.UUID(int=0), 0, "", "", "", "")


def _one_migration(plan: Plan, seq: int, migration_id: uuid.UUID) -> None:
    if plan.round_migration[seq - 1] != migration_id:
        plan.round_migration[seq - 1] = None


def plan_batch(changes: Iterable[Change], dead: Iterable[DeadLetter], stored: Mapping[int, int]) -> Plan:
    """Everything of the batch still to do, given the database's next offsets per partition (``stored``)."""
    plan = Plan()
    # Keyed by the migration id's integer: a UUID hashes in Python code, twice per row here.
    seen: dict[tuple[int, int], Change] = {}
    others: dict[tuple[int, int], list[Change]] = {}  # items named by more than one distinct event
    per_user: dict[str, int] = {}
    rows, rounds, per_round = plan.rows, 0, plan.per_round
    for item in sorted(changes, key=_POSITION):
        if item.offset < stored.get(item.partition, -1):
            plan.already_applied += 1
            continue
        key = (item.migration_id.int, item.row_number)
        first = seen.get(key)
        if first is None:
            seen[key] = item
        else:
            # Other events naming the same item (at most one is the item's own) all go to the apply,
            # which applies the item's own and dead-letters the rest, whichever came first.
            kept = others.setdefault(key, [first])
            if any(_same_event(k, item) for k in kept):
                plan.duplicates += 1
                continue
            kept.append(item)
        seq = per_user[item.user_id] = per_user.get(item.user_id, 0) + 1
        if seq > rounds:
            rounds = seq
            per_round.append(0)
            plan.round_migration.append(item.migration_id)
        per_round[seq - 1] += 1
        _one_migration(plan, seq, item.migration_id)
        rows.append(StagedRow(len(rows), seq, item.migration_id, item.row_number, item.event_id, item.user_id,
                              item.current_offer, item.target_offer, item.partition, item.offset, None, None,
                              item.timestamp_ms))
    plan.rounds = rounds
    for letter in sorted(dead, key=_POSITION):
        if letter.offset < stored.get(letter.partition, -1):
            plan.already_applied += 1
            continue
        plan.dead.append(letter)
        if letter.migration_id is not None and letter.row_number is not None:
            key = (letter.migration_id.int, letter.row_number)
            if key in seen:
                continue
            seen[key] = _NO_CHANGE
            plan.dead_rows[len(plan.rows)] = len(plan.dead) - 1
            # Round 1 records it (its outcome is preset, so no compare-and-set runs for it).
            plan.rounds = max(plan.rounds, 1)
            if not per_round:
                per_round.append(0)
                plan.round_migration.append(letter.migration_id)
            per_round[0] += 1
            _one_migration(plan, 1, letter.migration_id)
            plan.rows.append(StagedRow(len(plan.rows), 1, letter.migration_id, letter.row_number, letter.event_id,
                                       "", "", "",
                                       letter.partition, letter.offset, ItemOutcome.DEAD_LETTERED.value,
                                       letter.reason, letter.timestamp_ms))
    return plan


@dataclass
class PreparedBatch:
    """A batch planned before its transaction, as if the database had applied none of it."""

    changes: Sequence[Change]
    dead: Sequence[DeadLetter]
    plan: Plan
    text: str  # the plan's rows as ``COPY`` text
    first_offsets: dict[int, int]  # per partition, the batch's lowest offset

    def plan_for(self, stored: Mapping[int, int]) -> tuple[Plan, str]:
        """The plan and its ``COPY`` text given the database's next offsets per partition (``stored``)."""
        if all(first >= stored.get(partition, -1) for partition, first in self.first_offsets.items()):
            return self.plan, self.text
        plan = plan_batch(self.changes, self.dead, stored)  # part of the batch is applied already
        return plan, copy_text(plan.rows)


def prepare_batch(changes: Sequence[Change], dead: Sequence[DeadLetter]) -> PreparedBatch:
    """Plan ``changes`` and ``dead`` and build the ``COPY`` text, before the database is asked anything."""
    plan = plan_batch(changes, dead, {})
    first: dict[int, int] = {}
    items: list[Change | DeadLetter] = [*changes, *dead]
    for item in items:
        first[item.partition] = min(item.offset, first.get(item.partition, item.offset))
    return PreparedBatch(changes, dead, plan, copy_text(plan.rows), first)


@dataclass(frozen=True)
class Positions:
    """Where a batch's records were read: what its apply and its commits need besides the plan."""

    refs: dict[tuple[int, int], MessageRef]  # by (partition, offset)
    newest: dict[int, MessageRef]  # per partition, the batch's newest record (the Kafka commit goes past it)
    next_offsets: dict[int, int]  # per partition, the offset after it (what the database stores)
    parents: list[str | None]  # the distinct trace parents in the records' headers, first seen first


def positions_of(refs: dict[tuple[int, int], MessageRef]) -> Positions:
    """The positions of a batch's records, ``refs`` keyed by (partition, offset)."""
    newest: dict[int, MessageRef] = {}
    for (partition, offset), ref in refs.items():
        last = newest.get(partition)
        if last is None or offset > last.offset:
            newest[partition] = ref
    parents = list(dict.fromkeys(traceparent_from_headers(ref.headers) for ref in refs.values()))
    return Positions(refs, newest, {p: ref.offset + 1 for p, ref in newest.items()}, parents)
