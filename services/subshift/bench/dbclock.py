"""Stage rates read from the database's own clocks, so they need no cooperation from the services.

The relay stamps ``published_at`` and the consumer ``outcome_at`` with ``now()``, which is the
start of the transaction that handled the item's batch: every item of one batch carries the same
stamp. Over a stage's stamps the items of every batch but the last were handled between the
first stamp and the last, so the rate is ``(items - items of the last batch) / (last - first)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from subshift.db.connect import PgConnection
from subshift.db.models import COUNTER_COLUMNS, ItemOutcome, MigrationState

__all__ = ["Progress", "StageSpan", "progress", "stage_span"]

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
