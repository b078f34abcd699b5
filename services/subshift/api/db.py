"""Database plumbing shared by the API modules: driver errors become ``InfrastructureError``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg2
import psycopg2.extras
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from subshift.errors import InfrastructureError

__all__ = ["ThreadConnections", "connect_outside_pool", "database_errors", "raw_read", "raw_transaction"]


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn driver failures into ``InfrastructureError`` (retryable when the server went away).

    Raises:
        InfrastructureError: the database failed; ``code`` keeps PostgreSQL's SQLSTATE.
    """
    try:
        yield
    except (psycopg2.OperationalError, OperationalError) as error:
        raise InfrastructureError(f"the database is unavailable: {_first_line(error)}", retryable=True,
                                  code=_sqlstate(error)) from error
    except (psycopg2.Error, DBAPIError) as error:
        code = _sqlstate(error)
        # Class 40 (serialization failure, deadlock) means "lost a race; the same call may succeed now".
        raise InfrastructureError(f"the database refused a statement: {_first_line(error)}",
                                  retryable=bool(code and code.startswith("40")), code=code) from error


def _sqlstate(error: BaseException) -> str | None:
    original = getattr(error, "orig", error)
    code: str | None = getattr(original, "pgcode", None)
    return code


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", error)).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextmanager
def raw_transaction(engine: Engine, *, commit: bool = True) -> Iterator[Any]:
    """A psycopg2 connection from the pool in one transaction, rolled back on error.

    On success it is committed, or rolled back when ``commit`` is false (a dry run).
    UUIDs pass as parameters and come back as ``uuid.UUID`` (SQLAlchemy's psycopg2 dialect
    registers that conversion on every new connection).

    Raises:
        InfrastructureError: the database failed (see ``database_errors``).
    """
    with database_errors():
        connection = engine.raw_connection()
        try:
            yield connection
            if commit:
                connection.commit()
            else:
                connection.rollback()
        except BaseException:
            with suppress(Exception):  # the connection may be gone; the original error is what matters
                connection.rollback()
            raise
        finally:
            connection.close()


@contextmanager
def raw_read(engine: Engine) -> Iterator[Any]:
    """A psycopg2 connection from the pool for one read-only statement, outside a transaction.

    The statement is its own transaction (autocommit): one round trip, where a transaction adds
    a ``BEGIN`` and a ``ROLLBACK`` (docs/performance/api-database-reads.md).

    Raises:
        InfrastructureError: the database failed (see ``database_errors``).
    """
    with database_errors():
        connection = engine.raw_connection()
        driver: Any = connection.driver_connection
        try:
            driver.autocommit = True
            yield connection
        finally:
            with suppress(Exception):  # a broken connection is discarded by the pool either way
                driver.autocommit = False
            connection.close()


def connect_outside_pool(engine: Engine) -> Any:
    """A new psycopg2 connection with ``engine``'s arguments, in autocommit mode, that the pool does not manage.

    Raises:
        psycopg2.OperationalError: the database cannot be reached.
    """
    dialect = engine.dialect
    args, kwargs = dialect.create_connect_args(engine.url)
    connection = dialect.loaded_dbapi.connect(*args, **kwargs)
    connection.autocommit = True
    return connection


class ThreadConnections:
    """A database connection per serving thread, outside the pool, for the hottest one-statement reads.

    The pool takes a lock on every checkout and return; with many threads sharing the GIL those
    hand-offs queue up under load (docs/performance/api-database-reads.md). The API's worker threads are a fixed
    pool, so this opens at most one connection per worker, with the engine's own arguments, in
    autocommit mode. A read that finds its connection broken (the server restarted meanwhile) is
    run once more on a new one; it is a read, so repeating it is safe.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()

    def fetch_one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The first row of ``sql``, or None.

        Raises:
            InfrastructureError: the database failed (see ``database_errors``).
        """
        with database_errors():
            while True:
                connection, fresh = self._connection()
                try:
                    return self._fetch(connection, sql, params)
                except (psycopg2.OperationalError, psycopg2.InterfaceError):
                    self._discard(connection)
                    if fresh:  # a new connection failed: the database itself is unavailable
                        raise

    def close(self) -> None:
        """Close every connection opened so far (when the server has stopped)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            with suppress(Exception):
                connection.close()

    @staticmethod
    def _fetch(connection: Any, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row: tuple[Any, ...] | None = cursor.fetchone()
            return row

    def _connection(self) -> tuple[Any, bool]:
        connection = getattr(self._local, "connection", None)
        if connection is not None and not connection.closed:
            return connection, False
        connection = connect_outside_pool(self._engine)
        psycopg2.extras.register_uuid(conn_or_curs=connection)
        with self._lock:
            self._opened.append(connection)
        self._local.connection = connection
        return connection, True

    def _discard(self, connection: Any) -> None:
        self._local.connection = None
        with self._lock:
            if connection in self._opened:
                self._opened.remove(connection)
        with suppress(Exception):
            connection.close()
