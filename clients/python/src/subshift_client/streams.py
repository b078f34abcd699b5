"""The two server-streaming calls: watching a migration (resumable) and exporting its results."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import grpc
import grpc.aio

from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api
from subshift_client._generated.subshift.migration.v1.migration_service_pb2_grpc import MigrationServiceStub
from subshift_client.api_errors import ApiError, DeadlineExceededError, api_error_from
from subshift_client.retrying import RETRYABLE_CODES, RetryPolicy

__all__ = ["WatchLimits", "WatchProgress", "export_to", "watch_until_terminal"]

Metadata = tuple[tuple[str, str | bytes], ...]
_WATCH = "WatchMigration"


@dataclass(frozen=True, slots=True)
class WatchLimits:
    """A watch's deadlines: ``overall`` (seconds, ``None`` for none) and ``idle`` (the longest wait for a
    snapshot), and how it retries a failed stream."""

    overall: float | None
    idle: float
    retry: RetryPolicy


class WatchProgress:
    """The bookkeeping of one watch, shared by the sync and the async client: deadlines, dedup, retries."""

    def __init__(self, limits: WatchLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        started = clock()
        self._deadline = None if limits.overall is None else started + limits.overall
        self._last_snapshot_at = started
        self._last: bytes | None = None
        self._delays = limits.retry.delays()
        self.got_snapshot = False

    def stream_timeout(self) -> float:
        """The deadline of the next stream: a quiet stream ends after ``idle`` and is reopened.

        Raises:
            DeadlineExceededError: the watch has outlived its overall timeout.
        """
        self.got_snapshot = False
        if self._deadline is None:
            return self.limits.idle
        left = self._deadline - self._clock()
        if left <= 0:
            raise DeadlineExceededError.of(_WATCH, self.limits.overall or 0.0, "reach a terminal state")
        return min(self.limits.idle, left)

    def fresh(self, snapshot: pb.Migration) -> bool:
        """Record a snapshot; whether it differs from the last one yielded (a reopened stream repeats it)."""
        self.got_snapshot = True
        self._last_snapshot_at = self._clock()
        self._delays = self.limits.retry.delays()
        encoded = snapshot.SerializeToString(deterministic=True)
        if encoded == self._last:
            return False
        self._last = encoded
        return True

    def pause_after(self, error: grpc.RpcError) -> float:
        """What to do after a failed stream: 0 to reopen at once, or the pause before a retry.

        Raises:
            ApiError: the failure is final, the server stayed unreachable or silent for ``idle``, or the
                overall timeout has passed.
        """
        code = error.code() if isinstance(error, grpc.Call | grpc.aio.AioRpcError) else None
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            if self._deadline is not None and self._clock() >= self._deadline:
                raise DeadlineExceededError.of(_WATCH, self.limits.overall or 0.0, "reach a terminal state")
            if self.got_snapshot:
                return 0.0  # a quiet stream ended at its idle limit: reopen (the server sends the snapshot first)
            raise DeadlineExceededError.of(_WATCH, self.limits.idle, "send a snapshot")
        failure: ApiError = api_error_from(error, method=_WATCH, timeout=self.limits.idle)
        backoff = next(self._delays, None) if failure.code in RETRYABLE_CODES else None
        if backoff is None:
            raise failure
        pause = max(backoff, failure.retry_delay or 0.0)
        if self._clock() + pause >= min(self._last_snapshot_at + self.limits.idle, self._deadline or float("inf")):
            raise failure
        return pause


def watch_until_terminal(
    stub: MigrationServiceStub,
    migration_id: str,
    metadata: Callable[[], Metadata],
    limits: WatchLimits,
    is_terminal: Callable[[pb.MigrationState.ValueType], bool],
) -> Iterator[pb.Migration]:
    """Yield snapshots until a terminal one; reopen a quiet stream and reconnect after ``UNAVAILABLE``.

    Raises:
        ApiError: see ``WatchProgress.pause_after``.
    """
    request = api.WatchMigrationRequest(migration_id=migration_id)
    progress = WatchProgress(limits)
    while True:
        stream = stub.WatchMigration(request, metadata=metadata(), timeout=progress.stream_timeout())
        try:
            for response in stream:
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
                limits.retry.sleep(pause)
        finally:
            stream.cancel()  # a caller that stops early must not leave the stream open


def _write_chunks(stream: Iterator[api.ExportMigrationResultsResponse], handle: BinaryIO) -> int:
    written = 0
    for response in stream:
        handle.write(response.csv_chunk)
        written += len(response.csv_chunk)
    return written


def export_to(
    stub: MigrationServiceStub,
    request: api.ExportMigrationResultsRequest,
    metadata: Metadata,
    destination: Path | str | BinaryIO,
    timeout: float,
) -> int:
    """Write the export to ``destination``; a path is filled through a temporary file renamed at the end.

    Raises:
        grpc.RpcError: the stream failed (the caller maps and maybe retries it).
    """
    stream = stub.ExportMigrationResults(request, metadata=metadata, timeout=timeout)
    if not isinstance(destination, str | Path):
        return _write_chunks(stream, destination)
    path = Path(destination)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            written = _write_chunks(stream, handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written

