"""Database plumbing shared by the ingest modules: driver errors become ``InfrastructureError``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg2
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from subshift.errors import InfrastructureError

__all__ = ["database_errors", "raw_read", "raw_transaction"]


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
    a ``BEGIN`` and a ``ROLLBACK`` (measured under ``GetMigration`` load: 0.43 → 0.27 ms a call).

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
