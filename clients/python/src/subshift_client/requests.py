"""The requests both clients send, and their defaults: one place, so sync and async behave the same."""

from __future__ import annotations

import uuid

from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api
from subshift_client.retrying import RetryPolicy

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_STREAM_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "WATCH_RETRY",
    "cancel_request",
    "count_request",
    "create_header",
    "export_request",
    "items_request",
    "migrations_request",
    "revert_request",
]

DEFAULT_TIMEOUT = 30.0  # a unary call, retries included; also how long a watch waits for a snapshot
DEFAULT_STREAM_TIMEOUT = 600.0  # an upload or an export of a few million rows, retries included
# A watch reconnects patiently; how long it waits in all is its idle timeout.
WATCH_RETRY = RetryPolicy(attempts=20, initial_backoff=0.5, max_backoff=10.0)
CHUNK_BYTES = 256 * 1024  # far below the 4 MiB message limit, large enough to keep the stream busy


def create_header(
    request_id: str | None, description: str, dry_run: bool, max_rejected_rows: int | None, max_rows_per_second: int
) -> api.MigrationHeader:
    header = api.MigrationHeader(
        request_id=request_id or str(uuid.uuid4()),
        description=description,
        validate_only=dry_run,
        max_rows_per_second=max_rows_per_second,
    )
    if max_rejected_rows is not None:
        header.max_rejected_rows = max_rejected_rows
    return header


def migrations_request(
    state: pb.MigrationState.ValueType | None, page_size: int, token: str
) -> api.ListMigrationsRequest:
    return api.ListMigrationsRequest(
        page_size=page_size, page_token=token, state=state or pb.MIGRATION_STATE_UNSPECIFIED
    )


def items_request(
    migration_id: str, outcome: pb.ItemOutcome.ValueType | None, page_size: int, token: str
) -> api.ListMigrationItemsRequest:
    return api.ListMigrationItemsRequest(
        migration_id=migration_id, page_size=page_size, page_token=token,
        outcome=outcome or pb.ITEM_OUTCOME_UNSPECIFIED,
    )


def count_request(migration_id: str, outcome: pb.ItemOutcome.ValueType | None) -> api.ListMigrationItemsRequest:
    return api.ListMigrationItemsRequest(
        migration_id=migration_id, page_size=1, outcome=outcome or pb.ITEM_OUTCOME_UNSPECIFIED
    )


def export_request(migration_id: str, outcome: pb.ItemOutcome.ValueType | None) -> api.ExportMigrationResultsRequest:
    return api.ExportMigrationResultsRequest(migration_id=migration_id, outcome=outcome or pb.ITEM_OUTCOME_UNSPECIFIED)


def cancel_request(migration_id: str, reason: str) -> api.CancelMigrationRequest:
    return api.CancelMigrationRequest(migration_id=migration_id, reason=reason)


def revert_request(migration_id: str, request_id: str, description: str) -> api.RevertMigrationRequest:
    return api.RevertMigrationRequest(migration_id=migration_id, request_id=request_id, description=description)
