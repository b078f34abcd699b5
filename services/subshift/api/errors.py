"""The API's own error kinds, each a refinement of one of ``subshift.errors``' kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from subshift.errors import ConflictError, DataError, SubshiftError

if TYPE_CHECKING:
    from subshift.api.validation import ValidationReport

__all__ = [
    "SHUTTING_DOWN",
    "WATCH_ENDED",
    "AuthenticationError",
    "IdempotencyConflict",
    "ItemsPurged",
    "PermissionDeniedError",
    "StateConflict",
    "UploadRejected",
]


# ``InfrastructureError.code`` of a call ended because the server is stopping; its message is safe to show.
SHUTTING_DOWN = "shutting_down"
# ``InfrastructureError.code`` of a watch ended at its maximum lifetime; clients resume it like a shutdown.
WATCH_ENDED = "watch_ended"


class UploadRejected(DataError):
    """An upload broke more row rules than it tolerates; nothing was staged.

    ``report`` holds the first violations and the totals; ``migration_id`` names the REJECTED
    migration recorded for the attempt (its request id stays free for a corrected upload).
    """

    def __init__(self, message: str, *, report: ValidationReport, migration_id: str | None) -> None:
        super().__init__(message, rule="too_many_rejected_rows")
        self.report = report
        self.migration_id = migration_id


class IdempotencyConflict(ConflictError):
    """A request id was used before for different content."""


class StateConflict(ConflictError):
    """The migration's state does not allow the call (e.g. cancelling a finished migration)."""


class ItemsPurged(StateConflict):
    """The migration's items were purged after its retention; its counts remain on the migration."""


class AuthenticationError(SubshiftError):
    """The caller's credentials are missing or invalid; the message is for server logs only."""


class PermissionDeniedError(SubshiftError):
    """The caller is known but lacks the role the method needs."""
