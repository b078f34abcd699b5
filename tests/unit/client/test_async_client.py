"""``AsyncSubshiftClient`` behaves as the sync client: the same retries with the same request id, resumed
watches, typed errors, atomic exports and deadlines, awaited."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest
from scripted_service import ScriptedService

from subshift_client import (
    AsyncSubshiftClient,
    DeadlineExceededError,
    InsecureChannelError,
    NotFoundError,
    RetryPolicy,
    UnavailableError,
)
from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api

_T = TypeVar("_T")
_QUICK = RetryPolicy(attempts=4, initial_backoff=0.01)


def _run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    return asyncio.run(coroutine)


def _unavailable(_request: Any, context: grpc.ServicerContext) -> Any:
    context.abort(grpc.StatusCode.UNAVAILABLE, "starting up")


def _created(request: list[api.CreateMigrationRequest], _context: Any) -> api.CreateMigrationResponse:
    migration = pb.Migration(migration_id="m-1", request_id=request[0].header.request_id)
    return api.CreateMigrationResponse(migration=migration)


def test_an_upload_is_retried_with_the_same_request_id(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted
    servicer.scripts["CreateMigration"] = [_unavailable, _created]

    async def upload() -> api.CreateMigrationResponse:
        async with AsyncSubshiftClient(addr, token="t0k3n", retry=_QUICK) as client:
            return await client.create_migration([("u1", "A", "B")])

    response = _run(upload())
    request_ids = {request[0].header.request_id for _, request, _ in servicer.calls}
    assert request_ids == {response.migration.request_id}
    assert len(servicer.calls) == 2
    assert servicer.calls[0][2]["authorization"] == "Bearer t0k3n"


def test_not_found_is_typed(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted
    servicer.scripts["GetMigration"] = [lambda _r, context: context.abort(grpc.StatusCode.NOT_FOUND, "no such")]

    async def get() -> pb.Migration:
        async with AsyncSubshiftClient(addr, retry=_QUICK) as client:
            return await client.get_migration("nope")

    with pytest.raises(NotFoundError):
        _run(get())


def test_a_watch_resumes_and_stops_at_a_terminal_state(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted

    def broken(_request: Any, context: grpc.ServicerContext) -> Any:
        yield api.WatchMigrationResponse(migration=pb.Migration(state=pb.MIGRATION_STATE_PUBLISHING))
        context.abort(grpc.StatusCode.UNAVAILABLE, "restarting")

    def finishing(_request: Any, _context: Any) -> Any:
        for state in (pb.MIGRATION_STATE_PUBLISHING, pb.MIGRATION_STATE_SUCCEEDED, pb.MIGRATION_STATE_FAILED):
            yield api.WatchMigrationResponse(migration=pb.Migration(state=state))

    servicer.scripts["WatchMigration"] = [broken, finishing]

    async def watch() -> list[int]:
        async with AsyncSubshiftClient(addr) as client:
            return [snapshot.state async for snapshot in client.watch("m-1")]

    assert _run(watch()) == [pb.MIGRATION_STATE_PUBLISHING, pb.MIGRATION_STATE_SUCCEEDED]


def test_pages_are_followed(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted
    pages = {"": (["a", "b"], "p2"), "p2": (["c"], "")}

    def page(request: api.ListMigrationsRequest, _context: Any) -> api.ListMigrationsResponse:
        ids, token = pages[request.page_token]
        return api.ListMigrationsResponse(migrations=[pb.Migration(migration_id=i) for i in ids], next_page_token=token)

    servicer.scripts["ListMigrations"] = [page]

    async def listed() -> list[str]:
        async with AsyncSubshiftClient(addr) as client:
            return [m.migration_id async for m in client.list_migrations(page_size=2)]

    assert _run(listed()) == ["a", "b", "c"]


def test_an_export_is_written_atomically(scripted: tuple[ScriptedService, str], tmp_path: Path) -> None:
    servicer, addr = scripted
    servicer.scripts["ExportMigrationResults"] = [
        lambda _r, _c: iter([api.ExportMigrationResultsResponse(csv_chunk=b"a,b\n"),
                             api.ExportMigrationResultsResponse(csv_chunk=b"1,2\n")])
    ]
    target = tmp_path / "out" / "results.csv"

    async def export() -> int:
        async with AsyncSubshiftClient(addr) as client:
            return await client.export_results("m-1", target)

    assert _run(export()) == 8
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert [p.name for p in target.parent.iterdir()] == ["results.csv"]


@pytest.mark.parametrize("call", ["get_migration", "watch"])
def test_a_closed_port_fails_within_3_s_of_a_1_s_timeout(call: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def attempt() -> object:
        async with AsyncSubshiftClient(f"127.0.0.1:{port}", timeout=1.0, retry=RetryPolicy(attempts=50)) as client:
            if call == "get_migration":
                return await client.get_migration("m-1")
            return [snapshot async for snapshot in client.watch("m-1")]

    started = time.monotonic()
    with pytest.raises((DeadlineExceededError, UnavailableError)):
        _run(attempt())
    assert time.monotonic() - started < 3.0


def test_a_token_is_not_sent_in_clear_to_another_machine() -> None:
    with pytest.raises(InsecureChannelError):
        AsyncSubshiftClient("10.1.2.3:50051", token="secret")
