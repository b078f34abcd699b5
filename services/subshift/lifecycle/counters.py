"""The counter arithmetic of a migration, in Python and as the SQL that keeps it.

A migration's counters are bumped in the transactions that give its items their outcomes, so they
always equal a recount of the items and reading a migration never scans them:

- ``staged`` items each end with one outcome counted in ``OUTCOME_COLUMNS``; pending is
  ``staged`` minus their sum (``pending``), and a migration is finished once that reaches zero;
- ``ERROR_OUTCOMES`` make a finished migration SUCCEEDED_WITH_ERRORS, else it is SUCCEEDED
  (``finished_state``);
- ``published`` counts events the broker acknowledged, at most ``staged``.
"""

from __future__ import annotations

from collections.abc import Mapping

from subshift.db.models import COUNTER_COLUMNS, ItemOutcome, MigrationState

__all__ = [
    "ERROR_OUTCOMES",
    "OUTCOME_COLUMNS",
    "errors_sql",
    "finished_state",
    "finished_state_sql",
    "pending",
    "recorded_sql",
]

_O = ItemOutcome
# Every outcome an item can end with after staging, and the column that counts it.
OUTCOME_COLUMNS: dict[ItemOutcome, str] = {
    o: COUNTER_COLUMNS[o] for o in (_O.APPLIED, _O.SKIPPED, _O.CONFLICT, _O.NOT_FOUND, _O.CANCELLED, _O.DEAD_LETTERED)
}
ERROR_OUTCOMES: tuple[ItemOutcome, ...] = (_O.CONFLICT, _O.NOT_FOUND, _O.DEAD_LETTERED)


def pending(staged: int, outcomes: Mapping[ItemOutcome, int]) -> int:
    """Items still waiting for an outcome."""
    return staged - sum(outcomes.get(o, 0) for o in OUTCOME_COLUMNS)


def finished_state(outcomes: Mapping[ItemOutcome, int]) -> MigrationState:
    """The state a migration ends in once no item waits."""
    errors = sum(outcomes.get(o, 0) for o in ERROR_OUTCOMES)
    return MigrationState.SUCCEEDED_WITH_ERRORS if errors > 0 else MigrationState.SUCCEEDED


def recorded_sql(alias: str) -> str:
    """SQL: how many of ``alias``'s items have an outcome (``pending`` is ``staged`` minus this)."""
    return " + ".join(f"{alias}.{column}" for column in OUTCOME_COLUMNS.values())


def errors_sql(alias: str) -> str:
    """SQL: how many of ``alias``'s items ended in an error outcome."""
    return " + ".join(f"{alias}.{COUNTER_COLUMNS[o]}" for o in ERROR_OUTCOMES)


def finished_state_sql(alias: str) -> str:
    """SQL: ``finished_state`` of ``alias``'s counters."""
    return (f"CASE WHEN {errors_sql(alias)} > 0 THEN '{MigrationState.SUCCEEDED_WITH_ERRORS.value}' "
            f"ELSE '{MigrationState.SUCCEEDED.value}' END")
