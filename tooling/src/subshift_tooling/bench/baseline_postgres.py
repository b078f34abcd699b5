"""Baseline (b): the plain-SQL migration a user could run instead of Subshift.

On a copy of ``subscriptions`` (same columns, indexes, data and storage parameters, vacuumed and
frozen as the seeded table is), in one transaction: ``COPY`` the very CSV the bench uploads into a
temporary table, then one compare-and-set ``UPDATE … FROM`` moves every user still on its current
offer, then commit. No outbox, no events, no per-item outcomes: the floor for changing N rows on
this machine.

The copy must match the table the pipeline updates. ``CREATE TABLE … (LIKE … INCLUDING ALL)``
leaves out storage parameters: without ``subscriptions``' fillfactor (50, revision 0006) the
update finds no room on the pages for HOT updates and writes a new index entry per row; without a
vacuum it also sets every row's hint bits. Measured on 1M rows, alternating: 9.1 / 9.6 s on such a
copy, 5.1 / 5.2 s with the fillfactor only, 3.5 / 5.5 s with the fillfactor and the vacuum.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from subshift.config import DatabaseSettings
from subshift.db.connect import PgConnection, connect

__all__ = ["COPY_TABLE", "PostgresBaseline", "copy_subscriptions", "postgres_baseline"]

COPY_TABLE = "bench_subscriptions"


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


def copy_subscriptions(conn: PgConnection) -> None:
    """Replace ``bench_subscriptions`` with a copy of ``subscriptions`` as the pipeline finds it (see above)."""
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        cur.execute(f"CREATE TABLE {COPY_TABLE} (LIKE subscriptions INCLUDING ALL)")
        cur.execute("SELECT reloptions FROM pg_class WHERE oid = 'subscriptions'::regclass")
        (options,) = cur.fetchone() or (None,)
        if options:  # the catalog's own "name=value" texts (fillfactor)
            cur.execute(f"ALTER TABLE {COPY_TABLE} SET ({', '.join(options)})")
        cur.execute(f"INSERT INTO {COPY_TABLE} SELECT * FROM subscriptions")  # noqa: S608 - fixed name
    conn.commit()
    conn.autocommit = True  # VACUUM cannot run in a transaction
    try:
        with conn.cursor() as cur:
            cur.execute(f"VACUUM (FREEZE, ANALYZE) {COPY_TABLE}")
    finally:
        conn.autocommit = False


def postgres_baseline(database: DatabaseSettings, csv_path: Path, rows: int) -> PostgresBaseline:
    """Time COPY + compare-and-set UPDATE of the CSV's rows on a copy of ``subscriptions``."""
    conn = connect(database, application_name="subshift-bench-baseline")
    try:
        copy_subscriptions(conn)  # set-up, not measured
        started = time.perf_counter()
        with conn.cursor() as cur, csv_path.open("rb") as handle:
            cur.execute("CREATE TEMPORARY TABLE moves (user_id text, current_offer text, target_offer text) "
                        "ON COMMIT DROP")
            cur.copy_expert("COPY moves FROM STDIN WITH (FORMAT csv, HEADER true)", handle, size=1024 * 1024)
            cur.execute("ANALYZE moves")
            copied = time.perf_counter()
            cur.execute(
                f"UPDATE {COPY_TABLE} s SET offer_code = m.target_offer, version = s.version + 1, "  # noqa: S608
                "updated_at = now() FROM moves m WHERE s.user_id = m.user_id AND s.offer_code = m.current_offer"
            )
            updated = cur.rowcount
        conn.commit()
        finished = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE {COPY_TABLE}")
        conn.commit()
    finally:
        conn.close()
    return PostgresBaseline(rows=rows, updated=int(updated), copy_seconds=copied - started,
                            update_seconds=finished - copied)
