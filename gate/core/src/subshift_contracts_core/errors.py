"""The error root and its three kinds, shared by the gate and the product (``subshift.errors`` re-exports them).

- ``ContractError``: a contract or configuration problem; fails at start-up.
- ``DataError``: bad input; carries the row, column and rule at fault.
- ``InfrastructureError``: Kafka, the registry or the database misbehaved; keeps the
  underlying code and says whether retrying can help.

Only a command line (``subshift``, ``subshift-contracts``) or the gRPC servicer turns these into
exit codes or status codes.
"""

from __future__ import annotations

__all__ = [
    "ContractError",
    "DataError",
    "InfrastructureError",
    "SubshiftError",
    "exit_code_for",
]


class SubshiftError(Exception):
    """Root of every error Subshift raises on purpose."""


class ContractError(SubshiftError):
    """A contract, manifest or configuration that cannot be used as it is."""


class DataError(SubshiftError):
    """Input that breaks a rule; ``row`` and ``column`` point at the fault when known."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None,
                 rule: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column
        self.rule = rule


class InfrastructureError(SubshiftError):
    """A dependency (Kafka, registry, PostgreSQL, a local tool) failed.

    ``retryable`` says whether the same call may succeed later; ``code`` keeps the
    dependency's own error code when it has one.
    """

    def __init__(self, message: str, *, retryable: bool, code: str | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code


# The documented exit codes of both command lines (gate/README.md, "Exit codes"); 1 is kept for findings.
_EXIT_CODES: dict[type[SubshiftError], int] = {
    DataError: 2,
    ContractError: 2,
    InfrastructureError: 3,
}


def exit_code_for(error: SubshiftError) -> int:
    """The exit code a command line gives for an expected failure of this kind."""
    for kind, code in _EXIT_CODES.items():
        if isinstance(error, kind):
            return code
    return 1
