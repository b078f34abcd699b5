"""Every writer of a migration's state, from every state, on the real PostgreSQL: it makes exactly the
transitions the lifecycle table allows and leaves the state alone (or refuses) from everywhere else."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from pipeline.seeding import Row, migration_row, new_scenario, stage_migration
from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift.lifecycle import (
    Actor,
    IllegalTransitionError,
    cancel,
    count_outcomes,
    count_published,
    fail,
    lock_for_cancel,
    mark_staged,
    may,
    requeue_dead_letters,
)

S = MigrationState


def _cancel(pg: PgConnection, mid: uuid.UUID) -> None:
    with pg.cursor() as cur:
        state = lock_for_cancel(cur, mid)
        cancel(cur, mid, state=state, why="cancelled by a test")


def _staged(pg: PgConnection, mid: uuid.UUID) -> None:
    with pg.cursor() as cur:
        mark_staged(cur, mid, actor=Actor.UPLOAD, received=2, rejected=0, staged=2, content_sha256="0" * 64)


@dataclass(frozen=True)
class Writer:
    """One writer: what it is asked to do and the transition that is, when the table allows it."""

    name: str
    actor: Actor
    target: MigrationState
    run: Callable[[PgConnection, uuid.UUID], object]
    dead_letter: bool = False  # row 3 starts dead-lettered (row 2 applied), as a replay finds it


WRITERS = [
    Writer("upload-stages", Actor.UPLOAD, S.PENDING, _staged),
    Writer("relay-publishes-some", Actor.RELAY, S.PUBLISHING, lambda pg, mid: count_published(pg, {mid: (0, 2, 1)})),
    Writer("relay-publishes-all", Actor.RELAY, S.APPLYING, lambda pg, mid: count_published(pg, {mid: (0, 3, 2)})),
    Writer("relay-fails", Actor.RELAY, S.FAILED, lambda pg, mid: fail(pg, mid, why="too large")),
    Writer("consumer-applies-all", Actor.CONSUMER, S.SUCCEEDED,
           lambda pg, mid: count_outcomes(pg, {mid: Counter({"applied": 2})})),
    Writer("consumer-finds-a-conflict", Actor.CONSUMER, S.SUCCEEDED_WITH_ERRORS,
           lambda pg, mid: count_outcomes(pg, {mid: Counter({"applied": 1, "conflict": 1})})),
    Writer("caller-cancels", Actor.CANCEL, S.CANCELLED, _cancel),
    Writer("replay-requeues", Actor.REPLAY, S.APPLYING, lambda pg, mid: requeue_dead_letters(pg, [(mid, 3)]),
           dead_letter=True),
]


def _migration(pg: PgConnection, state: MigrationState, *, dead_letter: bool) -> uuid.UUID:
    s = new_scenario(pg)
    mid = stage_migration(pg, [Row(f"{s.prefix}-a", s.offers[0], s.offers[1]),
                               Row(f"{s.prefix}-b", s.offers[0], s.offers[1])], state=state)
    if dead_letter:
        with pg.cursor() as cur:
            cur.execute("UPDATE migration_items SET outcome = CASE row_number WHEN 2 THEN 'applied' "
                        "ELSE 'dead_lettered' END WHERE migration_id = %s", (str(mid),))
            cur.execute("UPDATE migrations SET published = 2, publish_cursor = 3, applied = 1, dead_lettered = 1 "
                        "WHERE id = %s", (str(mid),))
        pg.commit()
    return mid


@pytest.mark.parametrize(("writer", "source"), list(itertools.product(WRITERS, S)),
                         ids=lambda v: v.name if isinstance(v, Writer) else f"from-{v.value}")
def test_a_writer_moves_a_migration_only_as_the_table_allows(
        pg: PgConnection, writer: Writer, source: MigrationState) -> None:
    mid = _migration(pg, source, dead_letter=writer.dead_letter)
    allowed = may(source, writer.target, writer.actor)

    try:
        writer.run(pg, mid)
        pg.commit()
    except IllegalTransitionError:
        pg.rollback()
        assert not allowed, f"{writer.name} refused {source.value} → {writer.target.value}, which the table allows"

    assert migration_row(pg, mid)["state"] == (writer.target if allowed else source).value
