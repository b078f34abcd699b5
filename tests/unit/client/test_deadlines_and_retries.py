"""Every call has a deadline that covers its retries; UNAVAILABLE and RESOURCE_EXHAUSTED are retried within it,
honouring the server's push-back; a watch ends at its idle timeout when the server is down or silent.

The time bounds below are the issue's liveness promises (fail within 3 s of a 1 s timeout), with margins.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from scripted_service import ScriptedService

from subshift_client import (
    DeadlineExceededError,
    ResourceExhaustedError,
    RetryPolicy,
    SubshiftClient,
    UnavailableError,
)
from subshift_client._generated.subshift.migration.v1 import migration_pb2 as pb
from subshift_client._generated.subshift.migration.v1 import migration_service_pb2 as api

_LIVENESS_BOUND = 3.0  # seconds: a 1 s timeout must fail well within this


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed when the with block ends: connections are refused


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that accepts connections and never answers (no HTTP/2 settings, no response)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    acceptor.join()
    for connection in held:
        connection.close()
    listener.close()


def _timed(action: Callable[[], object]) -> tuple[BaseException, float]:
    started = time.monotonic()
    try:
        action()
    except BaseException as error:
        return error, time.monotonic() - started
    raise AssertionError("the call did not fail")


@pytest.mark.parametrize("call", ["get_migration", "watch"])
def test_a_closed_port_fails_within_3_s_of_a_1_s_timeout(closed_port: int, call: str) -> None:
    with SubshiftClient(f"127.0.0.1:{closed_port}", timeout=1.0, retry=RetryPolicy(attempts=50)) as client:
        calls: dict[str, Callable[[], object]] = {
            "get_migration": lambda: client.get_migration("m-1"),
            "watch": lambda: list(client.watch("m-1")),
        }
        error, took = _timed(calls[call])
    assert isinstance(error, DeadlineExceededError | UnavailableError), repr(error)
    assert took < _LIVENESS_BOUND


def test_a_silent_server_ends_a_watch_at_its_idle_timeout(silent_server: str) -> None:
    with SubshiftClient(silent_server, timeout=30.0) as client:
        error, took = _timed(lambda: list(client.watch("m-1", idle_timeout=1.0)))
    assert isinstance(error, DeadlineExceededError), repr(error)
    assert (error.method, error.limit) == ("WatchMigration", 1.0)
    assert took < _LIVENESS_BOUND


def test_a_deadline_exceeded_names_the_method_and_the_limit(silent_server: str) -> None:
    with SubshiftClient(silent_server) as client, pytest.raises(DeadlineExceededError) as caught:
        client.get_migration("m-1", timeout=0.5)
    assert (caught.value.method, caught.value.limit) == ("GetMigration", 0.5)
    assert "GetMigration" in str(caught.value) and "0.5 s" in str(caught.value)


def test_an_upload_to_a_silent_server_fails_at_the_clients_timeout_not_the_streams(silent_server: str) -> None:
    with SubshiftClient(silent_server, timeout=1.0) as client:  # stream_timeout stays 600 s
        error, took = _timed(lambda: client.create_migration(b"user_id,current_offer,target_offer\nu1,A,B\n"))
    assert isinstance(error, UnavailableError), repr(error)
    assert "could not connect" in str(error)
    assert took < _LIVENESS_BOUND


def test_an_upload_has_a_default_deadline(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted
    servicer.scripts["CreateMigration"] = [lambda _r, context: time.sleep((context.time_remaining() or 0) + 0.2)]
    with SubshiftClient(addr, stream_timeout=0.5) as client, pytest.raises(DeadlineExceededError) as caught:
        client.create_migration(b"user_id,current_offer,target_offer\nu1,A,B\n")
    assert (caught.value.method, caught.value.limit) == ("CreateMigration", 0.5)


@dataclass(frozen=True)
class _RecordingPolicy(RetryPolicy):
    """Retries quickly and remembers every pause it was asked to take."""

    pauses: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:  # type: ignore[override]  # an instance, not a static, method
        self.pauses.append(seconds)


def _exhausted(push_back: float) -> Callable[[Any, grpc.ServicerContext], Any]:
    def answer(_request: Any, context: grpc.ServicerContext) -> Any:
        info = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=int(push_back),
                                                                             nanos=int(push_back % 1 * 1e9)))
        detail = any_pb2.Any()
        detail.Pack(info)
        status = status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED, message="at the limit", details=[detail])
        context.abort_with_status(rpc_status.to_status(status))

    return answer


def _found(_request: Any, _context: Any) -> api.GetMigrationResponse:
    return api.GetMigrationResponse(migration=pb.Migration(migration_id="m-1"))


def test_resource_exhausted_is_retried_after_the_servers_push_back(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted
    servicer.scripts["GetMigration"] = [_exhausted(0.3), _found]
    policy = _RecordingPolicy(attempts=3, initial_backoff=0.01)
    with SubshiftClient(addr, retry=policy) as client:
        assert client.get_migration("m-1").migration_id == "m-1"
    assert len(policy.pauses) == 1 and policy.pauses[0] >= 0.3


def test_a_push_back_beyond_the_deadline_fails_at_once(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted
    servicer.scripts["GetMigration"] = [_exhausted(60.0), _found]
    policy = _RecordingPolicy(attempts=3, initial_backoff=0.01)
    with SubshiftClient(addr, retry=policy, timeout=5.0) as client, pytest.raises(ResourceExhaustedError) as caught:
        client.get_migration("m-1")
    assert caught.value.retry_delay == 60.0
    assert policy.pauses == []


def test_retries_stop_at_the_attempts_the_policy_allows(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted
    servicer.scripts["GetMigration"] = [lambda _r, context: context.abort(grpc.StatusCode.UNAVAILABLE, "down")]
    policy = _RecordingPolicy(attempts=3, initial_backoff=0.01)
    with SubshiftClient(addr, retry=policy) as client, pytest.raises(UnavailableError):
        client.get_migration("m-1")
    assert len(servicer.calls) == 3 and len(policy.pauses) == 2


def test_a_quiet_watch_is_reopened_and_repeats_no_snapshot(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted

    def quiet(_request: Any, context: grpc.ServicerContext) -> Any:
        yield api.WatchMigrationResponse(migration=pb.Migration(state=pb.MIGRATION_STATE_APPLYING))
        time.sleep(max(0.0, context.time_remaining() or 0.0) + 0.2)  # silent past the stream's idle limit

    def finishing(_request: Any, _context: Any) -> Any:
        for state in (pb.MIGRATION_STATE_APPLYING, pb.MIGRATION_STATE_SUCCEEDED):
            yield api.WatchMigrationResponse(migration=pb.Migration(state=state))

    servicer.scripts["WatchMigration"] = [quiet, finishing]
    with SubshiftClient(addr) as client:
        states = [snapshot.state for snapshot in client.watch("m-1", idle_timeout=0.5)]
    assert states == [pb.MIGRATION_STATE_APPLYING, pb.MIGRATION_STATE_SUCCEEDED]
    assert len(servicer.calls) == 2


def test_a_watch_ends_at_its_overall_timeout(scripted: tuple[ScriptedService, str]) -> None:
    servicer, addr = scripted

    def forever(_request: Any, context: grpc.ServicerContext) -> Any:
        yield api.WatchMigrationResponse(migration=pb.Migration(state=pb.MIGRATION_STATE_APPLYING))
        time.sleep(max(0.0, context.time_remaining() or 0.0) + 0.2)

    servicer.scripts["WatchMigration"] = [forever]
    with SubshiftClient(addr) as client, pytest.raises(DeadlineExceededError) as caught:
        list(client.watch("m-1", timeout=1.0, idle_timeout=0.4))
    assert (caught.value.method, caught.value.limit) == ("WatchMigration", 1.0)
