"""CreateMigration in the domain: idempotency, then one transaction that stages the upload.

1. A known ``request_id`` replays: the bytes are hashed (not parsed) and must match the
   content stored with it, else ``IdempotencyConflict``.
2. A dry run checks the rows inside a transaction that is rolled back: nothing is staged.
3. Otherwise one transaction inserts the migration (the unique ``request_id`` serialises
   concurrent uploads of one key), stages every row (``staging``), and either commits it as
   PENDING or rolls everything back when more rows were rejected than tolerated; the refused
   attempt is then recorded as a REJECTED migration without its request id.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import psycopg2.errors
from sqlalchemy import Engine

from subshift.api.csv_reader import CsvLimits, open_csv
from subshift.api.db import raw_transaction
from subshift.api.errors import IdempotencyConflict, UploadRejected
from subshift.api.queries import find_by_request_id, get_migration
from subshift.api.staging import StageCounts, load_catalog, stage_dry_run, stage_items
from subshift.api.statistics import refresh_item_statistics
from subshift.api.validation import OfferMove, RowChecker, ValidationReport, ViolationLog
from subshift.config import IngestSettings
from subshift.db.models import Migration, MigrationState
from subshift.errors import DataError
from subshift.lifecycle import Actor, NewMigration, insert_rejected, insert_validating, mark_staged
from subshift.observability.tracing import SpanKind, current_traceparent, get_tracer

__all__ = ["CreateResult", "UploadHeader", "create_migration"]

_tracer = get_tracer(__name__)


@dataclass(frozen=True, slots=True)
class UploadHeader:
    """How to treat one upload (the first message of the stream)."""

    request_id: str = ""
    description: str = ""
    validate_only: bool = False
    max_rejected_rows: int | None = None
    max_rows_per_second: int = 0


@dataclass(frozen=True, slots=True)
class CreateResult:
    """The migration (unsaved for a dry run), what validation found, and whether it was replayed."""

    migration: Migration
    report: ValidationReport
    replayed: bool = False


class _Hashed:
    """Passes chunks through while hashing them, so the content hash costs no second pass."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._sha = hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self._sha.update(chunk)
            yield chunk

    def hexdigest(self) -> str:
        """The hash of everything, reading whatever the parser left unread."""
        for _ in self:
            pass
        return self._sha.hexdigest()


def create_migration(engine: Engine, settings: IngestSettings, header: UploadHeader, chunks: Iterable[bytes], *,
                     created_by: str, confirm_open: Callable[[], None]) -> CreateResult:
    """Validate an upload and stage it (or, for a dry run, only report).

    ``confirm_open`` raises if the caller has gone. It runs after the last chunk, just before anything
    is committed: a stream cut off by a deadline or a reset can end like a complete one, and only the
    call's state tells the two apart.

    Raises:
        DataError: the file cannot be read (bad header, encoding, quoting, a limit).
        UploadRejected: more rows broke rules than ``max_rejected_rows`` tolerates.
        IdempotencyConflict: ``request_id`` was used for different content.
        InfrastructureError: the database failed.
    """
    hashed = _Hashed(chunks)
    if header.request_id and not header.validate_only:
        existing = find_by_request_id(engine, header.request_id)
        if existing is not None:
            return _replay(existing, hashed, header.request_id)
    limits = CsvLimits(settings.max_rows, settings.max_line_chars, settings.max_field_chars,
                       max_upload_bytes=settings.max_upload_bytes)
    log = ViolationLog(settings.max_reported_violations)
    if header.validate_only:
        return _dry_run(engine, settings, header, hashed, limits, log, created_by)
    migration_id = uuid.uuid4()
    # The migration's trace starts here; its traceparent rides with every item to the relay and consumer.
    with _tracer.start_as_current_span("CreateMigration", kind=SpanKind.SERVER,
                                       attributes={"subshift.migration_id": str(migration_id)}):
        return _stage(engine, settings, header, hashed, limits, log, migration_id, created_by, confirm_open)


