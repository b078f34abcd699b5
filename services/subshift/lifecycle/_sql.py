"""Helpers that splice enum values into SQL text (never input: the values are this package's constants)."""

from __future__ import annotations

from collections.abc import Iterable

from subshift.db.models import MigrationState

__all__ = ["states_in"]


def states_in(column: str, states: Iterable[MigrationState]) -> str:
    """SQL: ``column`` is one of ``states`` (FALSE when there are none)."""
    listed = ", ".join(f"'{s.value}'" for s in states)
    return f"{column} IN ({listed})" if listed else "FALSE"
