"""Plain psycopg2 connections for the pipeline's set-based SQL (COPY, ``UPDATE … FROM (VALUES …)``).

The relay and the consumer hold one connection each and reconnect after a failure; the
ORM engine (``db.engine``) serves the API.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import psycopg2

from subshift.config import DatabaseSettings

__all__ = ["PgConnection", "connect"]

# psycopg2 ships no type information (mypy sees Any); the alias names what is meant.
PgConnection: TypeAlias = Any


def connect(settings: DatabaseSettings, *, application_name: str, **options: Any) -> PgConnection:
    """A new connection (not autocommit), with keepalives so a vanished server is noticed.

    Raises:
        psycopg2.OperationalError: the server is unreachable or refused the login.
    """
    connection: PgConnection = psycopg2.connect(
        settings.libpq_dsn(),
        application_name=application_name,
        connect_timeout=5,
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=3,
        **options,
    )
    return connection
