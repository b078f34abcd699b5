"""A large upload leaves statistics that count its items as pending, before it commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest

from subshift.api.statistics import MIN_ROWS, refresh_item_statistics
from subshift.config import DatabaseSettings


@pytest.fixture
def upload_transaction(ingest_database: DatabaseSettings) -> Iterator[Any]:
    """A transaction that has staged ``MIN_ROWS`` pending items, rolled back at the end."""
    connection = psycopg2.connect(ingest_database.libpq_dsn())
    try:
        with connection.cursor() as cur:
            migration_id = uuid.uuid4()
            cur.execute("INSERT INTO migrations (id, content_sha256, state, created_by) "
                        "VALUES (%s, %s, 'pending', 't')", (str(migration_id), uuid.uuid4().hex))
            cur.execute(
                "INSERT INTO migration_items (migration_id, row_number, user_id, current_offer, target_offer) "
                "SELECT %s, n, 'stats-' || n, 'basic', 'gold' FROM generate_series(2, %s) AS n",
                (str(migration_id), MIN_ROWS + 1),
            )
        yield connection
    finally:
        connection.rollback()
        connection.close()


def _pending_share(cursor: Any) -> float:
    cursor.execute(
        "SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
        "WHERE tablename = 'migration_items' AND attname = 'outcome'"
    )
    row = cursor.fetchone()
    if row is None or row[0] is None:
        return 0.0
    values, shares = row
    return float(dict(zip(values, shares, strict=True)).get("pending", 0.0))


def test_the_statistics_count_the_uploads_items_as_pending(upload_transaction: Any) -> None:
    with upload_transaction.cursor() as cur:
        assert refresh_item_statistics(cur, MIN_ROWS)
        assert _pending_share(cur) > 0.5


def test_a_locked_table_skips_the_analysis_and_the_upload_goes_on(upload_transaction: Any,
                                                                  ingest_database: DatabaseSettings) -> None:
    holder = psycopg2.connect(ingest_database.libpq_dsn())
    try:
        with holder.cursor() as cur:  # as a long VACUUM would
            cur.execute("LOCK TABLE migration_items IN SHARE UPDATE EXCLUSIVE MODE")
        with upload_transaction.cursor() as cur:
            assert not refresh_item_statistics(cur, MIN_ROWS)
            cur.execute("SELECT count(*) FROM migration_items WHERE user_id LIKE 'stats-%'")
            assert cur.fetchone() == (MIN_ROWS,)
    finally:
        holder.rollback()
        holder.close()
