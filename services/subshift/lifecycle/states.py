"""A migration's states, the transitions between them and who may make each, as one table.

The table is the truth: the SQL that moves a migration guards its ``UPDATE`` with the sources this
table gives (``sources``), and the Python writers ask ``require`` before they write. A transition
that is not in the table never happens; ``tests/unit/lifecycle`` walks every pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from subshift.db.models import MigrationState

__all__ = [
    "PUBLISHABLE",
    "REPLAYABLE",
    "RUNNING",
    "TRANSITIONS",
    "Actor",
    "IllegalTransitionError",
    "Transition",
    "may",
    "require",
    "sources",
]

_S = MigrationState


class Actor(StrEnum):
    """Who moves a migration: each writer of ``migrations.state`` is one of these."""

    UPLOAD = "upload"  # CreateMigration: stages an upload, or records its refusal
    REVERT = "revert"  # RevertMigration: stages a new migration undoing a finished one
    RELAY = "relay"  # the outbox relay: counts published events, fails what can never be published
    CONSUMER = "consumer"  # the apply consumer: finishes a migration once no item waits
    CANCEL = "cancel"  # CancelMigration
    REPLAY = "replay"  # `subshift dlq replay`: requeues dead-lettered items


@dataclass(frozen=True, slots=True)
class Transition:
    """``source`` → ``target`` made by ``actor``; ``source`` None is a migration being created."""

    source: MigrationState | None
    target: MigrationState
    actor: Actor
    why: str


def _t(source: MigrationState | None, target: MigrationState, actor: Actor, why: str) -> Transition:
    return Transition(source, target, actor, why)


TRANSITIONS: tuple[Transition, ...] = (
    _t(None, _S.VALIDATING, Actor.UPLOAD, "an upload starts; only its own transaction sees it"),
    _t(None, _S.VALIDATING, Actor.REVERT, "a revert starts; only its own transaction sees it"),
    _t(None, _S.REJECTED, Actor.UPLOAD, "a refused upload is recorded after its staging rolled back"),
    _t(_S.VALIDATING, _S.PENDING, Actor.UPLOAD, "every row is checked and staged"),
    _t(_S.VALIDATING, _S.PENDING, Actor.REVERT, "the source's applied rows are staged in reverse"),
    _t(_S.PENDING, _S.PUBLISHING, Actor.RELAY, "some events are published"),
    _t(_S.PENDING, _S.APPLYING, Actor.RELAY, "every event is published in the first batch"),
    _t(_S.PUBLISHING, _S.APPLYING, Actor.RELAY, "every event is published"),
    _t(_S.PENDING, _S.FAILED, Actor.RELAY, "an event can never be published"),
    _t(_S.PUBLISHING, _S.FAILED, Actor.RELAY, "an event can never be published"),
    # The consumer may apply every event before the relay commits its count of them.
    *(_t(s, target, Actor.CONSUMER, "every item has an outcome")
      for s in (_S.PENDING, _S.PUBLISHING, _S.APPLYING)
      for target in (_S.SUCCEEDED, _S.SUCCEEDED_WITH_ERRORS)),
    *(_t(s, _S.CANCELLED, Actor.CANCEL, "a caller stops it") for s in (_S.PENDING, _S.PUBLISHING, _S.APPLYING)),
    # The one way out of a terminal state, promised in the proto: replaying dead letters reopens.
    _t(_S.SUCCEEDED_WITH_ERRORS, _S.APPLYING, Actor.REPLAY, "dead-lettered items are requeued for a replay"),
)

_ALLOWED = frozenset((t.source, t.target, t.actor) for t in TRANSITIONS)

# Where the relay may claim a migration's next events.
PUBLISHABLE: tuple[MigrationState, ...] = (_S.PENDING, _S.PUBLISHING)
# Not finished: items may still get outcomes.
RUNNING: tuple[MigrationState, ...] = (_S.PENDING, _S.PUBLISHING, _S.APPLYING)
# Whose dead-lettered items a replay requeues: a running migration (counters only) or one the replay reopens.
# A cancelled or failed migration's items stay as they are: nothing is applied after its end.
REPLAYABLE: tuple[MigrationState, ...] = (*RUNNING, _S.SUCCEEDED_WITH_ERRORS)


class IllegalTransitionError(Exception):
    """A writer asked for a transition the table does not allow (a bug, never a user's error)."""


def may(source: MigrationState | None, target: MigrationState, actor: Actor) -> bool:
    """Whether ``actor`` may move a migration from ``source`` (None: a new one) to ``target``."""
    return (source, target, actor) in _ALLOWED


def require(source: MigrationState | None, target: MigrationState, actor: Actor) -> None:
    """Raise unless the table allows the transition.

    Raises:
        IllegalTransitionError: it does not; the message names what is allowed from ``source``.
    """
    if may(source, target, actor):
        return
    allowed = sorted(f"{t.target.value} by {t.actor.value}" for t in TRANSITIONS if t.source == source)
    origin = source.value if source is not None else "a new migration"
    raise IllegalTransitionError(f"{actor.value} may not move {origin} to {target.value}; from {origin} the table "
                            f"allows: {', '.join(allowed) or 'nothing (a final state)'}")


def sources(target: MigrationState, actor: Actor) -> tuple[MigrationState, ...]:
    """The states ``actor`` may move to ``target`` from, in declaration order (for SQL guards)."""
    return tuple(dict.fromkeys(t.source for t in TRANSITIONS
                               if t.target == target and t.actor == actor and t.source is not None))
