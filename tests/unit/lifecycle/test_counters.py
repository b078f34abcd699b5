"""The counter arithmetic: pending items and the state a finished migration ends in."""

from __future__ import annotations

import pytest

from subshift.db.models import ItemOutcome, MigrationState
from subshift.lifecycle import OUTCOME_COLUMNS, finished_state, pending
from subshift.lifecycle.counters import errors_sql, finished_state_sql, recorded_sql

Out = ItemOutcome


def test_pending_is_staged_minus_every_outcome_after_staging() -> None:
    outcomes = {Out.APPLIED: 3, Out.SKIPPED: 1, Out.CONFLICT: 1, Out.NOT_FOUND: 1, Out.CANCELLED: 2,
                Out.DEAD_LETTERED: 1}
    assert pending(10, outcomes) == 1


def test_rejected_rows_are_not_counted_against_staged_items() -> None:
    assert Out.REJECTED not in OUTCOME_COLUMNS
    assert pending(4, {Out.REJECTED: 7, Out.APPLIED: 4}) == 0


@pytest.mark.parametrize(("outcomes", "state"), [
    ({Out.APPLIED: 5}, MigrationState.SUCCEEDED),
    ({Out.APPLIED: 2, Out.SKIPPED: 3}, MigrationState.SUCCEEDED),
    ({Out.APPLIED: 4, Out.CONFLICT: 1}, MigrationState.SUCCEEDED_WITH_ERRORS),
    ({Out.NOT_FOUND: 1}, MigrationState.SUCCEEDED_WITH_ERRORS),
    ({Out.APPLIED: 4, Out.DEAD_LETTERED: 1}, MigrationState.SUCCEEDED_WITH_ERRORS),
], ids=["applied", "applied-and-skipped", "a-conflict", "not-found", "dead-lettered"])
def test_a_finished_migration_has_errors_only_for_conflicts_not_found_or_dead_letters(
        outcomes: dict[ItemOutcome, int], state: MigrationState) -> None:
    assert finished_state(outcomes) == state


def test_the_sql_counts_the_same_columns_as_the_python() -> None:
    assert recorded_sql("m") == "m.applied + m.skipped + m.conflicts + m.not_found + m.cancelled + m.dead_lettered"
    assert errors_sql("m") == "m.conflicts + m.not_found + m.dead_lettered"
    assert finished_state_sql("m") == (f"CASE WHEN {errors_sql('m')} > 0 THEN 'succeeded_with_errors' "
                                       "ELSE 'succeeded' END")
