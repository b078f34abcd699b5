"""``SubshiftClient``: the typed, retrying client of ``MigrationService`` for other teams.

Example::

    from subshift_client import SubshiftClient

    with SubshiftClient() as client:  # SUBSHIFT_API_ADDR and SUBSHIFT_TOKEN from the environment
        created = client.create_migration("moves.csv", description="spring repricing", max_rejected_rows=10)
        final = client.wait(created.migration.migration_id)
        print(final.counts.applied, "users moved")

Every call carries ``authorization: Bearer <token>`` and has a deadline (its ``timeout``, retries
included). Calls that fail with ``UNAVAILABLE`` or ``RESOURCE_EXHAUSTED`` are retried with exponential
backoff (see :mod:`subshift_client.retrying`); for uploads this is safe because every attempt sends
the same ``request_id`` and the server returns the migration it already created. Failures are raised
as :mod:`subshift_client.api_errors` exceptions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import grpc

from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api
from subshift_client._generated.subshift.migration.v1.migration_service_pb2_grpc import MigrationServiceStub
from subshift_client.api_errors import ApiError, UnavailableError, api_error_from
from subshift_client.channel import ChannelOptions, TokenSource, open_channel
from subshift_client.requests import (
    CHUNK_BYTES,
    DEFAULT_STREAM_TIMEOUT,
    DEFAULT_TIMEOUT,
    WATCH_RETRY,
    cancel_request,
    count_request,
    create_header,
    export_request,
    items_request,
    migrations_request,
    revert_request,
)
from subshift_client.retrying import CallBudget, RetryPolicy
from subshift_client.states import TERMINAL_STATES, is_terminal
from subshift_client.streams import WatchLimits, export_to, watch_until_terminal
from subshift_client.upload_source import UploadProgress, UploadSource, prepare_source

__all__ = ["TERMINAL_STATES", "WATCH_RETRY", "SubshiftClient", "is_terminal"]

_T = TypeVar("_T")
_HEALTH_CHECK = "/grpc.health.v1.Health/Check"  # an empty HealthCheckRequest asks about the whole server


def _raw(message: bytes) -> bytes:
    return message


class SubshiftClient:
    """A connection to Subshift's ``MigrationService``; use it as a context manager or call ``close()``."""

    def __init__(
        self,
        addr: str | None = None,
        *,
        token: TokenSource | None = None,
        tls: bool | None = None,
        root_certificates: Path | bytes | None = None,
        tls_server_name: str | None = None,
        insecure: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        stream_timeout: float = DEFAULT_STREAM_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Connect lazily to ``addr`` (default ``SUBSHIFT_API_ADDR`` or ``127.0.0.1:50051``).

        ``addr`` is a gRPC target: ``host:port`` keeps one connection; ``dns:///host:port`` (a headless
        Service) or ``ipv4:a:port,b:port`` connects to every address and sends calls to each in turn.

        ``token`` (default ``SUBSHIFT_TOKEN``) is a string or a callable returning the current token,
        asked before every attempt so it can refresh. TLS is used when ``tls`` is true, when
        ``root_certificates`` is given, or when ``SUBSHIFT_API_TLS_CA``/``SUBSHIFT_API_TLS`` say so; a token
        is sent in clear only to a loopback address unless ``insecure=True``. ``timeout`` is the default
        deadline (seconds, retries included) of each call and the longest a watch waits for a snapshot;
        ``stream_timeout`` that of uploads and exports.

        Raises:
            InsecureChannelError: a token would be sent in clear to a non-loopback address.
        """
        self._options = ChannelOptions.resolve(
            addr=addr, token=token, tls=tls, root_certificates=root_certificates, tls_server_name=tls_server_name,
            insecure=insecure,
        )
        self.addr = self._options.addr
        self._channel = open_channel(self._options)
        self._stub = MigrationServiceStub(self._channel)
        self._timeout = timeout
        self._stream_timeout = stream_timeout
        self._retry = retry or RetryPolicy()

    def __enter__(self) -> SubshiftClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._channel.close()

    def _retrying(
        self,
        method: str,
        timeout: float,
        invoke: Callable[[float], _T],
        replayable: Callable[[], bool] = lambda: True,
        *,
        connect_first: bool = False,
    ) -> _T:
        budget = CallBudget(method, timeout, self._retry)
        while True:
            if connect_first:
                self._connect(method, budget)
            try:
                return invoke(budget.attempt_timeout())
            except grpc.RpcError as error:
                failure = api_error_from(error, method=method, timeout=timeout)
                try:
                    pause = budget.pause_before_retry(failure, replayable=replayable())
                except ApiError:
                    raise failure from None
            self._retry.sleep(pause)

    def _connect(self, method: str, budget: CallBudget) -> None:
        # A stream's long deadline is no bound on reaching the server: one that accepts no connection (down, or
        # a socket that never answers) within the client's ``timeout`` fails the call now, not at the deadline.
        # The probe is the public health check, waiting for the connection; a watch of the channel's state
        # instead would run a thread that outlives it.
        limit = min(self._timeout, budget.remaining())
        probe = self._channel.unary_unary(_HEALTH_CHECK, request_serializer=_raw, response_deserializer=_raw)
        try:
            probe(b"", timeout=limit, wait_for_ready=True)
        except grpc.RpcError as error:
            code = error.code() if isinstance(error, grpc.Call) else None
            if code in (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE):
                raise UnavailableError.not_connected(method, self.addr, limit) from None
            # Any other answer (a server without the health service says UNIMPLEMENTED) came from a server.

    def _unary(self, method: str, request: object, timeout: float | None) -> Any:
        call: Callable[..., Any] = getattr(self._stub, method)
        return self._retrying(
            method, timeout or self._timeout,
            lambda left: call(request, metadata=self._options.metadata(), timeout=left),
        )

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
        after every chunk sent. ``timeout`` (default: the client's ``stream_timeout``) bounds the
        whole upload, retries included.

        Raises:
            UploadSourceError: ``source`` cannot be read (a missing file, or CSV text given as a path).
            InvalidArgumentError: the upload broke rules; ``violations`` name rows and columns.
            AlreadyExistsError: ``request_id`` was used for different content.
            UnavailableError: the server stayed unreachable through every retry.
            DeadlineExceededError: the upload did not finish within ``timeout``.
            ApiError: any other failure (see its ``code``).
        """
        header = create_header(request_id, description, dry_run, max_rejected_rows, max_rows_per_second)
        prepared = prepare_source(source, CHUNK_BYTES)
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

        def send(left: float) -> api.CreateMigrationResponse:
            nonlocal attempt
            attempt += 1
            response: api.CreateMigrationResponse = self._stub.CreateMigration(
                requests(), metadata=self._options.metadata(), timeout=left
            )
            return response

        return self._retrying("CreateMigration", timeout or self._stream_timeout, send,
                              lambda: prepared.replayable or not pulled, connect_first=True)

    def get_migration(self, migration_id: str, *, timeout: float | None = None) -> pb.Migration:
        """One migration.

        Raises:
            NotFoundError: no migration has this id.
            DeadlineExceededError: no answer within ``timeout`` (default: the client's).
            ApiError: any other failure.
        """
        response: api.GetMigrationResponse = self._unary(
            "GetMigration", api.GetMigrationRequest(migration_id=migration_id), timeout
        )
        return response.migration

    def list_migrations(
        self,
        *,
        state: pb.MigrationState.ValueType | None = None,
        page_size: int = 100,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> Iterator[pb.Migration]:
        """Migrations, newest first, fetched a page at a time (each page within ``timeout``); at most ``limit``.

        Raises:
            ApiError: a page could not be fetched.
        """
        token, returned = "", 0
        while True:
            page: api.ListMigrationsResponse = self._unary(
                "ListMigrations", migrations_request(state, page_size, token), timeout
            )
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
        timeout: float | None = None,
    ) -> Iterator[pb.MigrationItem]:
        """A migration's rows and their outcomes in row order, optionally one outcome only.

        Raises:
            NotFoundError: no migration has this id.
            ApiError: a page could not be fetched.
        """
        token, returned = "", 0
        while True:
            page: api.ListMigrationItemsResponse = self._unary(
                "ListMigrationItems", items_request(migration_id, outcome, page_size, token), timeout
            )
            for item in page.items:
                if limit is not None and returned >= limit:
                    return
                returned += 1
                yield item
            token = page.next_page_token
            if not token:
                return

    def count_items(
        self, migration_id: str, *, outcome: pb.ItemOutcome.ValueType | None = None, timeout: float | None = None
    ) -> int:
        """How many of a migration's rows match ``outcome`` (all rows when omitted).

        Raises:
            ApiError: the call failed.
        """
        page: api.ListMigrationItemsResponse = self._unary(
            "ListMigrationItems", count_request(migration_id, outcome), timeout
        )
        return page.total_size

    def watch(
        self,
        migration_id: str,
        *,
        timeout: float | None = None,
        idle_timeout: float | None = None,
        retry: RetryPolicy = WATCH_RETRY,
    ) -> Iterator[pb.Migration]:
        """Snapshots of the migration as it changes, ending with its terminal state.

        ``timeout`` bounds the whole watch (default: none beyond the idle limit). ``idle_timeout``
        (default: the client's ``timeout``) is the longest wait for a snapshot: a quiet stream is reopened
        after it (the server starts every stream with the current snapshot), and a server that stays
        unreachable or silent that long ends the watch. Retries follow ``retry``.

        Raises:
            NotFoundError: no migration has this id.
            UnavailableError: the server stayed unreachable for ``idle_timeout``.
            DeadlineExceededError: no snapshot within ``idle_timeout``, or the watch outlived ``timeout``.
            ApiError: any other failure.
        """
        limits = WatchLimits(overall=timeout, idle=idle_timeout or self._timeout, retry=retry)
        return watch_until_terminal(self._stub, migration_id, self._options.metadata, limits, is_terminal)

    def wait(
        self,
        migration_id: str,
        on_progress: Callable[[pb.Migration], None] | None = None,
        *,
        timeout: float | None = None,
        idle_timeout: float | None = None,
    ) -> pb.Migration:
        """Block until the migration is terminal and return it; ``on_progress`` sees every snapshot.

        Raises:
            ApiError: as for ``watch``.
        """
        last: pb.Migration | None = None
        for last in self.watch(migration_id, timeout=timeout, idle_timeout=idle_timeout):
            if on_progress is not None:
                on_progress(last)
        if last is None:
            raise ApiError(f"the watch of {migration_id} ended without a snapshot", code=grpc.StatusCode.UNKNOWN)
        return last

    def export_results(
        self,
        migration_id: str,
        destination: Path | str | BinaryIO,
        *,
        outcome: pb.ItemOutcome.ValueType | None = None,
        timeout: float | None = None,
    ) -> int:
        """Write every row of the migration and its outcome as CSV to ``destination``; return the bytes written.

        A path is written to a temporary file and renamed into place, so it is never half-written; only
        then is a failed stream retried (a caller's file cannot be rewound). ``timeout`` (default: the
        client's ``stream_timeout``) bounds the export, retries included.

        Raises:
            NotFoundError: no migration has this id.
            DeadlineExceededError: the export did not finish within ``timeout``.
            ApiError: the export failed.
        """
        request = export_request(migration_id, outcome)
        started = False

        def export(left: float) -> int:
            nonlocal started
            started = True
            return export_to(self._stub, request, self._options.metadata(), destination, left)

        rewindable = isinstance(destination, str | Path)
        return self._retrying("ExportMigrationResults", timeout or self._stream_timeout, export,
                              lambda: rewindable or not started, connect_first=True)

    def cancel(self, migration_id: str, *, reason: str = "", timeout: float | None = None) -> pb.Migration:
        """Stop a migration; rows not yet applied are cancelled.

        Raises:
            FailedPreconditionError: the migration is already terminal.
            NotFoundError: no migration has this id.
            ApiError: any other failure.
        """
        response: api.CancelMigrationResponse = self._unary(
            "CancelMigration", cancel_request(migration_id, reason), timeout
        )
        return response.migration

    def revert(
        self, migration_id: str, *, request_id: str | None = None, description: str = "", timeout: float | None = None
    ) -> pb.Migration:
        """Create a migration that moves every applied user of ``migration_id`` back to their previous offer.

        Raises:
            FailedPreconditionError: the migration cannot be reverted in its state.
            NotFoundError: no migration has this id.
            ApiError: any other failure.
        """
        request = revert_request(migration_id, request_id or str(uuid.uuid4()), description)
        response: api.RevertMigrationResponse = self._unary("RevertMigration", request, timeout)
        return response.migration
