"""A database of the telemetry tests' own, migrated to head and dropped at the end of the session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from subshift.config import DatabaseSettings, Settings
from subshift.db.upgrade import upgrade


@pytest.fixture(scope="session")
def telemetry_database(settings: Settings) -> Iterator[DatabaseSettings]:
    name = f"subshift_telemetry_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(settings.database.libpq_dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = make_url(settings.database.sqlalchemy_url()).set(database=name).render_as_string(hide_password=False)
    database = DatabaseSettings(url=SecretStr(url))
    upgrade(database)
    yield database
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()
