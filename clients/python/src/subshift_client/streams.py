"""The two server-streaming calls: watching a migration (resumable) and exporting its results."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import grpc

from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api
from subshift_client._generated.subshift.migration.v1.migration_service_pb2_grpc import MigrationServiceStub
from subshift_client.api_errors import api_error_from
from subshift_client.retrying import RetryPolicy

__all__ = ["export_to", "watch_until_terminal"]

Metadata = tuple[tuple[str, str | bytes], ...]


def watch_until_terminal(
    stub: MigrationServiceStub,
    migration_id: str,
    metadata: Metadata,
    retry: RetryPolicy,
    is_terminal: Callable[[pb.MigrationState.ValueType], bool],
) -> Iterator[pb.Migration]:
    """Yield snapshots until a terminal one; reconnect after ``UNAVAILABLE`` (a fresh retry budget per snapshot)."""
    request = api.WatchMigrationRequest(migration_id=migration_id)
    delays = retry.delays()
    while True:
        stream = stub.WatchMigration(request, metadata=metadata)
        try:
            for response in stream:
                delays = retry.delays()
                yield response.migration
                if is_terminal(response.migration.state):
                    return
            return  # the server ends the stream only at a terminal state
        except grpc.RpcError as error:
            failure = api_error_from(error)
            delay = next(delays, None) if failure.code == grpc.StatusCode.UNAVAILABLE else None
            if delay is None:
                raise failure from None
            retry.sleep(delay)
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
) -> int:
    """Write the export to ``destination``; a path is filled through a temporary file renamed at the end.

    Raises:
        grpc.RpcError: the stream failed (the caller maps and maybe retries it).
    """
    stream = stub.ExportMigrationResults(request, metadata=metadata)
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

