"""WatchMigration in the domain: poll one row, yield a snapshot whenever it changes.

Polling the migration's primary key every ``interval`` seconds is one index lookup; the
counters on the row mean no item is ever scanned. The first snapshot is sent at once, so a
client resumes a broken watch simply by watching again. A watch lives at most ``lifetime``
seconds (it holds a worker thread); it then ends with the same retryable UNAVAILABLE as a
shutdown, which clients already resume.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

from sqlalchemy import Engine

from subshift.api.errors import SHUTTING_DOWN, WATCH_ENDED
from subshift.api.queries import get_migration
from subshift.db.models import COUNTER_COLUMNS, Migration, MigrationState
from subshift.errors import InfrastructureError

__all__ = ["watch_migration"]

_COUNTERS = ("rows_received", "staged", "published", *COUNTER_COLUMNS.values())


def _snapshot(migration: Migration) -> tuple[object, ...]:
    return (migration.state, migration.state_reason, *(getattr(migration, name) for name in _COUNTERS))


def watch_migration(engine: Engine, migration_id: uuid.UUID, *, interval: float, stopping: threading.Event,
                    active: Callable[[], bool], lifetime: float = float("inf")) -> Iterator[Migration]:
    """Snapshots of the migration on every change, ending after the first terminal one.

    Raises:
        NotFoundError: no such migration.
        InfrastructureError: the database failed, the server is shutting down, or the watch reached
            ``lifetime`` (retryable: watch again, on this or another server).
    """
    ends = time.monotonic() + lifetime
    last: tuple[object, ...] | None = None
    while True:
        migration = get_migration(engine, migration_id)
        snapshot = _snapshot(migration)
        if snapshot != last:
            last = snapshot
            yield migration
        if MigrationState(migration.state).terminal or not active():
            return
        remaining = ends - time.monotonic()
        if remaining <= 0:
            raise InfrastructureError(f"the watch reached its maximum lifetime of {lifetime:g}s "
                                      "(api.watch_max_seconds); watch again to resume", retryable=True,
                                      code=WATCH_ENDED)
        if stopping.wait(min(interval, remaining)):
            raise InfrastructureError("the server is shutting down; watch again to resume", retryable=True,
                                      code=SHUTTING_DOWN)
