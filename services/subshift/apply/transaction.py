"""One batch applied in one database transaction, committed: step 3 and 4 of the consumer's commit order.

Kafka is reached only through ``send`` (dead letters produced and acknowledged before the commit),
so the same code runs in the consumer and wherever the apply is measured alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from subshift.apply.batch import Plan, PreparedBatch
from subshift.apply.offsets import lock_offsets, save_offsets
from subshift.apply.sorting import orphans_as_dead_letters
from subshift.apply.store import (
    Tallies,
    apply_round,
    count_outcomes,
    find_orphans,
    set_dead_letter_positions,
    stage,
)
from subshift.db.connect import PgConnection
from subshift.deadletter.letters import DeadLetter
from subshift.messaging.topic_identity import TopicIdentity

__all__ = ["SendDeadLetters", "apply_batch"]

# The rounds of a batch tried optimistically, at most (each is a savepoint).
_OPTIMISTIC_ROUNDS = 16

# Produces the letters and waits for the broker; each one's (partition, offset) on the dead-letter topic.
SendDeadLetters = Callable[[Sequence[DeadLetter]], list[tuple[int, int]]]


def apply_batch(conn: PgConnection, prepared: PreparedBatch, *, group_id: str, topic: str,
                next_offsets: Mapping[int, int], identity: TopicIdentity | None,
                send: SendDeadLetters) -> tuple[Plan, Tallies]:
    """Apply ``prepared`` and store ``next_offsets`` in one transaction, and commit it.

    Raises:
        psycopg2.Error: the database failed or a lock wait ran out; the transaction is to be rolled back
            and the batch retried.
        InfrastructureError: (retryable) a dead letter was not acknowledged.
    """
    stored = lock_offsets(conn, group_id, topic, next_offsets.keys(), identity)
    plan, text = prepared.plan_for(stored)
    tallies = Tallies()
    if plan.rows:
        stage(conn, text)
    if plan.dead:
        # Dead letters whose item is known get their DLT position recorded with their outcome.
        sent = send(plan.dead)
        set_dead_letter_positions(conn, {idx: sent[i] for idx, i in plan.dead_rows.items()})
    optimistic = True
    for seq in range(1, plan.rounds + 1):
        # Once a round needed the careful statement (a redelivery, most often), the rest of the batch
        # takes it at once (docs/performance/2026-12-06-apply-cost.md). Each optimistic round is a
        # subtransaction; past PostgreSQL's 64 cached per transaction every other session's snapshot
        # checks get slower, so a batch with a user changed many times applies its late rounds carefully.
        # A round of several migrations (two running at once) is applied carefully, the next ones may not be.
        migration = plan.round_migration[seq - 1]
        optimistic = optimistic and seq <= _OPTIMISTIC_ROUNDS
        if optimistic and migration is not None:
            optimistic = apply_round(conn, seq, tallies, optimistic_for=(migration, plan.per_round[seq - 1]))
            plan.careful_rounds += not optimistic
        else:
            apply_round(conn, seq, tallies)
            plan.careful_rounds += 1
    if tallies.recorded < len(plan.rows):
        # Some rows had no pending item: a redelivery (no-op), or an item that does not exist (dead letter).
        orphans = orphans_as_dead_letters(plan.rows, find_orphans(conn))
        if orphans:
            send(orphans)
            plan.dead += orphans
    count_outcomes(conn, tallies)
    save_offsets(conn, group_id, topic, next_offsets, identity)
    conn.commit()
    return plan, tallies
