"""Throwaway databases on the stack's PostgreSQL, one per test suite.

Every suite that needs its own database goes through ``scratch_database``. Creating and dropping
use a fresh connection each, retried for a while: fault tests sharing the stack restart
PostgreSQL, and a session-long admin connection would not survive that.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from subshift.config import DatabaseSettings, Settings, load_settings
from subshift.db.upgrade import upgrade

__all__ = ["postgres_settings", "scratch_database"]

_CONNECT_ATTEMPTS = 15


def postgres_settings() -> Settings:
    """Settings from the environment, for suites that need PostgreSQL only: an unreachable one fails the session."""
    loaded = load_settings()
    try:
        psycopg2.connect(loaded.database.libpq_dsn(), connect_timeout=5).close()
    except psycopg2.Error as error:
        pytest.fail(f"PostgreSQL at {loaded.database.redacted()} is not reachable; start it with "
                    f"`.venv/bin/subshift stack up`: {str(error).strip()}", pytrace=False)
    return loaded


@contextmanager
def scratch_database(settings: Settings, prefix: str, *, migrate: bool = True) -> Iterator[DatabaseSettings]:
    """A new database ``<prefix>_<random>`` migrated to head (empty when not ``migrate``), dropped (forcefully)
    afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    _admin(settings, f'CREATE DATABASE "{name}"')
    url = make_url(settings.database.sqlalchemy_url()).set(database=name).render_as_string(hide_password=False)
    database = DatabaseSettings(url=SecretStr(url))
    try:
        if migrate:
            upgrade(database)
        yield database
    finally:
        _admin(settings, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(settings: Settings, statement: str) -> None:
    for attempt in range(1, _CONNECT_ATTEMPTS + 1):
        try:
            connection = psycopg2.connect(settings.database.libpq_dsn(), connect_timeout=5)
        except psycopg2.OperationalError:
            if attempt == _CONNECT_ATTEMPTS:
                raise
            time.sleep(2)
            continue
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
            return
        finally:
            connection.close()
