"""Baseline (b) updates a copy of ``subscriptions`` in the state the pipeline finds it: same storage, vacuumed."""

from __future__ import annotations

import psycopg2

from subshift.config import Settings
from subshift_tooling.bench.baseline_postgres import COPY_TABLE, copy_subscriptions
from tests.integration.scratch_db import scratch_database


def test_the_copy_keeps_the_tables_storage_parameters_and_is_vacuumed(settings: Settings) -> None:
    with scratch_database(settings, "subshift_baseline") as database:
        conn = psycopg2.connect(database.libpq_dsn())
        try:
            with conn.cursor() as cur:
                cur.execute("INSERT INTO subscriptions (user_id, offer_code) "
                            "SELECT 'u' || g, 'A' FROM generate_series(1, 5000) g")
            conn.commit()
            copy_subscriptions(conn)
            with conn.cursor() as cur:
                cur.execute("SELECT c.relname, c.reloptions, c.relpages, c.relallvisible FROM pg_class c "
                            "WHERE c.relname IN ('subscriptions', %s)", (COPY_TABLE,))
                tables = {name: (options, pages, visible) for name, options, pages, visible in cur.fetchall()}
                cur.execute(f"SELECT count(*) FROM {COPY_TABLE}")  # noqa: S608 - fixed name
                (rows,) = cur.fetchone()
                cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", (COPY_TABLE,))
                indexes = [definition for (definition,) in cur.fetchall()]
        finally:
            conn.close()
    original_options = tables["subscriptions"][0]
    copy_options, copy_pages, copy_visible = tables[COPY_TABLE]
    assert original_options is not None and "fillfactor=50" in original_options
    assert copy_options == original_options
    assert rows == 5000
    assert copy_pages > 0 and copy_visible == copy_pages  # vacuumed: every page all-visible
    assert len(indexes) == 1 and "(user_id)" in indexes[0]
