"""Between timed stages: vacuum what the stages before rewrote, so every stage starts from the same state.

A 1M-row stage leaves a million dead row versions in ``migration_items`` and ``subscriptions``.
Autovacuum cleans them up, but on its own schedule (it looks at a database about once a minute),
so a pass can fall inside the next measurement, on the same two cores, and a stage that reads pages
nobody vacuumed prunes them itself. Measured with one consumer in process on a 1M-row backlog
whose rows were rewritten just before: 24,896 and 25,188 rows/s with the dead versions left,
27,510 and 27,916 after a ``VACUUM`` (alternating runs). In a full bench run autovacuum had usually
done most of the work already (the vacuums took 0.1 to 1.4 s); this makes it certain, and the report
gives each vacuum's seconds. The end-to-end run (after the baselines), the latency run, each scaling
run's consumers and the memory run start from vacuumed tables.

A ``CHECKPOINT`` follows the vacuum: what the stage before wrote (30 million seeded items and their
vacuum, before the history stage's second side) is then on disk, instead of being written back by
the kernel and the checkpointer on the same two cores while the next stage is timed.
"""

from __future__ import annotations

import time

from subshift.config import DatabaseSettings
from subshift.db.connect import connect

__all__ = ["PIPELINE_TABLES", "vacuum_pipeline_tables"]

# The tables the pipeline writes per row or per batch (``migration_items``: every partition, one per migration).
PIPELINE_TABLES = ("migration_items", "subscriptions", "migrations", "consumer_offsets")
_VACUUM = f"VACUUM (ANALYZE) {', '.join(PIPELINE_TABLES)}"


def vacuum_pipeline_tables(database: DatabaseSettings) -> float:
    """``VACUUM (ANALYZE)`` the pipeline's tables in one statement, then ``CHECKPOINT``; returns the seconds taken."""
    started = time.perf_counter()
    conn = connect(database, application_name="subshift-bench-vacuum")
    try:
        conn.autocommit = True  # VACUUM cannot run in a transaction
        with conn.cursor() as cur:
            cur.execute(_VACUUM)
            cur.execute("CHECKPOINT")
    finally:
        conn.close()
    return time.perf_counter() - started