def _stage(engine: Engine, settings: IngestSettings, header: UploadHeader, hashed: _Hashed, limits: CsvLimits,
           log: ViolationLog, migration_id: uuid.UUID, created_by: str,
           confirm_open: Callable[[], None]) -> CreateResult:
    trace_parent = current_traceparent()
    with raw_transaction(engine) as connection, connection.cursor() as cursor:
        try:
            insert_validating(cursor, _new(migration_id, header, created_by, request_id=header.request_id or None,
                                           digest="", trace_parent=trace_parent), actor=Actor.UPLOAD)
        except psycopg2.errors.UniqueViolation:
            connection.rollback()
            existing = find_by_request_id(engine, header.request_id)
            if existing is None:  # the other upload of this key was refused meanwhile; ask for a retry
                raise IdempotencyConflict(f"request_id {header.request_id!r} was in use; retry the upload") from None
            return _replay(existing, hashed, header.request_id)
        catalog = load_catalog(cursor)
        records = open_csv(hashed, limits)
        checker = RowChecker(records.header, catalog, settings.user_id_pattern)
        counts = stage_items(cursor, migration_id=migration_id, records=records, checker=checker, log=log,
                             trace_parent=trace_parent, max_spool_bytes=settings.max_rejected_spool_bytes)
        digest = hashed.hexdigest()
        refusal = _refusal(counts, header)
        if refusal is None:
            mark_staged(cursor, migration_id, actor=Actor.UPLOAD, received=counts.received, rejected=counts.rejected,
                        staged=counts.staged, content_sha256=digest)
            refresh_item_statistics(cursor, migration_id, counts.staged)
            confirm_open()  # last, so that the call's end has had every chance to be seen; raising rolls back
        else:
            connection.rollback()  # refused: the migration row and every staged item disappear together
    if refusal is not None:
        confirm_open()
        report = _report(counts, log)
        rejected_id = _record_rejected(engine, header, counts, digest, refusal, created_by)
        raise UploadRejected(f"{refusal} (migration {rejected_id})", report=report, migration_id=str(rejected_id))
    return CreateResult(get_migration(engine, migration_id), _report(counts, log))


def _refusal(counts: StageCounts, header: UploadHeader) -> str | None:
    if counts.received == 0:
        raise DataError("the file has a header but no data rows", row=0, rule="no_rows")
    tolerated = header.max_rejected_rows or 0
    if counts.rejected > tolerated:
        return (f"{counts.rejected} of {counts.received} rows broke a rule and at most {tolerated} may; "
                "nothing was staged")
    if counts.staged == 0:
        return "no row passed validation; nothing was staged"
    return None


def _report(counts: StageCounts, log: ViolationLog, populations: dict[str, int] | None = None,
            moves: list[OfferMove] | None = None) -> ValidationReport:
    return ValidationReport(rows_valid=counts.staged, rows_rejected=counts.rejected, violations=log.first,
                            violations_total=log.total, current_offer_population=populations or {},
                            moves=moves or [])


def _replay(existing: Migration, hashed: _Hashed, request_id: str) -> CreateResult:
    digest = hashed.hexdigest()
    if digest != existing.content_sha256:
        raise IdempotencyConflict(
            f"request_id {request_id!r} was already used for migration {existing.id} with other content "
            f"(sha256 {existing.content_sha256[:12]}…, this upload {digest[:12]}…); use a new request_id "
            "for new content"
        )
    report = ValidationReport(rows_valid=existing.staged, rows_rejected=existing.rows_rejected)
    return CreateResult(existing, report, replayed=True)


def _new(migration_id: uuid.UUID, header: UploadHeader, created_by: str, *, request_id: str | None, digest: str,
         trace_parent: str | None = None) -> NewMigration:
    return NewMigration(id=migration_id, request_id=request_id, content_sha256=digest, description=header.description,
                        created_by=created_by, trace_parent=trace_parent,
                        max_rows_per_second=header.max_rows_per_second, max_rejected_rows=header.max_rejected_rows)


def _record_rejected(engine: Engine, header: UploadHeader, counts: StageCounts, digest: str, reason: str,
                     created_by: str) -> uuid.UUID:
    migration_id = uuid.uuid4()
    with raw_transaction(engine) as connection, connection.cursor() as cursor:
        insert_rejected(cursor, _new(migration_id, header, created_by, request_id=None, digest=digest), reason=reason,
                        received=counts.received, rejected=counts.rejected)
    return migration_id


def _dry_run(engine: Engine, settings: IngestSettings, header: UploadHeader, hashed: _Hashed, limits: CsvLimits,
             log: ViolationLog, created_by: str) -> CreateResult:
    # A dry run stages nothing by construction: its transaction is always rolled back.
    with raw_transaction(engine, commit=False) as connection, connection.cursor() as cursor:
        catalog = load_catalog(cursor)
        records = open_csv(hashed, limits)
        checker = RowChecker(records.header, catalog, settings.user_id_pattern)
        counts, populations, moves = stage_dry_run(cursor, records=records, checker=checker, log=log)
    refusal = _refusal(counts, header)
    migration = Migration(
        request_id=header.request_id or None, content_sha256=hashed.hexdigest(), description=header.description,
        state=(MigrationState.REJECTED if refusal else MigrationState.PENDING).value, state_reason=refusal or "",
        created_by=created_by, max_rows_per_second=header.max_rows_per_second, rows_received=counts.received,
        rows_rejected=counts.rejected, staged=0,
    )
    return CreateResult(migration, _report(counts, log, populations, moves))
