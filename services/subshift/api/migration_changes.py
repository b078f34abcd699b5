"""Hears which migrations changed, from PostgreSQL, and drops them from the ``GetMigration`` cache.

Revision 0005's trigger announces every updated or deleted migration row on ``CHANNEL`` when its
transaction commits. ``MigrationChanges`` listens on a connection of its own, on a thread of its
own, and passes each announced id to ``MigrationCache.drop``. The cache is live only while the
connection listens: when it breaks, the cache forgets everything and every call reads the
database, until the listener has reconnected (retrying with backoff) and listens again.
"""

from __future__ import annotations

import contextlib
import select
import threading
import uuid
from collections.abc import Callable
from typing import Any

import psycopg2

from subshift.api.migration_cache import MigrationCache
from subshift.faults import Backoff
from subshift.observability.logs import get_logger

__all__ = ["CHANNEL", "MigrationChanges"]

CHANNEL = "subshift_migration_changed"  # the trigger's channel (revision 0005)
_WAKE_SECONDS = 0.5  # how often the listening thread checks whether it should stop

_log = get_logger(__name__)


class MigrationChanges:
    """Keeps ``cache`` current from the trigger's notifications until ``stop``; ``connect`` opens a new
    autocommit connection."""

    def __init__(self, connect: Callable[[], Any], cache: MigrationCache[uuid.UUID, Any], *,
                 backoff: Backoff | None = None) -> None:
        self._connect = connect
        self._cache = cache
        self._backoff = backoff or Backoff(base_seconds=0.2, cap_seconds=5.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="subshift-migration-changes", daemon=True)

    @property
    def listening(self) -> bool:
        """Whether every change is being heard now (the cache serves from memory only then)."""
        return self._cache.live

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening; the cache goes dark (every call reads the database)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as error:  # whatever broke it, the cache is dark until it listens again
                delay = self._backoff.next_delay()
                _log.warning("migration_changes.not_listening", error=f"{type(error).__name__}: {error}".strip()[:300],
                             retry_in=round(delay, 3), exc_info=not isinstance(error, psycopg2.Error))
                self._stop.wait(delay)

    def _listen(self) -> None:
        connection = self._connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANNEL}")
            self._cache.set_live(True)  # from here on, every change is heard
            if self._backoff.attempts:
                _log.info("migration_changes.listening")
            self._backoff.reset()
            while not self._stop.is_set():
                if not select.select([connection], [], [], _WAKE_SECONDS)[0]:
                    continue
                connection.poll()
                notifies = connection.notifies
                while notifies:
                    self._heard(notifies.pop(0).payload)
        finally:
            self._cache.set_live(False)
            with contextlib.suppress(psycopg2.Error):
                connection.close()

    def _heard(self, payload: str) -> None:
        try:
            key = uuid.UUID(payload)
        except ValueError:
            # Not the trigger's (someone notified the channel by hand): anything may have changed.
            self._cache.drop_all()
            return
        self._cache.drop(key)
