"""Stage rates read from the database's own clocks, so they need no cooperation from the services.

The consumer stamps ``outcome_at`` with ``now()``, the start of the transaction that applied the
item's batch, so every item of one batch carries the same stamp; it copies ``published_at`` from
the event's record timestamp (when the relay produced it, to the millisecond). Over a stage's
stamps the items of every batch but the last were handled between the first stamp and the last,
so the rate is ``(items - items at the last stamp) / (last - first)``.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import psycopg2

from subshift.config import DatabaseSettings
from subshift.db.connect import PgConnection, connect
from subshift.db.models import COUNTER_COLUMNS, ItemOutcome, MigrationState
from subshift.errors import InfrastructureError

__all__ = ["Observer", "Progress", "StageSpan", "progress", "stage_span"]

T = TypeVar("T")

_DONE_COLUMNS = " + ".join(f"{column}" for outcome, column in COUNTER_COLUMNS.items()
                           if outcome is not ItemOutcome.REJECTED)
_TERMINAL = {state.value for state in MigrationState if state.terminal}


@dataclass(frozen=True)
class Progress:
    state: str
    staged: int
    published: int
    done: int  # items with an outcome (applied, skipped, conflict, not found, cancelled, dead-lettered)
    completed_at: datetime | None

    @property
    def terminal(self) -> bool:
        return self.state in _TERMINAL


@dataclass(frozen=True)
class StageSpan:
    """First and last batch stamps of one stage, how many items, and how many in the last batch."""

    first: datetime | None
    last: datetime | None
    items: int
    in_last_batch: int
    batches: int

    @property
    def seconds(self) -> float:
        if self.first is None or self.last is None:
            return 0.0
        return (self.last - self.first).total_seconds()

    @property
    def rows_per_second(self) -> float | None:
        """Items per second between the first and the last batch; None with fewer than two batches."""
        if self.seconds <= 0:
            return None
        return (self.items - self.in_last_batch) / self.seconds


def progress(conn: PgConnection, migration_id: uuid.UUID) -> Progress:
    """The migration's state and counters as they are committed now."""
    with conn.cursor() as cur:
        cur.execute(  # the column list is built from model constants only
            f"SELECT state, staged, published, {_DONE_COLUMNS}, completed_at FROM migrations WHERE id = %s",  # noqa: S608
            (str(migration_id),),
        )
        row = cur.fetchone()
    conn.rollback()
    if row is None:
        raise LookupError(f"migration {migration_id} is not in the bench database")
    return Progress(row[0], int(row[1]), int(row[2]), int(row[3]), row[4])


_COLUMNS = {"published_at": "published_at", "outcome_at": "outcome_at"}


def stage_span(conn: PgConnection, migration_id: uuid.UUID, column: str, *,
               since: datetime | None = None) -> StageSpan:
    """The batch stamps in ``column`` (``published_at`` or ``outcome_at``) of the migration's staged items.

    ``since`` keeps only stamps at or after it (e.g. once every consumer of a scaling run has joined).
    """
    name = _COLUMNS[column]
    with conn.cursor() as cur:
        cur.execute(
            f"""
            WITH stamps AS (
                SELECT {name} AS t FROM migration_items
                WHERE migration_id = %(mid)s AND {name} IS NOT NULL AND outcome <> %(rejected)s
                  AND (%(since)s::timestamptz IS NULL OR {name} >= %(since)s::timestamptz)
            )
            SELECT min(t), max(t), count(*), count(*) FILTER (WHERE t = (SELECT max(t) FROM stamps)),
                   count(DISTINCT t)
            FROM stamps
            """,  # noqa: S608 - the column name comes from the fixed map above
            {"mid": str(migration_id), "rejected": ItemOutcome.REJECTED.value, "since": since},
        )
        first, last, items, in_last, batches = cur.fetchone()
    conn.rollback()
    return StageSpan(first, last, int(items), int(in_last), int(batches))


class Observer:
    """Reads progress and stamps through its own connection, riding out a database restart.

    The services under test retry through an outage; so does the observer, for up to
    ``patience`` seconds per read, and it adds the time it waited to ``outage_seconds`` so the
    report can say that the run's numbers include one.
    """

    def __init__(self, database: DatabaseSettings, *, patience: float = 180.0) -> None:
        self._database = database
        self._patience = patience
        self._conn: PgConnection | None = None
        self.outage_seconds = 0.0

    def progress(self, migration_id: uuid.UUID) -> Progress:
        """See ``progress``.

        Raises:
            InfrastructureError: the database stayed unreachable for longer than the patience.
        """
        return self._read(lambda conn: progress(conn, migration_id))

    def stage_span(self, migration_id: uuid.UUID, column: str, *, since: datetime | None = None) -> StageSpan:
        """See ``stage_span``.

        Raises:
            InfrastructureError: the database stayed unreachable for longer than the patience.
        """
        return self._read(lambda conn: stage_span(conn, migration_id, column, since=since))

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg2.Error):
                self._conn.close()
            self._conn = None

    def _read(self, query: Callable[[PgConnection], T]) -> T:
        started = time.monotonic()
        while True:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = connect(self._database, application_name="subshift-bench")
                return query(self._conn)
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
                self.close()
                waited = time.monotonic() - started
                if waited > self._patience:
                    raise InfrastructureError(f"the bench database stayed unreachable for {waited:.0f} s: "
                                              f"{str(error).strip()}", retryable=True) from error
                time.sleep(1.0)
                self.outage_seconds += 1.0
