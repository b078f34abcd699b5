"""Engines are made from settings by the command that runs, never at import time."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

from subshift.config import DatabaseSettings

__all__ = ["PING_AFTER_IDLE_SECONDS", "make_engine"]

# A pooled connection idle longer than this is pinged before use. One used more recently is handed
# out as it is: a busy API then pays no extra round trip per call (docs/performance/api-database-reads.md),
# and a server restart is still noticed once traffic resumes after a pause.
PING_AFTER_IDLE_SECONDS = 1.0

_LAST_USED = "subshift_last_used"


def make_engine(settings: DatabaseSettings, *, application_name: str = "subshift-api") -> Engine:
    """A pooled engine for Subshift's database; connections idle for a while are pinged before reuse.

    The pool hands out the connection returned last (LIFO): under light load a few connections stay
    busy and need no ping, instead of every pooled connection going idle and being pinged in turn."""
    engine = create_engine(settings.sqlalchemy_url(), pool_size=settings.pool_size, pool_use_lifo=True, future=True,
                           connect_args={"application_name": application_name})
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _stamp)
    return engine


def _stamp(_dbapi_connection: Any, record: Any) -> None:
    record.info[_LAST_USED] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    last = record.info.get(_LAST_USED)
    if last is not None and time.monotonic() - last < PING_AFTER_IDLE_SECONDS:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not dbapi_connection.autocommit:
            dbapi_connection.rollback()
    except Exception as error:  # any failure: the pool replaces this connection and retries the checkout
        raise DisconnectionError(str(error)) from error
