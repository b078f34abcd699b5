"""Errors of the ``MigrationService`` API as typed exceptions.

Every failed call becomes an :class:`ApiError` subclass chosen by its gRPC status code. Bad
uploads (``INVALID_ARGUMENT``) carry the row-level details the server attached as
``google.rpc.BadRequest`` field violations (and, when present, the full ``ValidationReport``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import grpc
from google.rpc import error_details_pb2  # type: ignore[import-untyped]  # ships no stubs
from grpc_status import rpc_status

from subshift_client._generated.subshift.migration.v1 import migration_pb2
from subshift_client.errors import ClientError

__all__ = [
    "AlreadyExistsError",
    "ApiError",
    "FailedPreconditionError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RowViolation",
    "UnauthenticatedError",
    "UnavailableError",
    "api_error_from",
]

# The server names a field "rows[12].target_offer", "rows[12]", "file" or "file.user_id" (the whole file);
# "row 12" and "row 12.column" are read too.
_FIELD = re.compile(
    r"^(?:rows?(?:\[(?P<bracket>\d+)\]|\s*(?P<plain>\d+))|file)(?:[.\s:/]+(?P<column>[\w-]+))?$"
)


@dataclass(frozen=True, slots=True)
class RowViolation:
    """One broken rule in one CSV row: ``row`` is 1-based with the header as row 1; 0 is the whole file."""

    row: int
    column: str
    rule: str
    message: str


class ApiError(ClientError):
    """A call to the Subshift API failed; ``code`` is the gRPC status code, ``details`` the server's sentence."""

    def __init__(
        self,
        details: str,
        *,
        code: grpc.StatusCode,
        violations: tuple[RowViolation, ...] = (),
        violations_total: int = 0,
        report: migration_pb2.ValidationReport | None = None,
    ) -> None:
        super().__init__(details)
        self.code = code
        self.details = details
        self.violations = violations
        self.violations_total = max(violations_total, len(violations))
        self.report = report

    @property
    def retryable(self) -> bool:
        """Whether the same call may succeed later without changing it."""
        return self.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED)


class InvalidArgumentError(ApiError):
    """The request (often the uploaded CSV) broke a rule; ``violations`` name rows and columns."""


class NotFoundError(ApiError):
    """The migration (or other named resource) does not exist."""


class AlreadyExistsError(ApiError):
    """The request id was used before for different content."""


class FailedPreconditionError(ApiError):
    """The migration's state does not allow the call (e.g. cancelling a finished migration)."""


class UnauthenticatedError(ApiError):
    """No token, or the token is invalid or expired."""


class PermissionDeniedError(ApiError):
    """The token's role may not call this method."""


class UnavailableError(ApiError):
    """The server could not be reached (after the client's retries)."""


_BY_CODE: dict[grpc.StatusCode, type[ApiError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
}


def _violation(field: error_details_pb2.BadRequest.FieldViolation) -> RowViolation:
    match = _FIELD.match(field.field.strip())
    row, column = 0, field.field
    if match:
        row = int(match.group("bracket") or match.group("plain") or 0)
        column = match.group("column") or ""
    # Rule ids are lower case in the contract (RowViolation.rule); BadRequest reasons are upper case.
    return RowViolation(row=row, column=column, rule=field.reason.lower(), message=field.description)


def _from_report(report: migration_pb2.ValidationReport) -> tuple[RowViolation, ...]:
    return tuple(RowViolation(v.row, v.column, v.rule, v.message) for v in report.violations)


def api_error_from(error: grpc.RpcError) -> ApiError:
    """The typed exception for a failed call, with any row violations the server attached."""
    call = error if isinstance(error, grpc.Call) else None
    code = call.code() if call is not None else grpc.StatusCode.UNKNOWN
    details = (call.details() if call is not None else None) or str(code)
    violations: tuple[RowViolation, ...] = ()
    report: migration_pb2.ValidationReport | None = None
    status = rpc_status.from_call(call) if call is not None else None
    details_any: list[Any] = list(status.details) if status is not None else []
    for detail in details_any:
        if detail.Is(migration_pb2.ValidationReport.DESCRIPTOR):
            report = migration_pb2.ValidationReport()
            detail.Unpack(report)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR) and not violations:
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations = tuple(_violation(field) for field in bad_request.field_violations)
    if report is not None:
        violations = _from_report(report) or violations
    total = report.violations_total if report is not None else len(violations)
    kind = _BY_CODE.get(code, ApiError)
    return kind(details, code=code, violations=violations, violations_total=total, report=report)
