"""Fixtures for the items' storage on the real PostgreSQL: a database of its own, migrated to head.

Only PostgreSQL must answer (the shared ``settings`` fixture also checks Kafka and the registry).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from subshift.config import DatabaseSettings, Settings
from subshift.db.connect import PgConnection, connect
from tests.integration.scratch_db import postgres_settings, scratch_database


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings from the environment; an unreachable PostgreSQL fails the session."""
    return postgres_settings()


@pytest.fixture(scope="session")
def storage_database(settings: Settings) -> Iterator[DatabaseSettings]:
    """A database of the storage tests' own, migrated to head, dropped at the end of the session."""
    with scratch_database(settings, "subshift_storage") as database:
        yield database


@pytest.fixture
def pg(storage_database: DatabaseSettings) -> Iterator[PgConnection]:
    """A connection to the storage tests' database (not autocommit), rolled back and closed afterwards."""
    conn = connect(storage_database, application_name="storage-tests")
    yield conn
    conn.rollback()
    conn.close()
