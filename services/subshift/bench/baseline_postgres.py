"""Baseline (b): the plain-SQL migration a user could run instead of Subshift.

On a copy of ``subscriptions`` (same columns, indexes and data), in one transaction:
``COPY`` the very CSV the bench uploads into a temporary table, then one compare-and-set
``UPDATE … FROM`` moves every user still on its current offer, then commit. No outbox, no
events, no per-item outcomes: the floor for changing N rows on this machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from subshift.config import DatabaseSettings
from subshift.db.connect import connect

__all__ = ["PostgresBaseline", "postgres_baseline"]

_COPY_TABLE = "bench_subscriptions"


@dataclass(frozen=True)
class PostgresBaseline:
    rows: int
    updated: int
    copy_seconds: float
    update_seconds: float  # the UPDATE and the commit

    @property
    def seconds(self) -> float:
        return self.copy_seconds + self.update_seconds

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def postgres_baseline(database: DatabaseSettings, csv_path: Path, rows: int) -> PostgresBaseline:
    """Time COPY + compare-and-set UPDATE of the CSV's rows on a copy of ``subscriptions``."""
    conn = connect(database, application_name="subshift-bench-baseline")
    try:
        with conn.cursor() as cur:  # the copy is set-up, not measured
            cur.execute(f"DROP TABLE IF EXISTS {_COPY_TABLE}")
            cur.execute(f"CREATE TABLE {_COPY_TABLE} (LIKE subscriptions INCLUDING ALL)")
            cur.execute(f"INSERT INTO {_COPY_TABLE} SELECT * FROM subscriptions")  # noqa: S608 - fixed name
        conn.commit()
        with conn.cursor() as cur:
            cur.execute(f"ANALYZE {_COPY_TABLE}")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur, csv_path.open("rb") as handle:
            cur.execute("CREATE TEMPORARY TABLE moves (user_id text, current_offer text, target_offer text) "
                        "ON COMMIT DROP")
            cur.copy_expert("COPY moves FROM STDIN WITH (FORMAT csv, HEADER true)", handle, size=1024 * 1024)
            cur.execute("ANALYZE moves")
            copied = time.perf_counter()
            cur.execute(
                f"UPDATE {_COPY_TABLE} s SET offer_code = m.target_offer, version = s.version + 1, "  # noqa: S608
                "updated_at = now() FROM moves m WHERE s.user_id = m.user_id AND s.offer_code = m.current_offer"
            )
            updated = cur.rowcount
        conn.commit()
        finished = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE {_COPY_TABLE}")
        conn.commit()
    finally:
        conn.close()
    return PostgresBaseline(rows=rows, updated=int(updated), copy_seconds=copied - started,
                            update_seconds=finished - copied)
