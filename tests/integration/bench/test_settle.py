"""The bench vacuums the pipeline's tables between stages: each one is vacuumed and analysed, then checkpointed.

``migration_items`` has no storage of its own: its partitions (one per migration) are what is vacuumed.
Whether the dead row versions go is PostgreSQL's part, not ours, and an open transaction anywhere in the
cluster (another test's) can keep them: the statistics checked are the vacuum's and analysis's own times.
"""

from __future__ import annotations

import uuid

import psycopg2

from subshift.config import Settings
from subshift.lifecycle.storage import attach_items_table, create_items_table, items_table
from subshift_tooling.bench.settle import PIPELINE_TABLES, vacuum_pipeline_tables
from tests.integration.scratch_db import scratch_database


def test_every_pipeline_table_is_vacuumed_and_analysed(settings: Settings) -> None:
    with scratch_database(settings, "subshift_settle") as database:
        conn = psycopg2.connect(database.libpq_dsn())
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("INSERT INTO subscriptions (user_id, offer_code) "
                            "SELECT 'u' || g, 'A' FROM generate_series(1, 2000) g")
                cur.execute("UPDATE subscriptions SET offer_code = 'B'")  # 2,000 dead row versions
                migration_id = uuid.uuid4()
                cur.execute("BEGIN")
                cur.execute("INSERT INTO migrations (id, content_sha256, state, created_by) "
                            "VALUES (%s, 'x', 'applying', 'settle-test')", (str(migration_id),))
                create_items_table(cur, migration_id)
                attach_items_table(cur, migration_id)
                cur.execute("INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, "
                            "target_offer) SELECT %s, g, 'u' || g, 'A', 'B' FROM generate_series(2, 1001) g",
                            (str(migration_id),))
                cur.execute("COMMIT")
                cur.execute("UPDATE migration_items SET outcome = 'applied'")  # 1,000 more in its partition
                cur.execute("SELECT now(), checkpoints_req FROM pg_stat_bgwriter")
                started, checkpoints_before = cur.fetchone()
                seconds = vacuum_pipeline_tables(database)
                tables = {table: items_table(migration_id) if table == "migration_items" else table
                          for table in PIPELINE_TABLES}
                cur.execute("SELECT pg_stat_clear_snapshot()")
                cur.execute("SELECT relname, last_vacuum >= %s, last_analyze >= %s "
                            "FROM pg_stat_user_tables WHERE relname = ANY(%s)",
                            (started, started, [*tables.values()]))
                found = {name: (vacuumed, analysed) for name, vacuumed, analysed in cur.fetchall()}
                cur.execute("SELECT checkpoints_req FROM pg_stat_bgwriter")
                (checkpoints_after,) = cur.fetchone()
        finally:
            conn.close()
    assert seconds > 0
    assert found == {table: (True, True) for table in tables.values()}
    assert checkpoints_after > checkpoints_before
