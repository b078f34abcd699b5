"""Between timed stages: vacuum what the stages before rewrote, so every stage starts from the same state.

A 1M-row stage leaves a million dead row versions in ``migration_items`` and ``subscriptions``
(and staging inserts a million rows no vacuum has seen). Left alone, the next stage pays for them:
its statements prune the pages they read, and autovacuum's passes over the tables run beside it
on the same two cores. One consumer on a 1M-row backlog, in process, right after the same
rewrite: 24,896 and 25,188 rows/s with the dead versions left, 27,510 and 27,916 after a
``VACUUM`` (alternating runs). The end-to-end run starts from freshly seeded tables; this gives
the later stages (latency, each scaling run, memory) the same start, and the report says how long
it took. A migration that follows another within minutes shares the machine with autovacuum: that
cost belongs to the database's upkeep, and the numbers above say how large it is.
"""

from __future__ import annotations

import time

from subshift.config import DatabaseSettings
from subshift.db.connect import connect

__all__ = ["PIPELINE_TABLES", "vacuum_pipeline_tables"]

# The tables the pipeline writes per row or per batch.
PIPELINE_TABLES = ("migration_items", "subscriptions", "migrations", "consumer_offsets")


def vacuum_pipeline_tables(database: DatabaseSettings) -> float:
    """``VACUUM (ANALYZE)`` the pipeline's tables (an autovacuum pass on one gives way); returns the seconds taken."""
    started = time.perf_counter()
    conn = connect(database, application_name="subshift-bench-vacuum")
    try:
        conn.autocommit = True  # VACUUM cannot run in a transaction
        with conn.cursor() as cur:
            for table in PIPELINE_TABLES:
                cur.execute(f"VACUUM (ANALYZE) {table}")
    finally:
        conn.close()
    return time.perf_counter() - started
