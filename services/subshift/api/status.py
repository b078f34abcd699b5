"""Subshift errors → gRPC status codes and ``google.rpc.Status`` with typed details.

The one table of the mapping. Rich details travel in trailers (about 8 KiB in all), so row
violations are added only while they fit a byte budget; the message always gives the total.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2  # type: ignore[import-untyped]  # no stubs ship

from subshift.api.errors import SHUTTING_DOWN, WATCH_ENDED, IdempotencyConflict, StateConflict, UploadRejected
from subshift.api.validation import RowViolation
from subshift.errors import ContractError, DataError, InfrastructureError, NotFoundError, SubshiftError
from subshift_client import migration_v1 as pb

__all__ = ["DETAILS_BUDGET_BYTES", "code_for", "status_for"]

DETAILS_BUDGET_BYTES = 4096  # serialised; base64 in the trailer makes it ~5.5 KiB, under the 8 KiB default


def code_for(error: SubshiftError) -> grpc.StatusCode:
    """The status code an error kind maps to."""
    if isinstance(error, DataError):
        return grpc.StatusCode.INVALID_ARGUMENT
    if isinstance(error, NotFoundError):
        return grpc.StatusCode.NOT_FOUND
    if isinstance(error, IdempotencyConflict):
        return grpc.StatusCode.ALREADY_EXISTS
    if isinstance(error, StateConflict):
        return grpc.StatusCode.FAILED_PRECONDITION
    if isinstance(error, InfrastructureError):
        return grpc.StatusCode.UNAVAILABLE if error.retryable else grpc.StatusCode.INTERNAL
    if isinstance(error, ContractError):
        return grpc.StatusCode.INTERNAL
    return grpc.StatusCode.FAILED_PRECONDITION  # other conflicts


def _field(row: int, column: str) -> str:
    where = f"rows[{row}]" if row else "file"
    return f"{where}.{column}" if column else where


def _bad_request(violations: list[RowViolation], limit: int) -> tuple[error_details_pb2.BadRequest, int]:
    request = error_details_pb2.BadRequest()
    for violation in violations[:limit]:
        entry = error_details_pb2.BadRequest.FieldViolation(
            field=_field(violation.row, violation.column), description=violation.message,
            reason=violation.rule.upper(),
        )
        if request.ByteSize() + entry.ByteSize() + 4 > DETAILS_BUDGET_BYTES:
            break
        request.field_violations.append(entry)
    return request, len(request.field_violations)


def status_for(error: SubshiftError, *, max_violations: int = 100) -> status_pb2.Status:
    """The ``google.rpc.Status`` for ``error``; internal errors get a message that reveals nothing."""
    code = code_for(error)
    message = str(error)
    details: list[any_pb2.Any] = []
    if isinstance(error, UploadRejected):
        report = error.report
        request, shown = _bad_request(report.violations, max_violations)
        message = (f"{message}; {report.violations_total} violations in {report.rows_rejected} rows, "
                   f"the first {shown} are in the details")
        details.append(_pack(request))
        # The totals as a typed report; its rows are the BadRequest above (sent once, to fit the trailer).
        details.append(_pack(pb.ValidationReport(rows_valid=report.rows_valid, rows_rejected=report.rows_rejected,
                                                 violations_total=report.violations_total)))
    elif isinstance(error, DataError):
        # Row errors name the CSV row; others name the request field (page_token, header, ...).
        field = _field(error.row, error.column or "") if error.row is not None else (error.column or "request")
        details.append(_pack(error_details_pb2.BadRequest(field_violations=[error_details_pb2.BadRequest.FieldViolation(
            field=field, description=message, reason=(error.rule or "invalid").upper())])))
    elif code == grpc.StatusCode.INTERNAL:
        message = "internal error; the server log has the details"
    elif code == grpc.StatusCode.UNAVAILABLE:
        if not (isinstance(error, InfrastructureError) and error.code in (SHUTTING_DOWN, WATCH_ENDED)):
            message = "a backing service is unavailable; retry shortly (the server log has the details)"
        details.append(_pack(error_details_pb2.RetryInfo(retry_delay={"seconds": 1})))
    return status_pb2.Status(code=getattr(code_pb2, code.name), message=message, details=details)


def _pack(message: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed
