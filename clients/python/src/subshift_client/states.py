"""Which migration states are final: one definition for the sync and the async client."""

from __future__ import annotations

from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb

__all__ = ["TERMINAL_STATES", "is_terminal"]

TERMINAL_STATES = frozenset(
    {
        pb.MIGRATION_STATE_REJECTED,
        pb.MIGRATION_STATE_SUCCEEDED,
        pb.MIGRATION_STATE_SUCCEEDED_WITH_ERRORS,
        pb.MIGRATION_STATE_CANCELLED,
        pb.MIGRATION_STATE_FAILED,
    }
)


def is_terminal(state: pb.MigrationState.ValueType) -> bool:
    """Whether a migration in ``state`` will change no more."""
    return state in TERMINAL_STATES
