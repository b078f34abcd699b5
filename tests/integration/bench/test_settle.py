"""The bench vacuums the pipeline's tables between stages: each one is vacuumed and analysed, dead rows gone."""

from __future__ import annotations

import psycopg2

from subshift.config import Settings
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
                seconds = vacuum_pipeline_tables(database)
                cur.execute("SELECT pg_stat_clear_snapshot()")
                cur.execute("SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL, n_dead_tup "
                            "FROM pg_stat_user_tables WHERE relname = ANY(%s)", (list(PIPELINE_TABLES),))
                found = {name: (vacuumed, analysed, dead) for name, vacuumed, analysed, dead in cur.fetchall()}
        finally:
            conn.close()
    assert seconds > 0
    assert found == {table: (True, True, 0) for table in PIPELINE_TABLES}
