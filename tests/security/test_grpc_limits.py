"""Transport-level abuse of the real server: oversized messages, a call cancelled mid-upload, deadlines.

The migration API's own tests cover a client whose stream breaks off with an exception; here the
client cancels the call itself, sends a message over the size limit, or runs out of time. Each is
refused with its own status code and stages nothing.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from subshift.api.auth import Role
from subshift_client import migration_v1 as pb
from tests.integration.api.uploads import Token, fresh_users, requests, rows


def _staged(db: Any, key: str) -> int:
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM migrations WHERE request_id = %s", (key,))
        found = int(cur.fetchone()[0])
    db.rollback()
    return found


def test_a_message_over_the_size_limit_is_resource_exhausted(stub: Any, token: Token, db: Any,
                                                             api_settings: Any) -> None:
    key = f"big-{uuid.uuid4().hex[:8]}"
    too_big = b"user_id,current_offer,target_offer\n" + b"x" * api_settings.api.max_message_bytes

    def messages() -> Iterator[pb.CreateMigrationRequest]:
        yield pb.CreateMigrationRequest(header=pb.MigrationHeader(request_id=key))
        yield pb.CreateMigrationRequest(csv_chunk=too_big)

    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateMigration(messages(), metadata=token(Role.OPERATOR), timeout=30)
    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert _staged(db, key) == 0


def test_a_call_cancelled_by_the_client_mid_upload_stages_nothing(stub: Any, token: Token, db: Any) -> None:
    key = f"cancel-{uuid.uuid4().hex[:8]}"
    csv = rows(*(f"{user},basic,gold" for user in fresh_users(500)))
    halfway = threading.Event()

    def paced() -> Iterator[pb.CreateMigrationRequest]:
        for index, message in enumerate(requests(csv, request_id=key, chunk=256)):
            if index == 20:
                halfway.set()
                time.sleep(2)
            yield message

    future = stub.CreateMigration.future(paced(), metadata=token(Role.OPERATOR), timeout=60)
    assert halfway.wait(30)
    future.cancel()
    with pytest.raises(grpc.FutureCancelledError):
        future.result()
    time.sleep(1)  # the server learns of the cancellation asynchronously
    assert _staged(db, key) == 0
    again = stub.CreateMigration(requests(csv, request_id=key, chunk=8192), metadata=token(Role.OPERATOR))
    assert again.migration.counts.staged == 500


def test_an_upload_past_its_deadline_is_deadline_exceeded_and_stages_nothing(stub: Any, token: Token,
                                                                             db: Any) -> None:
    key = f"late-{uuid.uuid4().hex[:8]}"
    csv = rows(*(f"{user},basic,gold" for user in fresh_users(50)))

    def slow() -> Iterator[pb.CreateMigrationRequest]:
        for message in requests(csv, request_id=key, chunk=128):
            time.sleep(0.3)
            yield message

    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateMigration(slow(), metadata=token(Role.OPERATOR), timeout=1.0)
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    time.sleep(1)
    assert _staged(db, key) == 0


def test_a_watch_past_its_deadline_ends_with_deadline_exceeded(stub: Any, token: Token) -> None:
    created = stub.CreateMigration(requests(rows(*(f"{u},basic,gold" for u in fresh_users(3)))),
                                   metadata=token(Role.OPERATOR))
    stream = stub.WatchMigration(pb.WatchMigrationRequest(migration_id=created.migration.migration_id),
                                 metadata=token(Role.VIEWER), timeout=1.5)
    with pytest.raises(grpc.RpcError) as raised:
        for _ in stream:  # the migration never finishes here: no relay runs
            pass
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
