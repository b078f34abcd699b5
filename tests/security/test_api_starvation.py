"""Anonymous and authenticated callers cannot starve the API: health and the admin keep being answered.

Against the real server: 200 anonymous calls that send headers and never a request message, and
50 idle watches from ten viewers. Meanwhile health answers SERVING (on its own server and on the
API's port) and an admin's GetMigration is answered, each within a 1 s deadline; the caps refuse
the excess with RESOURCE_EXHAUSTED naming the setting. Half-open authenticated calls are dropped
after ``api.request_message_seconds``; watches end at ``api.watch_max_seconds`` and the client
resumes them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import Engine

from subshift.api.auth import Role
from subshift.api.server import ApiServer, create_server
from subshift.api.tokens import mint_dev_token
from subshift.config import ApiSettings, Settings
from subshift_client import SubshiftClient
from subshift_client import migration_v1 as pb
from tests.integration.api.uploads import Token, fresh_users, requests, rows, upload

_GET = f"/{pb.MIGRATION_SERVICE.full_name}/GetMigration"
_UPLOAD = f"/{pb.MIGRATION_SERVICE.full_name}/CreateMigration"
_SERVING = health_pb2.HealthCheckResponse.SERVING


@contextmanager
def _server(settings: Settings, engine: Engine, **api: Any) -> Iterator[ApiServer]:
    # The shipped limits (not the ingest tests' relaxed ones), with a short request deadline.
    limits = ApiSettings(addr="127.0.0.1:0", metrics_port=0, watch_interval_seconds=0.05,
                         request_message_seconds=1.0, **api)
    server = create_server(settings.model_copy(update={"api": limits}), engine)
    try:
        yield server
    finally:
        server.stop(0).wait(10)


def _own_connection(target: str) -> grpc.Channel:
    # Each channel its own TCP connection, so 200 calls are not queued behind one connection's stream limit.
    return grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])


def _bearer(settings: Settings, role: Role, subject: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {mint_dev_token(settings.auth, role=role, subject=subject, ttl_seconds=600)}")]


def _never(stop: threading.Event) -> Iterator[bytes]:
    stop.wait()  # headers go out, a request message never does
    return
    yield b""  # pragma: no cover


def _eventually(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    stop = threading.Event()
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        stop.wait(0.05)
    return True


def _healthy_within_a_second(target: str) -> bool:
    with grpc.insecure_channel(target) as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1.0)
    return bool(answer.status == _SERVING)


def test_anonymous_half_open_calls_and_idle_watches_leave_health_and_the_admin_served(
        api_settings: Settings, engine: Engine, stub: Any, token: Token) -> None:
    migration_id = upload(stub, token, rows(*(f"{u},basic,gold" for u in fresh_users(2)))).migration.migration_id
    stop = threading.Event()
    with _server(api_settings, engine) as server, ExitStack() as opened:
        target = f"127.0.0.1:{server.port}"
        channels = [opened.enter_context(_own_connection(target)) for _ in range(4)]
        half_open = [channels[k % 4].stream_unary(_GET).future(_never(stop), timeout=60) for k in range(200)]
        watches: list[Any] = []
        accepted, refused = 0, []
        watch_stub = pb.MigrationServiceStub(channels[0])
        for viewer in range(10):
            for _ in range(5):
                stream = watch_stub.WatchMigration(pb.WatchMigrationRequest(migration_id=migration_id),
                                                   metadata=_bearer(api_settings, Role.VIEWER, f"viewer{viewer}"),
                                                   timeout=60)
                watches.append(stream)
                try:
                    assert next(stream).migration.migration_id == migration_id
                    accepted += 1
                except grpc.RpcError as error:
                    refused.append((error.code(), error.details()))
        try:
            assert _healthy_within_a_second(f"127.0.0.1:{server.health_port}")
            assert _healthy_within_a_second(target)
            admin = pb.MigrationServiceStub(channels[1]).GetMigration(
                pb.GetMigrationRequest(migration_id=migration_id),
                metadata=_bearer(api_settings, Role.ADMIN, "admin"), timeout=1.0)
            assert admin.migration.migration_id == migration_id
            assert accepted == 8  # api.max_watches
            assert {code for code, _ in refused} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
            assert any("(api.max_watches_per_caller)" in details for _, details in refused)
            assert any("(api.max_watches)" in details for _, details in refused)
            assert server.limits is not None and server.limits.open_count("watch") == 8
            for call in half_open:  # refused before their message was read, whatever they send later
                assert call.exception(timeout=30).code() == grpc.StatusCode.UNAUTHENTICATED
        finally:
            stop.set()
            for stream in watches:
                stream.cancel()


def test_an_authenticated_call_that_never_sends_its_request_is_dropped(
        api_settings: Settings, engine: Engine) -> None:
    stop = threading.Event()
    with _server(api_settings, engine) as server, _own_connection(f"127.0.0.1:{server.port}") as channel:
        try:
            calls = [channel.stream_unary(_GET).future(_never(stop), metadata=_bearer(api_settings, Role.ADMIN, "slow"),
                                                       timeout=60) for _ in range(3)]
            for call in calls:  # dropped after api.request_message_seconds (1 s), long before the 60 s deadline
                assert call.exception(timeout=30).code() == grpc.StatusCode.CANCELLED
            limits = server.limits
            assert limits is not None
            # The client learns of the drop before the server's thread has let go of the call.
            assert _eventually(lambda: limits.open_count("call", "slow") == 0)
        finally:
            stop.set()


def test_uploads_past_the_per_caller_cap_are_resource_exhausted(api_settings: Settings, engine: Engine) -> None:
    stop = threading.Event()
    metadata = _bearer(api_settings, Role.OPERATOR, "uploader")

    def stalled() -> Iterator[pb.CreateMigrationRequest]:
        yield pb.CreateMigrationRequest(header=pb.MigrationHeader(request_id=f"stall-{fresh_users(1)[0]}"))
        stop.wait()

    with _server(api_settings, engine) as server, _own_connection(f"127.0.0.1:{server.port}") as channel:
        stub = pb.MigrationServiceStub(channel)
        try:
            open_uploads = [stub.CreateMigration.future(stalled(), metadata=metadata, timeout=60) for _ in range(2)]
            limits = server.limits
            assert limits is not None
            assert _eventually(lambda: limits.open_count("upload", "uploader") == 2)
            assert not any(call.done() for call in open_uploads)
            with pytest.raises(grpc.RpcError) as raised:
                stub.CreateMigration(requests(rows("user0001,premium,gold")), metadata=metadata, timeout=30)
            assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "api.max_uploads_per_caller" in raised.value.details()
        finally:
            stop.set()
    for call in open_uploads:
        call.exception(timeout=30)


def test_a_watch_ends_at_its_maximum_lifetime_and_the_client_resumes_it(
        api_settings: Settings, engine: Engine, stub: Any, token: Token) -> None:
    migration_id = upload(stub, token, rows(*(f"{u},basic,gold" for u in fresh_users(2)))).migration.migration_id
    with _server(api_settings, engine, watch_max_seconds=1.0) as server:
        target = f"127.0.0.1:{server.port}"
        with grpc.insecure_channel(target) as channel:
            stream = pb.MigrationServiceStub(channel).WatchMigration(
                pb.WatchMigrationRequest(migration_id=migration_id), metadata=token(Role.VIEWER), timeout=30)
            with pytest.raises(grpc.RpcError) as raised:
                for _ in stream:
                    pass
        assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "api.watch_max_seconds" in raised.value.details()
        viewer = SubshiftClient(target, token=token(Role.VIEWER)[0][1].removeprefix("Bearer "), tls=False)
        operator = SubshiftClient(target, token=token(Role.OPERATOR)[0][1].removeprefix("Bearer "), tls=False)
        snapshots = viewer.watch(migration_id, idle_timeout=15)
        try:
            assert next(snapshots).state == pb.MigrationState.MIGRATION_STATE_PENDING
            time.sleep(2)  # the first stream has ended at its lifetime (1 s) by now
            operator.cancel(migration_id, reason="the watch must see this on a stream it opened again")
            # The change comes on a later stream: the client watched again after the end.
            assert next(snapshots).state == pb.MigrationState.MIGRATION_STATE_CANCELLED
        finally:
            snapshots.close()
            viewer.close()
            operator.close()


def test_an_upload_whose_next_chunk_is_late_is_dropped_and_stages_nothing(
        api_settings: Settings, engine: Engine, db: Any) -> None:
    key = f"stalled-{fresh_users(1)[0]}"
    body = rows(*(f"{user},basic,gold" for user in fresh_users(40)))
    stop = threading.Event()

    def stalls_halfway() -> Iterator[pb.CreateMigrationRequest]:
        for index, message in enumerate(requests(body, request_id=key, chunk=64)):
            if index == 5:
                stop.wait()  # a cut-off upload must never be taken for a complete one
            yield message

    with _server(api_settings, engine, upload_idle_seconds=1.0) as server, \
            _own_connection(f"127.0.0.1:{server.port}") as channel:
        try:
            call = pb.MigrationServiceStub(channel).CreateMigration.future(
                stalls_halfway(), metadata=_bearer(api_settings, Role.OPERATOR, "stalled"), timeout=60)
            assert call.exception(timeout=30).code() == grpc.StatusCode.CANCELLED
        finally:
            stop.set()
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM migrations WHERE request_id = %s", (key,))
        assert cur.fetchone()[0] == 0
