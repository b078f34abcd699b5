"""A scratch database per test module: seeding truncates ``subscriptions``, which must not
disturb other tests sharing the stack's database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from subshift.config import DatabaseSettings, Settings
from subshift.db.upgrade import upgrade


@pytest.fixture(scope="module")
def scratch_database(settings: Settings) -> Iterator[DatabaseSettings]:
    """A new, upgraded database on the stack's server, dropped afterwards."""
    name = f"subshift_seed_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(settings.database.libpq_dsn())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = make_url(settings.database.sqlalchemy_url()).set(database=name)
    scratch = DatabaseSettings(url=url.render_as_string(hide_password=False))
    try:
        upgrade(scratch)
        yield scratch
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
