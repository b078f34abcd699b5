"""What requeueing a dead letter for a replay does to its migration, state by state (the proto's promise)."""

from __future__ import annotations

import uuid

import pytest

from pipeline.seeding import Row, assert_counters_match_items, migration_row, new_scenario, outcomes_of, stage_migration
from subshift.db.connect import PgConnection
from subshift.db.models import MigrationState
from subshift.lifecycle import requeue_dead_letters

S = MigrationState


def _dead_lettered_migration(pg: PgConnection, state: MigrationState) -> uuid.UUID:
    """A migration in ``state`` with two items: one applied, one dead-lettered (row 3)."""
    s = new_scenario(pg)
    migration_id = stage_migration(pg, [Row(f"{s.prefix}-a", s.offers[0], s.offers[1]),
                                        Row(f"{s.prefix}-b", s.offers[0], s.offers[1])], state=state)
    finished = state.terminal
    with pg.cursor() as cur:
        cur.execute("UPDATE migration_items SET outcome = CASE row_number WHEN 2 THEN 'applied' ELSE 'dead_lettered' "
                    "END, outcome_at = now() WHERE migration_id = %s", (str(migration_id),))
        cur.execute("UPDATE migrations SET published = 2, publish_cursor = 3, applied = 1, dead_lettered = 1, "
                    "completed_at = CASE WHEN %s THEN now() END WHERE id = %s", (finished, str(migration_id)))
    pg.commit()
    return migration_id


@pytest.mark.parametrize(("state", "after"), [
    (S.APPLYING, S.APPLYING),
    (S.SUCCEEDED_WITH_ERRORS, S.APPLYING),
], ids=["running-keeps-applying", "succeeded-with-errors-is-reopened"])
def test_a_replay_requeues_the_dead_letter_and_an_ended_migration_reopens_as_applying(
        pg: PgConnection, state: MigrationState, after: MigrationState) -> None:
    migration_id = _dead_lettered_migration(pg, state)

    assert requeue_dead_letters(pg, [(migration_id, 3)]) == 1
    pg.commit()

    row = migration_row(pg, migration_id)
    assert (row["state"], row["completed_at"], row["dead_lettered"]) == (after.value, None, 0)
    assert outcomes_of(pg, migration_id) == {"applied": 1, "pending": 1}
    assert_counters_match_items(pg, migration_id)
    assert requeue_dead_letters(pg, [(migration_id, 3)]) == 0  # twice changes nothing
    pg.rollback()


@pytest.mark.parametrize("state", [S.CANCELLED, S.FAILED], ids=lambda s: f"{s.value}-stays")
def test_a_replay_leaves_a_cancelled_or_failed_migration_and_its_dead_letter_as_they_are(
        pg: PgConnection, state: MigrationState) -> None:
    migration_id = _dead_lettered_migration(pg, state)
    before = migration_row(pg, migration_id)

    assert requeue_dead_letters(pg, [(migration_id, 3)]) == 0
    pg.commit()

    assert migration_row(pg, migration_id) == before
    assert outcomes_of(pg, migration_id) == {"applied": 1, "dead_lettered": 1}
