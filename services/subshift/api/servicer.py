"""MigrationService: the only place where gRPC meets the domain.

Each method turns its request into domain arguments, calls one domain function, and turns the
result into a response; ``SubshiftError`` kinds become status codes through ``status.status_for``.
Mutating methods (create, cancel, revert) write an audit record with their outcome, success or not.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import grpc
from grpc_status import rpc_status
from sqlalchemy import Engine

from subshift.api import convert
from subshift.api.audit import record_audit
from subshift.api.auth import CURRENT_CALLER
from subshift.api.create import UploadHeader, create_migration
from subshift.api.db import ThreadConnections
from subshift.api.errors import UploadRejected
from subshift.api.export import export_results
from subshift.api.lifecycle import cancel_migration, revert_migration
from subshift.api.metrics import ApiMetrics
from subshift.api.migration_cache import MigrationCache
from subshift.api.queries import get_migration, list_items, list_migrations, parse_migration_id
from subshift.api.request_deadline import confirm_open
from subshift.api.status import code_for, status_for
from subshift.api.watch import watch_migration
from subshift.config import Settings
from subshift.errors import DataError, SubshiftError
from subshift.observability.logs import get_logger
from subshift_client import migration_v1 as pb

__all__ = ["MigrationServicer"]

_log = get_logger(__name__)
_MAX_TEXT = 1000  # request_id, description and reason lengths


def _abort(context: grpc.ServicerContext, error: SubshiftError, max_violations: int) -> NoReturn:
    if code_for(error) in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE):
        _log.error("call_failed", error=str(error), kind=type(error).__name__)
    context.abort_with_status(rpc_status.to_status(status_for(error, max_violations=max_violations)))
    raise AssertionError("abort_with_status returns only by raising")  # pragma: no cover


def _text(value: str, field: str) -> str:
    if len(value) > _MAX_TEXT:
        raise DataError(f"{field} is longer than {_MAX_TEXT} characters", column=field, rule="too_long")
    return value


class MigrationServicer(pb.MigrationServiceServicer):
    """Serves ``subshift.migration.v1.MigrationService`` from PostgreSQL."""

    def __init__(self, engine: Engine, settings: Settings, *, topic: str, dead_letter_topic: str,
                 stopping: threading.Event, metrics: ApiMetrics | None = None,
                 reads: ThreadConnections | None = None,
                 migrations: MigrationCache[uuid.UUID, pb.Migration] | None = None) -> None:
        self._engine = engine
        self._reads = reads or ThreadConnections(engine)
        # GetMigration's answers (off unless something keeps it current: see ``migration_changes``)
        self._migrations = migrations or MigrationCache(max_age=0)
        self._settings = settings
        self._topic = topic
        self._dead_letter_topic = dead_letter_topic
        self._stopping = stopping
        self._metrics = metrics
        self._max_violations = settings.ingest.max_reported_violations

    @contextmanager
    def _edge(self, context: grpc.ServicerContext, method: str | None = None,
              target: str = "") -> Iterator[dict[str, Any]]:
        """Map errors to statuses; for a mutating ``method`` also write its audit record."""
        audit: dict[str, Any] = {"migration_id": None, "detail": {}}
        outcome = "OK"
        try:
            yield audit
        except SubshiftError as error:
            outcome = code_for(error).name
            audit["detail"]["error"] = str(error)[:500]
            if isinstance(error, UploadRejected) and error.migration_id:
                audit["migration_id"] = uuid.UUID(error.migration_id)
            _abort(context, error, self._max_violations)
        except grpc.RpcError:
            # The client cancelled or went away mid-stream; whatever it started was rolled back.
            outcome = "CANCELLED"
            _log.info("call_cancelled_by_client", method=method)
            raise
        except Exception:
            outcome = "INTERNAL"
            _log.exception("unexpected_error", method=method)
            context.abort(grpc.StatusCode.INTERNAL, "internal error; the server log has the details")
        finally:
            if method is not None:
                migration_id = audit["migration_id"] or _uuid_or_none(target)
                record_audit(self._engine, subject=CURRENT_CALLER.get().subject, method=method,
                             migration_id=migration_id, outcome=outcome, detail=audit["detail"])

    def CreateMigration(self, request_iterator: Iterator[pb.CreateMigrationRequest],
                        context: grpc.ServicerContext) -> pb.CreateMigrationResponse:
        with self._edge(context, "CreateMigration") as audit:
            header = _header(next(request_iterator, None))
            audit["detail"].update(request_id=header.request_id, validate_only=header.validate_only)
            result = create_migration(self._engine, self._settings.ingest, header, _chunks(request_iterator),
                                      created_by=CURRENT_CALLER.get().subject,
                                      confirm_open=lambda: confirm_open(context))
            audit["migration_id"] = result.migration.id
            audit["detail"].update(rows_valid=result.report.rows_valid, rows_rejected=result.report.rows_rejected,
                                   replayed=result.replayed)
            if self._metrics is not None and not result.replayed:
                self._metrics.count_rows(accepted=result.report.rows_valid, rejected=result.report.rows_rejected)
            return pb.CreateMigrationResponse(migration=convert.migration_pb(result.migration),
                                              report=convert.report_pb(result.report))
        raise AssertionError("unreachable")  # pragma: no cover

    def GetMigration(self, request: pb.GetMigrationRequest,
                     context: grpc.ServicerContext) -> pb.GetMigrationResponse:
        with self._edge(context):
            return pb.GetMigrationResponse(
                migration=self._migrations.get(parse_migration_id(request.migration_id), self._read_migration))
        raise AssertionError("unreachable")  # pragma: no cover

    def _read_migration(self, migration_id: uuid.UUID) -> pb.Migration:
        return convert.migration_pb(get_migration(self._reads, migration_id))

    def ListMigrations(self, request: pb.ListMigrationsRequest,
                       context: grpc.ServicerContext) -> pb.ListMigrationsResponse:
        with self._edge(context):
            page = list_migrations(self._engine, size=request.page_size, token=request.page_token,
                                   state=convert.state_from_pb(request.state))
            return pb.ListMigrationsResponse(migrations=[convert.migration_pb(m) for m in page.migrations],
                                             next_page_token=page.next_page_token)
        raise AssertionError("unreachable")  # pragma: no cover

    def CancelMigration(self, request: pb.CancelMigrationRequest,
                        context: grpc.ServicerContext) -> pb.CancelMigrationResponse:
        with self._edge(context, "CancelMigration", request.migration_id) as audit:
            audit["detail"]["reason"] = request.reason[:_MAX_TEXT]
            migration_id = parse_migration_id(request.migration_id)
            migration = cancel_migration(self._engine, migration_id, reason=_text(request.reason, "reason"),
                                         cancelled_by=CURRENT_CALLER.get().subject)
            self._migrations.drop(migration_id)  # a GetMigration after this answer sees the cancel
            return pb.CancelMigrationResponse(migration=convert.migration_pb(migration))
        raise AssertionError("unreachable")  # pragma: no cover

    def WatchMigration(self, request: pb.WatchMigrationRequest,
                       context: grpc.ServicerContext) -> Iterator[pb.WatchMigrationResponse]:
        with self._edge(context):
            snapshots = watch_migration(self._engine, parse_migration_id(request.migration_id),
                                        interval=self._settings.api.watch_interval_seconds,
                                        stopping=self._stopping, active=context.is_active,
                                        lifetime=self._settings.api.watch_max_seconds)
            for migration in snapshots:
                yield pb.WatchMigrationResponse(migration=convert.migration_pb(migration))

    def ListMigrationItems(self, request: pb.ListMigrationItemsRequest,
                           context: grpc.ServicerContext) -> pb.ListMigrationItemsResponse:
        with self._edge(context):
            page = list_items(self._engine, parse_migration_id(request.migration_id), size=request.page_size,
                              token=request.page_token, outcome=convert.outcome_from_pb(request.outcome))
            items = [convert.item_pb(item, topic=self._topic, dead_letter_topic=self._dead_letter_topic)
                     for item in page.items]
            return pb.ListMigrationItemsResponse(items=items, next_page_token=page.next_page_token,
                                                 total_size=page.total_size)
        raise AssertionError("unreachable")  # pragma: no cover

    def ExportMigrationResults(self, request: pb.ExportMigrationResultsRequest,
                               context: grpc.ServicerContext) -> Iterator[pb.ExportMigrationResultsResponse]:
        with self._edge(context):
            chunks = export_results(self._engine, parse_migration_id(request.migration_id),
                                    outcome=convert.outcome_from_pb(request.outcome))
            for chunk in chunks:
                yield pb.ExportMigrationResultsResponse(csv_chunk=chunk)

    def RevertMigration(self, request: pb.RevertMigrationRequest,
                        context: grpc.ServicerContext) -> pb.RevertMigrationResponse:
        with self._edge(context, "RevertMigration", request.migration_id) as audit:
            audit["detail"]["request_id"] = request.request_id[:_MAX_TEXT]
            reverted = parse_migration_id(request.migration_id)
            migration = revert_migration(self._engine, reverted, request_id=_text(request.request_id, "request_id"),
                                         description=_text(request.description, "description"),
                                         created_by=CURRENT_CALLER.get().subject)
            self._migrations.drop(reverted)
            audit["migration_id"] = migration.id
            audit["detail"]["reverts"] = request.migration_id
            return pb.RevertMigrationResponse(migration=convert.migration_pb(migration))
        raise AssertionError("unreachable")  # pragma: no cover


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _header(first: pb.CreateMigrationRequest | None) -> UploadHeader:
    if first is None or first.WhichOneof("part") != "header":
        raise DataError("the first message of CreateMigration must be a header (then CSV chunks)",
                        column="header", rule="missing_header")
    header = first.header
    if header.HasField("max_rejected_rows") and header.max_rejected_rows < 0:
        raise DataError("max_rejected_rows must not be negative", column="max_rejected_rows", rule="negative")
    if header.max_rows_per_second < 0:
        raise DataError("max_rows_per_second must not be negative", column="max_rows_per_second", rule="negative")
    return UploadHeader(
        request_id=_text(header.request_id, "request_id"), description=_text(header.description, "description"),
        validate_only=header.validate_only,
        max_rejected_rows=header.max_rejected_rows if header.HasField("max_rejected_rows") else None,
        max_rows_per_second=header.max_rows_per_second,
    )


def _chunks(messages: Iterator[pb.CreateMigrationRequest]) -> Iterator[bytes]:
    for message in messages:
        if message.WhichOneof("part") != "csv_chunk":
            raise DataError("a second header arrived; send one header, then only CSV chunks",
                            column="header", rule="duplicate_header")
        yield message.csv_chunk
