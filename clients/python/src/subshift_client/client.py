"""``SubshiftClient``: the typed, retrying client of ``MigrationService`` for other teams.

Example::

    from subshift_client import SubshiftClient

    with SubshiftClient() as client:  # SUBSHIFT_API_ADDR and SUBSHIFT_TOKEN from the environment
        created = client.create_migration("moves.csv", description="spring repricing", max_rejected_rows=10)
        final = client.wait(created.migration.migration_id)
        print(final.counts.applied, "users moved")

Every call carries ``authorization: Bearer <token>``. Calls that fail with ``UNAVAILABLE`` are
retried with exponential backoff; for uploads this is safe because every attempt sends the
same ``request_id`` and the server returns the migration it already created. Failures are
raised as :mod:`subshift_client.api_errors` exceptions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

import grpc

from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api
from subshift_client._generated.subshift.migration.v1.migration_service_pb2_grpc import MigrationServiceStub
from subshift_client.api_errors import ApiError, api_error_from
from subshift_client.channel import ChannelOptions, open_channel
from subshift_client.retrying import RetryPolicy
from subshift_client.streams import export_to, watch_until_terminal
from subshift_client.upload_source import UploadProgress, UploadSource, prepare_source

__all__ = ["TERMINAL_STATES", "WATCH_RETRY", "SubshiftClient", "is_terminal"]

TERMINAL_STATES = frozenset(
    {
        pb.MIGRATION_STATE_REJECTED,
        pb.MIGRATION_STATE_SUCCEEDED,
        pb.MIGRATION_STATE_SUCCEEDED_WITH_ERRORS,
        pb.MIGRATION_STATE_CANCELLED,
        pb.MIGRATION_STATE_FAILED,
    }
)
# A watch is long-lived: it rides out a restart of the server or its database (about two minutes).
WATCH_RETRY = RetryPolicy(attempts=20, initial_backoff=0.5, max_backoff=10.0)
_CHUNK_BYTES = 256 * 1024  # far below the 4 MiB message limit, large enough to keep the stream busy
_T = TypeVar("_T")


def is_terminal(state: pb.MigrationState.ValueType) -> bool:
    """Whether a migration in ``state`` will change no more."""
    return state in TERMINAL_STATES


class SubshiftClient:
    """A connection to Subshift's ``MigrationService``; use it as a context manager or call ``close()``."""

    def __init__(
        self,
        addr: str | None = None,
        *,
        token: str | None = None,
        tls: bool | None = None,
        root_certificates: Path | bytes | None = None,
        tls_server_name: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Connect lazily to ``addr`` (default ``SUBSHIFT_API_ADDR`` or ``127.0.0.1:50051``).

        ``token`` defaults to ``SUBSHIFT_TOKEN``. TLS is used when ``tls`` is true, when
        ``root_certificates`` is given, or when ``SUBSHIFT_API_TLS_CA``/``SUBSHIFT_API_TLS``
        say so; ``timeout`` bounds each unary call in seconds.
        """
        options = ChannelOptions.resolve(
            addr=addr, token=token, tls=tls, root_certificates=root_certificates, tls_server_name=tls_server_name
        )
        self.addr = options.addr
        self._channel = open_channel(options)
        self._stub = MigrationServiceStub(self._channel)
        self._metadata = options.metadata()
        self._timeout = timeout
        self._retry = retry or RetryPolicy()

    def __enter__(self) -> SubshiftClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._channel.close()

    def _unary(self, method: Callable[..., _T], request: object) -> _T:
        return self._call(lambda: method(request, metadata=self._metadata, timeout=self._timeout))

    def _call(self, invoke: Callable[[], _T]) -> _T:
        delays = self._retry.delays()
        while True:
            try:
                return invoke()
            except grpc.RpcError as error:
                failure = api_error_from(error)
                delay = next(delays, None) if failure.code == grpc.StatusCode.UNAVAILABLE else None
                if delay is None:
                    raise failure from None
                self._retry.sleep(delay)

    def create_migration(
        self,
        source: UploadSource,
        *,
        request_id: str | None = None,
        description: str = "",
        dry_run: bool = False,
        max_rejected_rows: int | None = None,
        max_rows_per_second: int = 0,
        on_progress: Callable[[UploadProgress], None] | None = None,
        timeout: float | None = None,
    ) -> api.CreateMigrationResponse:
        """Stream a CSV (path, bytes, file object, byte chunks or rows) into a new migration.

        ``request_id`` (a new UUID when omitted) makes the call idempotent: sending it again
        with the same content returns the same migration. ``dry_run`` validates and reports
        without staging. ``max_rejected_rows`` bad rows are tolerated (none when omitted);
        ``max_rows_per_second`` throttles publishing (0: no limit). ``on_progress`` is called
        after every chunk sent.

        Raises:
            InvalidArgumentError: the upload broke rules; ``violations`` name rows and columns.
            AlreadyExistsError: ``request_id`` was used for different content.
            UnavailableError: the server stayed unreachable through every retry.
            ApiError: any other failure (see its ``code``).
        """
        header = api.MigrationHeader(
            request_id=request_id or str(uuid.uuid4()),
            description=description,
            validate_only=dry_run,
            max_rows_per_second=max_rows_per_second,
        )
        if max_rejected_rows is not None:
            header.max_rejected_rows = max_rejected_rows
        prepared = prepare_source(source, _CHUNK_BYTES)
        attempt = 0
        pulled = False

        def requests() -> Iterator[api.CreateMigrationRequest]:
            nonlocal pulled
            sent = rows = 0
            yield api.CreateMigrationRequest(header=header)
            for chunk in prepared.open():
                pulled = True
                yield api.CreateMigrationRequest(csv_chunk=chunk)
                sent += len(chunk)
                rows += chunk.count(b"\n")
                if on_progress is not None:
                    on_progress(UploadProgress(sent, prepared.total_bytes, max(0, rows - 1), attempt))

        delays = self._retry.delays()
        while True:
            attempt += 1
            try:
                response: api.CreateMigrationResponse = self._stub.CreateMigration(
                    requests(), metadata=self._metadata, timeout=timeout
                )
                return response
            except grpc.RpcError as error:
                failure = api_error_from(error)
                replayable = prepared.replayable or not pulled
                delay = next(delays, None) if failure.code == grpc.StatusCode.UNAVAILABLE and replayable else None
                if delay is None:
                    raise failure from None
                self._retry.sleep(delay)

    def get_migration(self, migration_id: str) -> pb.Migration:
        """One migration.

        Raises:
            NotFoundError: no migration has this id.
            ApiError: any other failure.
        """
        request = api.GetMigrationRequest(migration_id=migration_id)
        response = self._unary(self._stub.GetMigration, request)
        return response.migration

    def list_migrations(
        self, *, state: pb.MigrationState.ValueType | None = None, page_size: int = 100, limit: int | None = None
    ) -> Iterator[pb.Migration]:
        """Migrations, newest first, fetched a page at a time; at most ``limit`` when given.

        Raises:
            ApiError: a page could not be fetched.
        """
        token, returned = "", 0
        while True:
            request = api.ListMigrationsRequest(
                page_size=page_size, page_token=token, state=state or pb.MIGRATION_STATE_UNSPECIFIED
            )
            page = self._unary(self._stub.ListMigrations, request)
            for migration in page.migrations:
                if limit is not None and returned >= limit:
                    return
                returned += 1
                yield migration
            token = page.next_page_token
            if not token:
                return

    def list_items(
        self,
        migration_id: str,
        *,
        outcome: pb.ItemOutcome.ValueType | None = None,
        page_size: int = 500,
        limit: int | None = None,
    ) -> Iterator[pb.MigrationItem]:
        """A migration's rows and their outcomes in row order, optionally one outcome only.

        Raises:
            NotFoundError: no migration has this id.
            ApiError: a page could not be fetched.
        """
        token, returned = "", 0
        while True:
            request = api.ListMigrationItemsRequest(
                migration_id=migration_id,
                page_size=page_size,
                page_token=token,
                outcome=outcome or pb.ITEM_OUTCOME_UNSPECIFIED,
            )
            page = self._unary(self._stub.ListMigrationItems, request)
            for item in page.items:
                if limit is not None and returned >= limit:
                    return
                returned += 1
                yield item
            token = page.next_page_token
            if not token:
                return

    def count_items(self, migration_id: str, *, outcome: pb.ItemOutcome.ValueType | None = None) -> int:
        """How many of a migration's rows match ``outcome`` (all rows when omitted).

        Raises:
            ApiError: the call failed.
        """
        request = api.ListMigrationItemsRequest(
            migration_id=migration_id, page_size=1, outcome=outcome or pb.ITEM_OUTCOME_UNSPECIFIED
        )
        page = self._unary(self._stub.ListMigrationItems, request)
        return page.total_size

    def watch(self, migration_id: str, *, retry: RetryPolicy = WATCH_RETRY) -> Iterator[pb.Migration]:
        """Snapshots of the migration as it changes, ending with its terminal state.

        A broken stream is resumed (the server starts every stream with the current snapshot);
        ``retry`` bounds how long an unavailable server is waited for between two snapshots.

        Raises:
            NotFoundError: no migration has this id.
            UnavailableError: the server stayed unreachable through every retry.
            ApiError: any other failure.
        """
        return watch_until_terminal(self._stub, migration_id, self._metadata, retry, is_terminal)

    def wait(self, migration_id: str, on_progress: Callable[[pb.Migration], None] | None = None) -> pb.Migration:
        """Block until the migration is terminal and return it; ``on_progress`` sees every snapshot.

        Raises:
            ApiError: as for ``watch``.
        """
        last: pb.Migration | None = None
        for last in self.watch(migration_id):
            if on_progress is not None:
                on_progress(last)
        if last is None:
            raise ApiError(f"the watch of {migration_id} ended without a snapshot", code=grpc.StatusCode.UNKNOWN)
        return last

    def export_results(
        self, migration_id: str, destination: Path | str | BinaryIO, *, outcome: pb.ItemOutcome.ValueType | None = None
    ) -> int:
        """Write every row of the migration and its outcome as CSV to ``destination``; return the bytes written.

        A path is written to a temporary file and renamed into place, so it is never half-written.

        Raises:
            NotFoundError: no migration has this id.
            ApiError: the export failed.
        """
        request = api.ExportMigrationResultsRequest(
            migration_id=migration_id, outcome=outcome or pb.ITEM_OUTCOME_UNSPECIFIED
        )
        if isinstance(destination, str | Path):
            return self._call(lambda: export_to(self._stub, request, self._metadata, destination))
        try:  # a caller's file cannot be rewound, so a failed stream is not retried
            return export_to(self._stub, request, self._metadata, destination)
        except grpc.RpcError as error:
            raise api_error_from(error) from None

    def cancel(self, migration_id: str, *, reason: str = "") -> pb.Migration:
        """Stop a migration; rows not yet applied are cancelled.

        Raises:
            FailedPreconditionError: the migration is already terminal.
            NotFoundError: no migration has this id.
            ApiError: any other failure.
        """
        request = api.CancelMigrationRequest(migration_id=migration_id, reason=reason)
        response = self._unary(self._stub.CancelMigration, request)
        return response.migration

    def revert(self, migration_id: str, *, request_id: str | None = None, description: str = "") -> pb.Migration:
        """Create a migration that moves every applied user of ``migration_id`` back to their previous offer.

        Raises:
            FailedPreconditionError: the migration cannot be reverted in its state.
            NotFoundError: no migration has this id.
            ApiError: any other failure.
        """
        request = api.RevertMigrationRequest(
            migration_id=migration_id, request_id=request_id or str(uuid.uuid4()), description=description
        )
        response = self._unary(self._stub.RevertMigration, request)
        return response.migration
