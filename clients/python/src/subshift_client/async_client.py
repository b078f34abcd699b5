"""``AsyncSubshiftClient``: ``SubshiftClient``'s methods and semantics over ``grpc.aio``.

The same defaults, deadlines, retry policy, errors and requests as the sync client (they come from
``requests``, ``retrying``, ``streams`` and ``api_errors``); only waiting is ``await``-ed::

    async with AsyncSubshiftClient() as client:
        created = await client.create_migration("moves.csv", max_rejected_rows=10)
        async for snapshot in client.watch(created.migration.migration_id):
            print(snapshot.counts.applied)
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, cast

import grpc
import grpc.aio

from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api
from subshift_client._generated.subshift.migration.v1.migration_service_pb2_grpc import MigrationServiceStub
from subshift_client.api_errors import ApiError, UnavailableError, api_error_from
from subshift_client.channel import ChannelOptions, TokenSource, open_aio_channel
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
from subshift_client.states import is_terminal
from subshift_client.streams import WatchLimits, WatchProgress
from subshift_client.upload_source import UploadProgress, UploadSource, prepare_source

if TYPE_CHECKING:  # the async stub exists only in the .pyi: at run time the one stub serves both channels
    from subshift_client._generated.subshift.migration.v1.migration_service_pb2_grpc import (
        MigrationServiceAsyncStub,
    )

__all__ = ["AsyncSubshiftClient"]

_T = TypeVar("_T")


class AsyncSubshiftClient:
    """An asyncio connection to ``MigrationService``; use ``async with`` or ``await close()``.

    Arguments, defaults and errors are those of :class:`subshift_client.SubshiftClient`.
    """

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
        """See :meth:`subshift_client.SubshiftClient.__init__`.

        Raises:
            InsecureChannelError: a token would be sent in clear to a non-loopback address.
        """
        self._options = ChannelOptions.resolve(
            addr=addr, token=token, tls=tls, root_certificates=root_certificates, tls_server_name=tls_server_name,
            insecure=insecure,
        )
        self.addr = self._options.addr
        self._channel = open_aio_channel(self._options)
        # The generated stub class serves both channel kinds; its aio face is the async stub type.
        self._stub = cast("MigrationServiceAsyncStub", MigrationServiceStub(self._channel))
        self._timeout = timeout
        self._stream_timeout = stream_timeout
        self._retry = retry or RetryPolicy()

    async def __aenter__(self) -> AsyncSubshiftClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        await self._channel.close()

    async def _retrying(
        self,
        method: str,
        timeout: float,
        invoke: Callable[[float], Awaitable[_T]],
        replayable: Callable[[], bool] = lambda: True,
        *,
        connect_first: bool = False,
    ) -> _T:
        budget = CallBudget(method, timeout, self._retry)
        while True:
            if connect_first:
                await self._connect(method, budget)
            try:
                return await invoke(budget.attempt_timeout())
            except grpc.RpcError as error:
                failure = api_error_from(error, method=method, timeout=timeout)
                try:
                    pause = budget.pause_before_retry(failure, replayable=replayable())
                except ApiError:
                    raise failure from None
            await asyncio.sleep(pause)

    async def _connect(self, method: str, budget: CallBudget) -> None:
        # As the sync client: reaching the server is bounded by the client's ``timeout``, not the stream's.
        limit = min(self._timeout, budget.remaining())
        try:
            await asyncio.wait_for(self._channel.channel_ready(), limit)
        except TimeoutError:
            raise UnavailableError.not_connected(method, self.addr, limit) from None

    async def _unary(self, method: str, request: object, timeout: float | None) -> Any:
        call: Callable[..., Awaitable[Any]] = getattr(self._stub, method)

        async def invoke(left: float) -> Any:
            return await call(request, metadata=self._options.metadata(), timeout=left)

        return await self._retrying(method, timeout or self._timeout, invoke)

    async def create_migration(
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
        """See :meth:`subshift_client.SubshiftClient.create_migration`."""
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

        async def send(left: float) -> api.CreateMigrationResponse:
            nonlocal attempt
            attempt += 1
            response: api.CreateMigrationResponse = await self._stub.CreateMigration(
                requests(), metadata=self._options.metadata(), timeout=left
            )
            return response

        return await self._retrying("CreateMigration", timeout or self._stream_timeout, send,
                                    lambda: prepared.replayable or not pulled, connect_first=True)

    async def get_migration(self, migration_id: str, *, timeout: float | None = None) -> pb.Migration:
        """See :meth:`subshift_client.SubshiftClient.get_migration`."""
        response: api.GetMigrationResponse = await self._unary(
            "GetMigration", api.GetMigrationRequest(migration_id=migration_id), timeout
        )
        return response.migration

    async def list_migrations(
        self,
        *,
        state: pb.MigrationState.ValueType | None = None,
        page_size: int = 100,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[pb.Migration]:
        """See :meth:`subshift_client.SubshiftClient.list_migrations`."""
        token, returned = "", 0
        while True:
            page: api.ListMigrationsResponse = await self._unary(
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

    async def list_items(
        self,
        migration_id: str,
        *,
        outcome: pb.ItemOutcome.ValueType | None = None,
        page_size: int = 500,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[pb.MigrationItem]:
        """See :meth:`subshift_client.SubshiftClient.list_items`."""
        token, returned = "", 0
        while True:
            page: api.ListMigrationItemsResponse = await self._unary(
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

    async def count_items(
        self, migration_id: str, *, outcome: pb.ItemOutcome.ValueType | None = None, timeout: float | None = None
    ) -> int:
        """See :meth:`subshift_client.SubshiftClient.count_items`."""
        page: api.ListMigrationItemsResponse = await self._unary(
            "ListMigrationItems", count_request(migration_id, outcome), timeout
        )
        return page.total_size

    async def watch(
        self,
        migration_id: str,
        *,
        timeout: float | None = None,
        idle_timeout: float | None = None,
        retry: RetryPolicy = WATCH_RETRY,
    ) -> AsyncIterator[pb.Migration]:
        """See :meth:`subshift_client.SubshiftClient.watch`."""
        request = api.WatchMigrationRequest(migration_id=migration_id)
        progress = WatchProgress(WatchLimits(overall=timeout, idle=idle_timeout or self._timeout, retry=retry))
        while True:
            stream = self._stub.WatchMigration(request, metadata=self._options.metadata(),
                                               timeout=progress.stream_timeout())
            try:
                async for response in stream:
                    if progress.fresh(response.migration):
                        yield response.migration
                    if is_terminal(response.migration.state):
                        return
                return  # the server ends the stream only at a terminal state
            except grpc.RpcError as error:
                try:
                    pause = progress.pause_after(error)
                except ApiError as failure:
                    raise failure from None
                if pause:
                    await asyncio.sleep(pause)
            finally:
                stream.cancel()  # a caller that stops early must not leave the stream open

    async def wait(
        self,
        migration_id: str,
        on_progress: Callable[[pb.Migration], None] | None = None,
        *,
        timeout: float | None = None,
        idle_timeout: float | None = None,
    ) -> pb.Migration:
        """See :meth:`subshift_client.SubshiftClient.wait`."""
        last: pb.Migration | None = None
        async for last in self.watch(migration_id, timeout=timeout, idle_timeout=idle_timeout):
            if on_progress is not None:
                on_progress(last)
        if last is None:
            raise ApiError(f"the watch of {migration_id} ended without a snapshot", code=grpc.StatusCode.UNKNOWN)
        return last

    async def export_results(
        self,
        migration_id: str,
        destination: Path | str | BinaryIO,
        *,
        outcome: pb.ItemOutcome.ValueType | None = None,
        timeout: float | None = None,
    ) -> int:
        """See :meth:`subshift_client.SubshiftClient.export_results`."""
        request = export_request(migration_id, outcome)
        started = False

        async def export(left: float) -> int:
            nonlocal started
            started = True
            stream = self._stub.ExportMigrationResults(request, metadata=self._options.metadata(), timeout=left)
            if not isinstance(destination, str | Path):
                return await _write_chunks(stream, destination)
            return await _write_atomically(stream, Path(destination))

        rewindable = isinstance(destination, str | Path)
        return await self._retrying("ExportMigrationResults", timeout or self._stream_timeout, export,
                                    lambda: rewindable or not started, connect_first=True)

    async def cancel(self, migration_id: str, *, reason: str = "", timeout: float | None = None) -> pb.Migration:
        """See :meth:`subshift_client.SubshiftClient.cancel`."""
        response: api.CancelMigrationResponse = await self._unary(
            "CancelMigration", cancel_request(migration_id, reason), timeout
        )
        return response.migration

    async def revert(
        self, migration_id: str, *, request_id: str | None = None, description: str = "", timeout: float | None = None
    ) -> pb.Migration:
        """See :meth:`subshift_client.SubshiftClient.revert`."""
        request = revert_request(migration_id, request_id or str(uuid.uuid4()), description)
        response: api.RevertMigrationResponse = await self._unary("RevertMigration", request, timeout)
        return response.migration


async def _write_chunks(stream: AsyncIterable[api.ExportMigrationResultsResponse], handle: BinaryIO) -> int:
    written = 0
    async for response in stream:
        handle.write(response.csv_chunk)
        written += len(response.csv_chunk)
    return written


async def _write_atomically(stream: AsyncIterable[api.ExportMigrationResultsResponse], path: Path) -> int:
    # As the sync client: a temporary file renamed into place, so the path is never half-written.
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            written = await _write_chunks(stream, handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written
