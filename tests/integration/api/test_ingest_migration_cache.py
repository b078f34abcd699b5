"""GetMigration's cache on the real PostgreSQL: it serves from memory, and hears of every change.

The server here keeps an answer for up to five minutes, so only a notification from the
database (or the server's own write) can make it read a migration again. A change made with
``session_replication_role = replica`` fires no trigger: it is the one kind of change the cache
cannot hear of, which shows when an answer came from memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from sqlalchemy import Engine

from api.uploads import Token, fresh_users, rows, upload
from subshift.api.auth import Role
from subshift.api.migration_changes import CHANNEL
from subshift.api.server import ApiServer, create_server
from subshift.config import Settings
from subshift_client import migration_v1 as pb


@pytest.fixture(scope="module")
def cached_api(api_settings: Settings, engine: Engine) -> Iterator[ApiServer]:
    settings = api_settings.model_copy(
        update={"api": api_settings.api.model_copy(update={"migration_cache_seconds": 300.0})})
    server = create_server(settings, engine)
    assert server.changes is not None
    _until(lambda: server.changes is not None and server.changes.listening, "the server listens for changes")
    yield server
    server.stop(1).wait(10)


@pytest.fixture(scope="module")
def cached_stub(cached_api: ApiServer) -> Iterator[pb.MigrationServiceStub]:
    with grpc.insecure_channel(f"127.0.0.1:{cached_api.port}") as channel:
        yield pb.MigrationServiceStub(channel)


def _until(condition: Callable[[], bool], what: str, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.01)


def _description(stub: pb.MigrationServiceStub, token: Token, migration_id: str) -> str:
    got: pb.GetMigrationResponse = stub.GetMigration(pb.GetMigrationRequest(migration_id=migration_id),
                                                     metadata=token(Role.VIEWER))
    return got.migration.description


def _set_description(db: Any, migration_id: str, text: str, *, unheard: bool = False) -> None:
    with db.cursor() as cur:
        if unheard:
            cur.execute("SET session_replication_role = replica")
        try:
            cur.execute("UPDATE migrations SET description = %s WHERE id = %s", (text, migration_id))
        finally:
            cur.execute("RESET session_replication_role")


@pytest.fixture
def migration_id(cached_stub: pb.MigrationServiceStub, token: Token) -> str:
    created = upload(cached_stub, token, rows(f"{fresh_users(1)[0]},basic,gold"), description="first")
    return created.migration.migration_id


def test_an_answer_comes_from_memory_until_the_database_announces_a_change(
        cached_stub: pb.MigrationServiceStub, token: Token, db: Any, migration_id: str) -> None:
    assert _description(cached_stub, token, migration_id) == "first"

    _set_description(db, migration_id, "unheard", unheard=True)
    assert _description(cached_stub, token, migration_id) == "first"  # served from memory

    _set_description(db, migration_id, "heard")
    _until(lambda: _description(cached_stub, token, migration_id) == "heard", "the announced change is served")


def test_a_cancel_is_seen_by_the_next_get_on_the_same_server(
        cached_stub: pb.MigrationServiceStub, token: Token, migration_id: str) -> None:
    request = pb.GetMigrationRequest(migration_id=migration_id)
    cancelled = pb.MigrationState.MIGRATION_STATE_CANCELLED
    assert cached_stub.GetMigration(request, metadata=token(Role.VIEWER)).migration.state != cancelled

    cached_stub.CancelMigration(pb.CancelMigrationRequest(migration_id=migration_id, reason="test"),
                                metadata=token(Role.OPERATOR))

    got = cached_stub.GetMigration(request, metadata=token(Role.VIEWER)).migration
    assert got.state == cancelled


def test_while_the_listener_is_disconnected_every_answer_is_read(
        cached_api: ApiServer, cached_stub: pb.MigrationServiceStub, token: Token, db: Any,
        migration_id: str) -> None:
    changes = cached_api.changes
    assert changes is not None
    assert _description(cached_stub, token, migration_id) == "first"
    with db.cursor() as cur:  # as a database restart would, from the server's side
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query = %s", (f"LISTEN {CHANNEL}",))
        assert cur.fetchone() is not None

    _set_description(db, migration_id, "while away", unheard=True)
    _until(lambda: _description(cached_stub, token, migration_id) == "while away",
           "a change made while the listener was away is served")

    _until(lambda: changes.listening, "the listener is back")
    assert _description(cached_stub, token, migration_id) == "while away"
    _set_description(db, migration_id, "unheard again", unheard=True)
    assert _description(cached_stub, token, migration_id) == "while away"  # from memory once more
    _set_description(db, migration_id, "heard again")
    _until(lambda: _description(cached_stub, token, migration_id) == "heard again", "changes are heard again")
