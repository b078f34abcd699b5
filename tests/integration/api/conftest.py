"""Fixtures for the migration API on the real PostgreSQL: a database of its own and a live server.

``api`` starts the real gRPC server on a free port (in this process); ``stub`` talks to it
over a real channel; ``token(role)`` mints a development token with the configured secret.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import psycopg2
import pytest
from sqlalchemy import Engine

from subshift.api.auth import Role
from subshift.api.server import ApiServer, create_server
from subshift.api.tokens import mint_dev_token
from subshift.config import DatabaseSettings, Settings
from subshift.db.engine import make_engine
from subshift_client import migration_v1 as pb
from tests.integration.scratch_db import postgres_settings, scratch_database

OFFERS = (("basic", True), ("premium", True), ("gold", True), ("retired", False), ("odd\\code\tx", True))
SUBSCRIBERS = 40  # user0000..user0039; user000k is on basic when k is even, premium when odd


@dataclass(frozen=True)
class Api:
    settings: Settings
    server: ApiServer
    target: str


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings from the environment; the API needs only PostgreSQL, so only PostgreSQL must answer.

    Overrides the shared fixture (which checks Kafka and the registry too): a registry restarted by
    another suite must not fail these tests. An unreachable PostgreSQL fails the session.
    """
    return postgres_settings()


@pytest.fixture(scope="session")
def ingest_database(settings: Settings) -> Iterator[DatabaseSettings]:
    """A database of the ingest tests' own, migrated to head and seeded, dropped at the end."""
    with scratch_database(settings, "subshift_ingest") as database:
        with psycopg2.connect(database.libpq_dsn()) as seed, seed.cursor() as cur:
            cur.executemany("INSERT INTO offers (code, name, active) VALUES (%s, %s, %s)",
                            [(code, code.title(), active) for code, active in OFFERS])
            cur.executemany("INSERT INTO subscriptions (user_id, offer_code) VALUES (%s, %s)",
                            [(f"user{k:04d}", "basic" if k % 2 == 0 else "premium") for k in range(SUBSCRIBERS)])
        seed.close()
        yield database


@pytest.fixture(scope="session")
def engine(ingest_database: DatabaseSettings) -> Iterator[Engine]:
    engine = make_engine(ingest_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def api_settings(settings: Settings, ingest_database: DatabaseSettings) -> Settings:
    return settings.model_copy(update={
        "database": ingest_database,
        # One subject ("tester") makes most calls here, a few of them concurrent uploads.
        "api": settings.api.model_copy(update={"addr": "127.0.0.1:0", "metrics_port": 0,
                                               "watch_interval_seconds": 0.05, "max_uploads_per_caller": 4}),
        "ingest": settings.ingest.model_copy(update={"max_rows": 1000}),
    })


@pytest.fixture(scope="session")
def api(api_settings: Settings, engine: Engine) -> Iterator[Api]:
    server = create_server(api_settings, engine)
    yield Api(api_settings, server, f"127.0.0.1:{server.port}")
    server.stop(1).wait(10)


@pytest.fixture(scope="session")
def channel(api: Api) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(api.target) as channel:
        yield channel


@pytest.fixture(scope="session")
def stub(channel: grpc.Channel) -> pb.MigrationServiceStub:
    return pb.MigrationServiceStub(channel)


@pytest.fixture(scope="session")
def token(api_settings: Settings) -> Callable[..., list[tuple[str, str]]]:
    """``token(role, subject=...)`` → call metadata carrying a fresh development token."""
    def make(role: Role, subject: str = "tester") -> list[tuple[str, str]]:
        value = mint_dev_token(api_settings.auth, role=role, subject=subject, ttl_seconds=600)
        return [("authorization", f"Bearer {value}")]
    return make


@pytest.fixture(scope="session")
def db(ingest_database: DatabaseSettings) -> Iterator[Any]:
    """An autocommit psycopg2 connection to the ingest tests' database, for checks and set-up."""
    connection = psycopg2.connect(ingest_database.libpq_dsn())
    connection.autocommit = True
    yield connection
    connection.close()
