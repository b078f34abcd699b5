"""Errors of the ``MigrationService`` API as typed exceptions.

Every failed call becomes an :class:`ApiError` subclass chosen by its gRPC status code. Bad
uploads (``INVALID_ARGUMENT``) carry the row-level details the server attached as
``google.rpc.BadRequest`` field violations (and, when present, the full ``ValidationReport``), as the
contract's one ``RowViolation`` type. A server's push-back (``google.rpc.RetryInfo`` or the
``grpc-retry-pushback-ms`` trailer) is kept as ``retry_delay``.
"""

from __future__ import annotations

import re
from typing import Any

import grpc
import grpc.aio
from google.rpc import error_details_pb2  # type: ignore[import-untyped]  # ships no stubs
from grpc_status import rpc_status

from subshift_client._generated.subshift.migration.v1 import migration_pb2
from subshift_client._generated.subshift.migration.v1.migration_pb2 import RowViolation
from subshift_client.errors import ClientError

__all__ = [
    "AlreadyExistsError",
    "ApiError",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
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
_PUSHBACK_TRAILER = "grpc-retry-pushback-ms"


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
        retry_delay: float | None = None,
    ) -> None:
        super().__init__(details)
        # Kept so the error pickles (keyword-only arguments defeat Exception's default pickling): a worker
        # process can hand it back to its parent.
        self._arguments: dict[str, Any] = {
            "code": code, "violations": violations, "violations_total": violations_total, "report": report,
            "retry_delay": retry_delay,
        }
        self.code = code
        self.details = details
        # One broken rule in one CSV row each: ``row`` is 1-based with the header as row 1; 0 is the whole file.
        self.violations = violations
        self.violations_total = max(violations_total, len(violations))
        self.report = report
        # Seconds the server asked the client to wait before trying again, when it said.
        self.retry_delay = retry_delay

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self.details, self._arguments)

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

    @classmethod
    def not_connected(cls, method: str, addr: str, limit: float) -> UnavailableError:
        """The error for ``method`` when ``addr`` accepted no connection within ``limit`` seconds."""
        return cls(f"{method} could not connect to {addr} within {limit:g} s; is the API running there?",
                   code=grpc.StatusCode.UNAVAILABLE)


class ResourceExhaustedError(ApiError):
    """The server is at its limit (after the client's retries); ``retry_delay`` is its push-back, if any."""


class DeadlineExceededError(ApiError):
    """The call did not finish within its deadline; ``method`` and ``limit`` (seconds) say which and how long."""

    def __init__(self, details: str, *, method: str = "", limit: float | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("code", grpc.StatusCode.DEADLINE_EXCEEDED)
        super().__init__(details, **kwargs)
        self._arguments.update(method=method, limit=limit)
        self.method = method
        self.limit = limit

    @classmethod
    def of(cls, method: str, limit: float, what: str = "finish") -> DeadlineExceededError:
        """The error for ``method`` that did not ``what`` within ``limit`` seconds."""
        sentence = (f"{method} did not {what} within its deadline of {limit:g} s (retries included); "
                    f"pass a larger timeout= if the server is known to be slow")
        return cls(sentence, method=method, limit=limit)


def _rebuild(kind: type[ApiError], details: str, arguments: dict[str, Any]) -> ApiError:
    return kind(details, **arguments)


_BY_CODE: dict[grpc.StatusCode, type[ApiError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
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
    return tuple(report.violations)


def _pushback(call: Any) -> float | None:
    for key, value in call.trailing_metadata() or ():
        if key == _PUSHBACK_TRAILER:
            try:
                return max(0.0, int(value) / 1000)
            except (TypeError, ValueError):
                return None
    return None


def api_error_from(error: grpc.RpcError, *, method: str = "", timeout: float | None = None) -> ApiError:
    """The typed exception for a failed call of ``method``, with any row violations the server attached.

    ``timeout`` is the call's deadline, named by a ``DeadlineExceededError``.
    """
    # An asyncio call's error is no ``grpc.Call`` but answers the same questions, synchronously.
    call: Any = error if isinstance(error, grpc.Call | grpc.aio.AioRpcError) else None
    code = call.code() if call is not None else grpc.StatusCode.UNKNOWN
    if code == grpc.StatusCode.DEADLINE_EXCEEDED and timeout is not None:
        return DeadlineExceededError.of(method or "the call", timeout)
    details = (call.details() if call is not None else None) or str(code)
    violations: tuple[RowViolation, ...] = ()
    report: migration_pb2.ValidationReport | None = None
    retry_delay = _pushback(call) if call is not None else None
    status = rpc_status.from_call(call) if call is not None else None
    details_any: list[Any] = list(status.details) if status is not None else []
    for detail in details_any:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            retry_delay = info.retry_delay.seconds + info.retry_delay.nanos / 1e9
        elif detail.Is(migration_pb2.ValidationReport.DESCRIPTOR):
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
    if kind is DeadlineExceededError or code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return DeadlineExceededError(f"{method or 'the call'}: {details}", method=method, limit=timeout)
    return kind(details, code=code, violations=violations, violations_total=total, report=report,
                retry_delay=retry_delay)
