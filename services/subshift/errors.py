"""The error root and its three kinds.

- ``ContractError``: a contract or configuration problem; fails at start-up.
- ``DataError``: bad input; carries the row, column and rule at fault.
- ``InfrastructureError``: Kafka, the registry or the database misbehaved; keeps the
  underlying code and says whether retrying can help.

Only the gRPC servicer and the command line turn these into status codes or exit codes;
domain code never imports grpc.
"""

from __future__ import annotations

# The root and the three kinds live in subshift-contracts-core, which the contract gate shares and which
# installs without the service; one set of classes means `except ContractError` catches the gate's errors too.
from subshift_contracts_core.errors import ContractError, DataError, InfrastructureError, SubshiftError

__all__ = [
    "ConflictError",
    "ContractError",
    "DataError",
    "InfrastructureError",
    "NotFoundError",
    "SubshiftError",
]


class NotFoundError(SubshiftError):
    """A named resource (migration, subject, item) does not exist."""


class ConflictError(SubshiftError):
    """The request contradicts the current state (e.g. an idempotency key reused with other content)."""
