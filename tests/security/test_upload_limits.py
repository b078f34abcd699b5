"""Uploads cannot fill the server's disk: a cap on an upload's bytes and on its spooled rejected rows.

Found: an upload had no cap on its total bytes (only rows and line length, 5 million lines of
16 KB), and its rejected rows spooled to disk without a cap while the API's ``/tmp`` in k8s had
no size limit. Both caps refuse the whole upload with INVALID_ARGUMENT naming the setting, and
stage nothing. The k8s side is checked in ``tests/unit/deploy``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from sqlalchemy import Engine

from subshift.api.auth import Role
from subshift.api.server import ApiServer, create_server
from subshift.config import Settings
from subshift_client import migration_v1 as pb
from tests.integration.api.uploads import Token, fresh_users, requests, rows


@pytest.fixture(scope="module")
def small_uploads(api_settings: Settings, engine: Engine) -> Iterator[ApiServer]:
    ingest = api_settings.ingest.model_copy(update={"max_upload_bytes": 4096, "max_rejected_spool_bytes": 4096})
    server = create_server(api_settings.model_copy(update={"ingest": ingest}), engine)
    yield server
    server.stop(0).wait(10)


def _refused(server: ApiServer, token: Token, body: bytes, **header: Any) -> grpc.RpcError:
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel, pytest.raises(grpc.RpcError) as raised:
        pb.MigrationServiceStub(channel).CreateMigration(requests(body, chunk=1024, **header),
                                                         metadata=token(Role.OPERATOR), timeout=60)
    return raised.value


def _migrations(db: Any, request_id: str) -> int:
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM migrations WHERE request_id = %s AND state <> 'REJECTED'", (request_id,))
        return int(cur.fetchone()[0])


def test_an_upload_over_the_byte_cap_is_refused_and_stages_nothing(small_uploads: ApiServer, token: Token,
                                                                   db: Any) -> None:
    key = f"big-{uuid.uuid4().hex[:8]}"
    body = rows(*(f"{user},basic,gold" for user in fresh_users(300)))
    assert len(body) > 4096
    error = _refused(small_uploads, token, body, request_id=key)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "ingest.max_upload_bytes" in error.details()
    assert _migrations(db, key) == 0


def test_rejected_rows_over_the_spool_cap_refuse_the_upload_and_stage_nothing(small_uploads: ApiServer,
                                                                              token: Token, db: Any) -> None:
    key = f"bad-{uuid.uuid4().hex[:8]}"
    # Each row is short (the file stays under the byte cap) but rejected with a long reason.
    body = rows(*(f"{user},nosuchoffer{k % 10},gold" for k, user in enumerate(fresh_users(60))))
    assert len(body) < 4096
    error = _refused(small_uploads, token, body, request_id=key, max_rejected_rows=10_000)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "ingest.max_rejected_spool_bytes" in error.details()
    assert _migrations(db, key) == 0
