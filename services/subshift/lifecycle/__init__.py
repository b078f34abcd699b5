"""A migration's life: its states, who may move it between them, its counters and the lock order.

This package is the only writer of ``migrations.state`` and of the migration counters. Each actor
has one module, in the order of a migration's life:

- ``states``: the transition table (source, target, actor) and the guards derived from it;
- ``counters``: the counter arithmetic (pending, finished state), in Python and as SQL;
- ``locks``: the lock order (relay lock → migration rows → items) as the functions that take them;
- ``storage``: a migration's items live in a partition of their own, created with it, dropped by a purge;
- ``created``: an upload or a revert, VALIDATING → PENDING, or a refusal recorded REJECTED;
- ``published``: the relay counts acknowledged events, PENDING → PUBLISHING → APPLYING;
- ``finished``: the consumer counts outcomes and finishes a migration once no item waits;
- ``ended``: a caller cancels it, or the relay fails it when an event can never be published;
- ``replayed``: a dead-letter replay requeues items and reopens a SUCCEEDED_WITH_ERRORS migration;
- ``purged``: a finished migration's items dropped once kept long enough (its row and counts stay).

Its functions take a connection or cursor and run inside the caller's transaction; they never commit.
It may import ``subshift.db`` and ``subshift.errors`` only: the API, the relay, the consumer and
the dead-letter replay all import it, so it imports none of them.
"""

from __future__ import annotations

from subshift.lifecycle.counters import ERROR_OUTCOMES, OUTCOME_COLUMNS, finished_state, pending
from subshift.lifecycle.created import NewMigration, insert_rejected, insert_validating, mark_staged
from subshift.lifecycle.ended import cancel, fail, lock_for_cancel
from subshift.lifecycle.finished import count_outcomes
from subshift.lifecycle.locks import (
    MIGRATION_LOCK_TIMEOUT,
    TRY_RELAY_LOCK_SQL,
    lock_migration,
    lock_migrations,
    take_relay_lock,
)
from subshift.lifecycle.published import count_published
from subshift.lifecycle.purged import (
    PURGE_LOCK_TIMEOUT,
    Purgeable,
    UnfinishedMigrationError,
    purge_items,
    purgeable,
)
from subshift.lifecycle.replayed import requeue_dead_letters
from subshift.lifecycle.states import (
    PUBLISHABLE,
    REPLAYABLE,
    RUNNING,
    TRANSITIONS,
    Actor,
    IllegalTransitionError,
    Transition,
    may,
    require,
    sources,
)
from subshift.lifecycle.storage import items_table

__all__ = [
    "ERROR_OUTCOMES",
    "MIGRATION_LOCK_TIMEOUT",
    "OUTCOME_COLUMNS",
    "PUBLISHABLE",
    "PURGE_LOCK_TIMEOUT",
    "REPLAYABLE",
    "RUNNING",
    "TRANSITIONS",
    "TRY_RELAY_LOCK_SQL",
    "Actor",
    "IllegalTransitionError",
    "NewMigration",
    "Purgeable",
    "Transition",
    "UnfinishedMigrationError",
    "cancel",
    "count_outcomes",
    "count_published",
    "fail",
    "finished_state",
    "insert_rejected",
    "insert_validating",
    "items_table",
    "lock_for_cancel",
    "lock_migration",
    "lock_migrations",
    "mark_staged",
    "may",
    "pending",
    "purge_items",
    "purgeable",
    "requeue_dead_letters",
    "require",
    "sources",
    "take_relay_lock",
]
